"""The web lab: local HTTPS/HTTP servers on 127.0.0.1 with a trustme CA and one SNI certificate
per name under `lab.test`, reached through `connect_to` (no DNS, no traffic off loopback).

Every site is the same small admin app (`Site.respond`) with one thing changed: a bad
certificate, a redirect loop, a missing header, an open API... `Lab.config(url, ...)` builds a
real `Config` that maps every lab name to the lab's ports and trusts the lab CA.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import random
import secrets
import socket
import ssl
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from launchgate.config import Config, load_config
from launchgate.demo.serving import LoopbackServer
from launchgate.report import Report, Target
from launchgate.runner import run_gate
from tests.support.secrets_fixture import supabase_jwt

DOMAIN = "lab.test"
WEB_CHECKS = ("tls", "redirects", "headers", "exposure")

Response = tuple[int, dict[str, str], bytes]


def name(label: str) -> str:
    return f"{label}.{DOMAIN}" if label else DOMAIN


def _secret_like() -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(24))


# Made at run time so no key-shaped literal sits in the repository.
BUNDLE_KEY = "sk_" + "live_" + _secret_like()
MAP_KEY = "AKIA" + "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
SUPABASE_ANON = supabase_jwt(random.Random(secrets.randbits(32)), "anon")
SUPABASE_SERVICE_ROLE = supabase_jwt(random.Random(secrets.randbits(32)), "service_role")
SESSION_VALUE = "s3ss-" + secrets.token_hex(16)
BYPASS_VALUE = "bypass-" + secrets.token_hex(16)

HEALTHY_HSTS = "max-age=63072000; includeSubDomains; preload"
HEALTHY_COOKIE = "session={v}; Path=/; Secure; HttpOnly; SameSite=Lax"
APP_JS = "function hello(){return document.title}\n//# sourceMappingURL=app.js.map\n"
APP_MAP = json.dumps(
    {
        "version": 3,
        "file": "app.js",
        "sources": ["src/app.ts"],
        "sourcesContent": ["export function hello(): string {\n  return document.title\n}\n"],
        "names": [],
        "mappings": "AAAA",
    }
)


@dataclass(frozen=True)
class Site:
    """One name in the lab and how it behaves. Defaults: the healthy site."""

    cert: str = "good"  # good expired notyet wronghost untrusted selfsigned exp3 exp20
    hsts: str | None = HEALTHY_HSTS
    cookie: str | None = HEALTHY_COOKIE
    page_extra: str = ""
    http_serves: bool = False  # the http listener serves the app instead of redirecting
    redirect_to: str | None = None  # every https request redirects to this origin
    redirects: Mapping[str, str] = field(default_factory=dict)  # path -> Location
    routes: Mapping[str, Response] = field(default_factory=dict)
    cors: str = "none"  # none wildcard reflect
    admin_open: bool = False
    compress: bool = True

    def respond(self, host: str, path: str, headers: Mapping[str, str], https: bool) -> Response:
        if not https and not self.http_serves:
            return 301, {"Location": f"https://{host}{path}"}, b""
        if self.redirect_to:
            return 301, {"Location": self.redirect_to + path}, b""
        bare = path.split("?", 1)[0]
        if bare in self.redirects:
            return 302, {"Location": self.redirects[bare]}, b""
        if bare in self.routes:
            status, extra, body = self.routes[bare]
            return status, dict(extra), body
        return self._app(host, bare, headers)

    def _app(self, host: str, path: str, headers: Mapping[str, str]) -> Response:
        if path == "/":
            return 200, self._page_headers(), self._page(host).encode()
        if path == "/login":
            return 200, self._page_headers(), b"<form><input type=password></form>"
        if path == "/static/app.js":
            return (
                200,
                {
                    "Content-Type": "application/javascript",
                    "Cache-Control": "public, max-age=31536000, immutable",
                },
                APP_JS.encode(),
            )
        if path == "/static/app.js.map":
            return (
                200,
                {"Content-Type": "application/json", "Cache-Control": "public, max-age=31536000"},
                APP_MAP.encode(),
            )
        if path == "/api/admin/users":
            if self.admin_open or headers.get("authorization") == "Bearer admin":
                return (
                    200,
                    {"Content-Type": "application/json"},
                    b'[{"email": "owner@acme.test", "role": "owner"}]',
                )
            return (
                401,
                {"Content-Type": "application/json", "WWW-Authenticate": "Bearer"},
                b'{"error": "login required"}',
            )
        if path.startswith("/api/clients"):
            return (
                200,
                {"Content-Type": "application/json", **self._cors(headers)},
                b'[{"id": 1, "name": "Client 1"}]',
            )
        return 404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"

    def _cors(self, headers: Mapping[str, str]) -> dict[str, str]:
        origin = headers.get("origin")
        if self.cors == "wildcard":
            return {"Access-Control-Allow-Origin": "*"}
        if self.cors == "reflect" and origin:
            return {
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Credentials": "true",
                "Vary": "Origin",
            }
        return {}

    def _page_headers(self) -> dict[str, str]:
        out = {
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Cache-Control": "no-cache",
        }
        if self.hsts:
            out["Strict-Transport-Security"] = self.hsts
        if self.cookie:
            out["Set-Cookie"] = self.cookie.format(v=SESSION_VALUE)
        return out

    def _page(self, host: str) -> str:
        # Long enough that an uncompressed page is worth a finding.
        filler = "".join(f"<tr><td>Client {i}</td><td>active</td></tr>" for i in range(60))
        return (
            f"<!doctype html><html><head><title>Acme Admin</title>"
            f'<script src="/static/app.js"></script></head><body><h1>Acme Admin</h1>'
            f"<table>{filler}</table>{self.page_extra}</body></html>"
        )


def _bundle_site() -> Site:
    js = f'const config = {{stripeKey: "{BUNDLE_KEY}"}};\n//# sourceMappingURL=main.js.map\n'
    source = f'// src/aws.ts\nexport const awsKeyId = "{MAP_KEY}"\n'
    source_map = json.dumps(
        {"version": 3, "sources": ["src/aws.ts"], "sourcesContent": [source], "mappings": "AAAA"}
    )
    cached = {"Cache-Control": "public, max-age=31536000"}
    return Site(
        page_extra='<script src="/static/main.js"></script>',
        routes={
            "/static/main.js": (
                200,
                {"Content-Type": "application/javascript", **cached},
                js.encode(),
            ),
            "/static/main.js.map": (
                200,
                {"Content-Type": "application/json", **cached},
                source_map.encode(),
            ),
        },
    )


def _supabase_site() -> Site:
    """A bundle that holds Supabase's publishable anon key (fine) and its service_role key."""
    js = (
        f'var client={{url:u,supabaseKey:"{SUPABASE_ANON}"}};\n'
        f'var admin={{url:u,supabaseKey:"{SUPABASE_SERVICE_ROLE}"}};\n'
    )
    return Site(
        page_extra='<script src="/assets/index-4f9a1c2e.js"></script>',
        routes={
            "/assets/index-4f9a1c2e.js": (
                200,
                {
                    "Content-Type": "application/javascript",
                    "Cache-Control": "public, max-age=31536000",
                },
                js.encode(),
            )
        },
    )


