"""The demo's HTTPS front: a local CA made at run time with cryptography, an HTTPS listener
serving the demo app as `app.demo.test`, and an HTTP listener that redirects to it. Both bind
127.0.0.1 on free ports; the gate reaches them through `connect_to`, trusting the CA through
`ca_bundle`, exactly as a user checks a host before DNS cutover.

Only the CA certificate is written to the demo output directory; keys stay in a temporary
directory that is removed when the front stops.
"""

from __future__ import annotations

import datetime as dt
import ssl
import tempfile
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from launchgate.demo.app import DemoHandler
from launchgate.demo.serving import LoopbackServer

APP_HOST = "app.demo.test"
CERT_DAYS = 90


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Launchgate Demo CA"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def make_certificates(ca_path: Path, key_dir: Path, host: str = APP_HOST) -> tuple[Path, Path]:
    """Write the CA certificate to `ca_path`, a leaf for `host` (non-critical SAN, so strict
    verifiers accept it too) and its key to `key_dir`; return (leaf chain, key) paths."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("Launchgate Demo Root"))
        .issuer_name(_name("Launchgate Demo Root"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name(host))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=CERT_DAYS))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    chain_path, key_path = key_dir / "leaf.pem", key_dir / "leaf.key"
    chain_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return chain_path, key_path


class _RedirectHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AcmeAdmin/1.0"

    def do_GET(self) -> None:
        self.send_response(301)
        self.send_header("Location", f"https://{APP_HOST}{self.path}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        pass


class DemoFront:
    """HTTPS app + HTTP redirect for `app.demo.test`, with the CA written to `ca_path`."""

    def __init__(self, ca_path: Path) -> None:
        self.ca_path = ca_path
        self._keys = tempfile.TemporaryDirectory(prefix="launchgate-demo-keys-")
        chain, key = make_certificates(ca_path, Path(self._keys.name))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain, key)
        self._https = LoopbackServer(DemoHandler, context)
        self._http = LoopbackServer(_RedirectHandler)

    @property
    def url(self) -> str:
        return f"https://{APP_HOST}/"

    def connect_to(self) -> dict[str, str]:
        return {
            f"{APP_HOST}:443": f"127.0.0.1:{self._https.server_address[1]}",
            f"{APP_HOST}:80": f"127.0.0.1:{self._http.server_address[1]}",
        }

    def __enter__(self) -> DemoFront:
        self._https.start()
        self._http.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in (self._https, self._http):
            server.stop()
        self._keys.cleanup()
