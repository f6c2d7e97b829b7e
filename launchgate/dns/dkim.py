"""DKIM public-key records (RFC 6376 §3.6.1, RFC 8463 for ed25519): parsing and key size.

The record at `<selector>._domainkey.<domain>` is `tag=value` pairs separated by `;`: `v=DKIM1`
(optional, first when present), `k` (rsa by default, or ed25519), `p` (the base64 public key;
empty means the key was revoked). RSA keys are published as SubjectPublicKeyInfo (the usual
form) or, by some tools, as a bare PKCS#1 RSAPublicKey: both are read.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class DkimError(ValueError):
    pass


@dataclass(frozen=True)
class DkimKey:
    key_type: str  # "rsa" or "ed25519"
    bits: int


def parse(text: str) -> DkimKey:
    """The key a DKIM record publishes; DkimError says why it is unusable."""
    tags: dict[str, str] = {}
    for index, part in enumerate(p.strip() for p in text.split(";")):
        if not part:
            continue
        name, eq, value = part.partition("=")
        name = name.strip().lower()
        if not eq or not re.match(r"^[a-z][a-z0-9_]*$", name):
            raise DkimError(f"'{part[:40]}' is not a tag=value pair")
        if name == "v" and (index != 0 or value.strip() != "DKIM1"):
            raise DkimError("v= must come first and be DKIM1")
        tags[name] = re.sub(r"\s+", "", value)
    if "p" not in tags:
        raise DkimError("the public key tag p= is missing")
    if not tags["p"]:
        raise DkimError("the key is revoked (empty p=)")
    key_type = tags.get("k", "rsa").lower()
    try:
        der = base64.b64decode(tags["p"], validate=True)
    except (binascii.Error, ValueError):
        raise DkimError("p= is not valid base64") from None
    if key_type == "ed25519":
        if len(der) != 32:
            raise DkimError("an ed25519 key must be 32 bytes")
        return DkimKey("ed25519", 256)
    if key_type != "rsa":
        raise DkimError(f"unknown key type k={key_type}")
    return DkimKey("rsa", _rsa_bits(der))


def _rsa_bits(der: bytes) -> int:
    for load in (serialization.load_der_public_key, _load_pkcs1):
        try:
            key = load(der)
        except (ValueError, TypeError):
            continue
        if isinstance(key, rsa.RSAPublicKey):
            return key.key_size
    raise DkimError("p= does not hold an RSA public key")


def _load_pkcs1(der: bytes) -> object:
    pem = (
        b"-----BEGIN RSA PUBLIC KEY-----\n"
        + base64.encodebytes(der)
        + b"-----END RSA PUBLIC KEY-----\n"
    )
    return serialization.load_pem_public_key(pem)