def default_sites() -> dict[str, Site]:
    healthy = Site()
    return {
        name("healthy"): healthy,
        name("www.healthy"): Site(redirect_to=f"https://{name('healthy')}"),
        name("expired"): Site(cert="expired"),
        name("notyet"): Site(cert="notyet"),
        name("wronghost"): Site(cert="wronghost"),
        name("untrusted"): Site(cert="untrusted"),
        name("selfsigned"): Site(cert="selfsigned"),
        name("exp3"): Site(cert="exp3"),
        name("exp20"): Site(cert="exp20"),
        name("tls10"): Site(),
        name("plainhttp"): Site(http_serves=True),
        name("loop"): Site(redirects={"/": "/a", "/a": "/b", "/b": "/a"}),
        name("chain"): Site(
            redirects={"/": "/1", "/1": "/2", "/2": "/3", "/3": "/4", "/4": "/5"},
            routes={"/5": (200, {"Content-Type": "text/html"}, b"<h1>finally</h1>")},
        ),
        name("dead"): Site(redirects={"/": "/moved"}),
        name("apex"): Site(),
        name("www.apex"): Site(),
        name("nohsts"): Site(hsts=None),
        name("shorthsts"): Site(hsts="max-age=86400"),
        name("cookie"): Site(cookie="sessionid={v}; Path=/; HttpOnly"),
        name("openapi"): Site(admin_open=True),
        name("staging"): Site(),
        name("stagingok"): Site(routes={"/": (401, {"WWW-Authenticate": "Basic"}, b"")}),
        name("cors"): Site(cors="wildcard"),
        name("corsreflect"): Site(cors="reflect"),
        name("mixed"): Site(
            page_extra='<script src="http://cdn.lab.test/lib.js"></script>'
            '<img src="http://cdn.lab.test/logo.png">'
        ),
        name("bundle"): _bundle_site(),
        name("supabase"): _supabase_site(),
        name("downgrade"): Site(
            redirects={"/": f"http://{name('downgrade')}/old"},
            routes={"/old": (200, {"Content-Type": "text/html"}, b"<h1>old</h1>")},
        ),
        name("nopreload"): Site(hsts="max-age=31536000"),
        name("uncached"): Site(
            page_extra='<script src="/static/plain.js"></script>',
            routes={
                "/static/plain.js": (
                    200,
                    {"Content-Type": "application/javascript"},
                    b"console.log(1)",
                )
            },
        ),
        name("closed"): Site(),
        name("loginwall"): Site(redirects={"/dashboard": "/login?next=/dashboard"}),
        name("bare"): Site(
            hsts=None,
            cookie=None,
            compress=False,
            routes={"/": (200, {"Content-Type": "text/html"}, b"<h1>hi</h1>" * 200)},
        ),
        # configured headers must stay on the configured host
        name("app"): Site(
            redirects={
                "/go": f"https://{name('elsewhere')}/landing",
                "/in": "/login",
                "/bad": "http://[bad/",
            }
        ),
        name("elsewhere"): Site(),
        name("sub"): Site(
            page_extra=f'<script src="https://{name("static.sub")}/main.js"></script>'
        ),
        name("static.sub"): Site(
            routes={
                "/main.js": (
                    200,
                    {"Content-Type": "application/javascript", "Cache-Control": "max-age=60"},
                    b"var a = 1;",
                )
            }
        ),
        name("build"): build_site("1111aaaa"),
        name("csrf"): Site(cookie="XSRF-TOKEN={v}; Path=/; Secure; SameSite=Lax"),
        name("hsts0"): Site(hsts="max-age=0"),
        name("plain"): Site(http_serves=True),
        # malformed URLs in a Location header and in a page
        name("badloc"): Site(redirects={"/": "http://[bad/"}),
        name("badref"): Site(
            page_extra='<img src="http://[oops"><script src="http://cdn.lab.test/late.js"></script>'
        ),
    }


