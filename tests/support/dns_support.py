"""Helpers shared by the dns tests and benchmarks/dns_check.py: the fixture zones' DKIM keys
(generated at start-up, never committed), a KnotServer serving tests/support/zones, and a way to run
the dns check directly with a CheckContext (so tests can set facts as the tls check would)."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome
from launchgate.checks.dns import DnsCheck
from launchgate.config import ChecksConfig, Config, DnsConfig
from launchgate.http.transport import http_context_from_config
from launchgate.progress import Progress
from launchgate.redact import Redactor
from launchgate.report import Target
from tests.support.knot import KnotServer

ZONES = Path(__file__).resolve().parent / "zones"


def _probable_prime(bits: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (1 << (bits - 1)) | 1
        if all(pow(witness, candidate - 1, candidate) == 1 for witness in (2, 3, 5, 7, 11, 13)):
            return candidate


def weak_rsa_public_key(bits: int) -> rsa.RSAPublicKey:
    """cryptography refuses to generate keys under 1024 bits, so build n = p*q by hand."""
    while True:
        n = _probable_prime(bits // 2) * _probable_prime(bits - bits // 2)
        if n.bit_length() == bits:
            return rsa.RSAPublicNumbers(65537, n).public_key()


def dkim_txt(bits: int) -> str:
    """A DKIM TXT rdata for a fresh RSA key, split into <=255-byte quoted strings."""
    public = (
        weak_rsa_public_key(bits)
        if bits < 1024
        else rsa.generate_private_key(public_exponent=65537, key_size=bits).public_key()
    )
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    text = "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()
    return " ".join(f'"{text[i : i + 255]}"' for i in range(0, len(text), 255))


def knot_for_zones() -> KnotServer:
    return KnotServer(ZONES, {"DKIM_2048": dkim_txt(2048), "DKIM_512": dkim_txt(512)})


def make_config(
    domain: str | None,
    nameserver: str,
    *,
    hosts: tuple[str, ...] = (),
    selectors: tuple[str, ...] = ("google",),
    sends_email: bool = True,
    timeout: float = 2.0,
) -> Config:
    dns = DnsConfig(
        domain=domain,
        hosts=hosts,
        nameservers=(nameserver,),
        dkim_selectors=selectors,
        sends_email=sends_email,
        timeout=timeout,
    )
    return Config(checks=ChecksConfig(dns=dns))


def run_dns(
    config: Config, facts: dict[str, Any] | None = None
) -> tuple[CheckOutcome | None, CheckCannotRun | None]:
    """Run the dns check as the runner would; (outcome, None) or (None, cannot-run)."""
    redactor = Redactor(config.secret_values)
    ctx = CheckContext(
        config=config,
        target=Target(),
        http=http_context_from_config(config),
        progress=Progress(quiet=True, redactor=redactor),
        redactor=redactor,
        facts=dict(facts or {}),
    )
    try:
        return DnsCheck().run(ctx), None
    except CheckCannotRun as cannot:
        return None, cannot