def build_site(build: str) -> Site:
    """A page whose hashed asset names change with every build."""
    return Site(
        page_extra=(
            f'<script src="/static/app.{build}.js"></script>'
            f'<script src="http://cdn.lab.test/lib.{build}.js"></script>'
            f'<img src="http://cdn.lab.test/logo.{build}.png">'
        ),
        routes={
            f"/static/app.{build}.js": (200, {"Content-Type": "text/javascript"}, b"console.log(1)")
        },
    )


# --- certificates -----------------------------------------------------------------------------


def _self_signed(host: str, directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=300))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{host}.crt", directory / f"{host}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _server_context(cert: Path, key: Path, legacy: bool = False) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if legacy:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
    return context


class _CertStore:
    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.ca = trustme.CA(organization_name="Launchgate Lab CA")
        self.rogue = trustme.CA(organization_name="Rogue CA")
        self.ca_path = directory / "lab-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))

    def files(self, host: str, kind: str) -> tuple[Path, Path]:
        if kind == "selfsigned":
            return _self_signed(host, self.dir)
        now = dt.datetime.now(dt.UTC)
        ca, names, span = (
            self.ca,
            [host],
            (now - dt.timedelta(days=30), now + dt.timedelta(days=200)),
        )
        if kind == "expired":
            span = (now - dt.timedelta(days=90), now - dt.timedelta(days=2))
        elif kind == "notyet":
            span = (now + dt.timedelta(days=10), now + dt.timedelta(days=100))
        elif kind == "exp3":
            span = (now - dt.timedelta(days=80), now + dt.timedelta(days=3, hours=12))
        elif kind == "exp20":
            span = (now - dt.timedelta(days=70), now + dt.timedelta(days=20, hours=12))
        elif kind == "wronghost":
            names = [name("elsewhere")]
        elif kind == "untrusted":
            ca = self.rogue
        leaf = ca.issue_cert(*names, not_before=span[0], not_after=span[1])
        cert_path, key_path = self.dir / f"{host}.crt", self.dir / f"{host}.key"
        cert_path.write_bytes(b"".join(b.bytes() for b in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(key_path))
        return cert_path, key_path


# --- servers ----------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LabServer/1.0"
    server: _LabServer

    def _serve(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        site = self.server.sites.get(host)
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.requests.append((self.command, host, self.path, headers))
        if site is None:
            status, out, body = 421, {"Content-Type": "text/plain"}, b"unknown host"
        else:
            status, out, body = site.respond(host, self.path, headers, self.server.https)
            if (
                site.compress
                and body
                and len(body) > 512
                and "gzip" in headers.get("accept-encoding", "")
                and out.get("Content-Type", "").startswith(("text/", "application/"))
            ):
                body = gzip.compress(body)
                out["Content-Encoding"] = "gzip"
        self.send_response(status)
        for key, value in out.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_OPTIONS = do_POST = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _LabServer(LoopbackServer):
    def __init__(self, sites: dict[str, Site], context: ssl.SSLContext | None) -> None:
        super().__init__(_Handler, context, handshake_timeout_s=5, poll_interval_s=0.05)
        self.sites = sites
        self.https = context is not None
        self.requests: list[tuple[str, str, str, dict[str, str]]] = []


@dataclass
class Lab:
    sites: dict[str, Site]
    ca_path: Path
    https: _LabServer
    http: _LabServer
    legacy: _LabServer

    closed_port: int = 0

    def connect_to(self) -> dict[str, str]:
        """Every lab name -> the lab's ports; `closed.lab.test` -> a port nobody listens on."""
        mapping: dict[str, str] = {}
        for host in self.sites:
            https = self.legacy if host == name("tls10") else self.https
            mapping[f"{host}:443"] = f"127.0.0.1:{https.port}"
            mapping[f"{host}:80"] = f"127.0.0.1:{self.http.port}"
        for port in (443, 80):
            mapping[f"{name('closed')}:{port}"] = f"127.0.0.1:{self.closed_port}"
        return mapping

    def config(
        self,
        url: str | None,
        global_headers: Mapping[str, str] | None = None,
        **checks: Mapping[str, Any],
    ) -> Config:
        overrides: dict[str, Any] = {
            "ca_bundle": str(self.ca_path),
            "connect_to": self.connect_to(),
            "allow_private_targets": True,
        }
        if url:
            overrides["url"] = url
        if global_headers:
            overrides["headers"] = dict(global_headers)
        for check, section in checks.items():
            for key, value in section.items():
                overrides[f"checks.{check}.{key}"] = value
        return load_config(None, overrides=overrides, env={})

    def write_config(self, path: Path, url: str, **checks: Mapping[str, Any]) -> Path:
        import yaml

        data: dict[str, Any] = {
            "url": url,
            "ca_bundle": str(self.ca_path),
            "connect_to": self.connect_to(),
            "allow_private_targets": True,
        }
        if checks:
            data["checks"] = {k: dict(v) for k, v in checks.items()}
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        return path


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def outputs(report: Report) -> str:
    """Every rendering of a report, concatenated: JSON, markdown, SARIF and terminal text."""
    from launchgate.render.markdown import render_markdown
    from launchgate.render.sarif import render_sarif
    from launchgate.render.text import render_text

    data = report.to_json()
    return "\n".join(
        [report.dumps(), render_markdown(data), json.dumps(render_sarif(data)), render_text(data)]
    )


def check_context(config: Config) -> Any:
    """A CheckContext like the runner's, to call a check directly and read its facts."""
    from launchgate.checks.base import CheckContext
    from launchgate.http.transport import http_context_from_config
    from launchgate.progress import Progress
    from launchgate.redact import Redactor

    redactor = Redactor(config.secret_values)
    return CheckContext(
        config=config,
        target=Target(url=config.url),
        http=http_context_from_config(config),
        progress=Progress(quiet=True, redactor=redactor),
        redactor=redactor,
    )


def run(config: Config, *only: str) -> Report:
    return run_gate(config, Target(url=config.url), only=only or WEB_CHECKS)


def findings(report: Report, check: str | None = None) -> dict[str, str]:
    """finding id -> severity (the most severe one when an id repeats)."""
    out: dict[str, str] = {}
    for finding in report.to_json()["findings"]:
        if check is None or finding["check"] == check:
            out.setdefault(finding["id"], finding["severity"])
    return out


@contextmanager
def start_lab(sites: dict[str, Site] | None = None) -> Iterator[Lab]:
    sites = dict(sites or default_sites())
    with tempfile.TemporaryDirectory(prefix="launchgate-lab-") as tmp:
        store = _CertStore(Path(tmp))
        contexts = {
            host: _server_context(*store.files(host, site.cert))
            for host, site in sites.items()
            if host != name("tls10")
        }

        def pick(sock: ssl.SSLSocket, server_name: str | None, _: ssl.SSLContext) -> None:
            context = contexts.get((server_name or "").lower())
            if context is not None:
                sock.context = context

        base = _server_context(*store.files(name("default"), "good"))
        base.sni_callback = pick
        legacy = _server_context(*store.files(name("tls10"), "good"), legacy=True)
        servers = [_LabServer(sites, base), _LabServer(sites, None), _LabServer(sites, legacy)]
        for server in servers:
            server.start()
        try:
            yield Lab(sites, store.ca_path, *servers, closed_port=_closed_port())
        finally:
            for server in servers:
                server.stop()
