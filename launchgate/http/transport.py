"""The one HTTP context every web check shares.

It carries the configured headers (sent on every request, never printed), the CA bundle, the
`connect_to` map (like `curl --connect-to`: connect to IP:port, keep the real name for SNI,
certificate verification and the Host header) and the private-target guard: unless
`allow_private_targets` is set, the gate refuses to connect to any address that is not globally
routable (loopback, private, link-local, cloud metadata, ...). The guard runs on the address the
socket actually connects to, for every hop, so a redirect or a DNS answer cannot lead the gate
somewhere it was not allowed to go.

Every request also has a total deadline (`RESPONSE_DEADLINE_S`, from sending the request to the
last byte read): the per-read timeout alone lets a server that drips a byte every few seconds
hold a check for minutes. Only `gzip, deflate` are accepted: bodies are decoded with a bound in
`pages.read_limited` (brotli is not asked for). Cookies are kept as the bytes the server sent
(`cookies.CookieStore`): a non-ASCII or non-UTF-8 cookie is sent back, never a crash.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import time
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import httpcore
import httpx

from launchgate import __version__
from launchgate.address import connect_key, parse_hostport
from launchgate.http.cookies import CookieStore

USER_AGENT = f"launchgate/{__version__} (+launch-readiness gate)"
DEFAULT_TIMEOUT_S = 10.0
# Total time for one response (headers and body), whatever the server's pace.
RESPONSE_DEADLINE_S = 15.0
ACCEPT_ENCODING = "gzip, deflate"


class PrivateTargetError(httpcore.ConnectError):
    """The gate refused to connect to a non-public address it was not allowed to reach."""


@dataclass(frozen=True)
class Endpoint:
    """Where a (host, port) really connects: after connect_to, resolved and checked."""

    host: str
    port: int
    address: str
    via_connect_to: bool


def describe_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    if ip.is_loopback:
        return "a loopback address"
    if str(ip) in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200"):
        return "a cloud metadata address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_private:
        return "a private address"
    return "not a public address"


@dataclass(frozen=True)
class HttpContext:
    headers: Mapping[str, str] = field(default_factory=dict)
    ca_bundle: str | None = None
    connect_to: Mapping[str, str] = field(default_factory=dict)
    allow_private_targets: bool = False
    timeout_s: float = DEFAULT_TIMEOUT_S

    # --- addresses -----------------------------------------------------------------------
    def resolve(self, host: str, port: int) -> list[Endpoint]:
        """Every address (host, port) may connect to, each checked by the guard.

        Raises PrivateTargetError when an address is refused, httpcore.ConnectError when the
        name does not resolve."""
        target_host, target_port, mapped = host, port, False
        mapped_to = self.connect_to.get(connect_key(host, port))
        if mapped_to:
            target = parse_hostport(mapped_to)
            target_host, target_port = target.host, target.port or port
            mapped = True
        try:
            infos = socket.getaddrinfo(target_host, target_port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve {target_host}: {exc.strerror}") from None
        endpoints: list[Endpoint] = []
        for _family, _type, _proto, _name, sockaddr in infos:
            address = str(sockaddr[0])
            self.guard(address, host)
            endpoints.append(Endpoint(host, port, address, mapped))
        return list(dict.fromkeys(endpoints))

    def target_port(self, host: str, port: int) -> int:
        """The port a connection to (host, port) really goes to, after connect_to."""
        mapped_to = self.connect_to.get(connect_key(host, port))
        return (parse_hostport(mapped_to).port or port) if mapped_to else port

    def guard(self, address: str, host: str) -> None:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        mapped = getattr(ip, "ipv4_mapped", None)
        if mapped is not None:
            ip = mapped
        if ip.is_global or self.allow_private_targets:
            return
        raise PrivateTargetError(
            f"refused to connect to {host} at {address}: {describe_address(ip)}; "
            "set allow_private_targets: true (or --allow-private-targets) to allow it"
        )

    # --- TLS -----------------------------------------------------------------------------
    def ssl_context(self) -> ssl.SSLContext:
        """System roots plus the configured CA bundle, hostname checking on."""
        context = ssl.create_default_context()
        if self.ca_bundle:
            context.load_verify_locations(cafile=self.ca_bundle)
        return context

    # --- HTTP ----------------------------------------------------------------------------
    def client(
        self,
        *,
        follow_redirects: bool = False,
        send_headers: bool = True,
        max_redirects: int = 10,
        timeout_s: float | None = None,
        verify: bool = True,
    ) -> httpx.Client:
        """`verify=False` is for probes that ask "can the public reach this?" (a staging
        host with a broken certificate is still reachable); never for reading facts."""
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING}
        if send_headers:
            headers.update(self.headers)
        transport = GuardedTransport(
            self, self.ssl_context() if verify else _unverified_ssl_context()
        )
        return httpx.Client(
            transport=transport,
            headers=headers,
            trust_env=False,
            follow_redirects=follow_redirects,
            max_redirects=max_redirects,
            timeout=httpx.Timeout(timeout_s or self.timeout_s),
            **CookieStore().install(),
        )


def _unverified_ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, with connect_to and the private-target guard in front."""

    def __init__(self, context: HttpContext) -> None:
        self._context = context
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        endpoints = self._context.resolve(host, port)
        target_port = self._context.target_port(host, port)
        last_error: Exception | None = None
        for endpoint in endpoints:
            try:
                return _DeadlineStream(
                    self._inner.connect_tcp(
                        endpoint.address, target_port, timeout, local_address, socket_options
                    )
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:  # pragma: no cover - never used
        raise httpcore.ConnectError("unix sockets are not supported")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def _deadline_message() -> str:
    return f"the response was not complete after {RESPONSE_DEADLINE_S:g} s"


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose reads share one deadline per request: it starts when the request
    is written and ends RESPONSE_DEADLINE_S later, whatever the pace of the bytes."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner
        self._deadline: float | None = None

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        capped = False
        if self._deadline is not None:
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise httpcore.ReadTimeout(_deadline_message())
            capped = timeout is None or left < timeout
            timeout = left if capped else timeout
        try:
            return self._inner.read(max_bytes, timeout)
        except httpcore.ReadTimeout:
            if capped:
                raise httpcore.ReadTimeout(_deadline_message()) from None
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._deadline = time.monotonic() + RESPONSE_DEADLINE_S
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class GuardedTransport(httpx.HTTPTransport):
    def __init__(self, context: HttpContext, ssl_context: ssl.SSLContext) -> None:
        super().__init__(verify=ssl_context)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=20,
            max_keepalive_connections=10,
            keepalive_expiry=5.0,
            retries=1,
            network_backend=GuardedBackend(context),
        )


def http_context_from_config(config: typing.Any) -> HttpContext:
    return HttpContext(
        headers=dict(config.headers),
        ca_bundle=config.ca_bundle,
        connect_to=dict(config.connect_to),
        allow_private_targets=config.allow_private_targets,
    )


def _chain(exc: BaseException) -> typing.Iterator[BaseException]:
    """The error and what caused it, down the chain (httpx wraps httpcore wraps ssl)."""
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def is_refused(exc: BaseException) -> bool:
    """True when an httpx error was the private-target guard refusing, not the network."""
    return any(isinstance(e, PrivateTargetError) for e in _chain(exc))


def is_certificate_failure(exc: BaseException) -> bool:
    """True when the server's certificate did not verify (expired, untrusted, wrong host)."""
    return any(
        isinstance(e, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(e)
        for e in _chain(exc)
    )


def is_tls_failure(exc: BaseException) -> bool:
    """True when a request failed on the certificate or the TLS handshake, not the network:
    the server answered, so "does not answer" would mislead."""
    return is_certificate_failure(exc) or any(isinstance(e, ssl.SSLError) for e in _chain(exc))


# httpcore's h11 limit on a response's status line and headers.
MAX_HEADER_BYTES = 100 * 1024
# What a plain-http request to a TLS port (or the reverse) ends in, as the client sees it.
_PLAIN_TO_TLS = (
    "disconnected without sending a response",
    "connection reset by peer",
    "illegal status line",
)
_TLS_TO_PLAIN = (
    "wrong_version_number",
    "record layer failure",
    "packet length too long",
    "unknown protocol",
    "http_request",
)


def describe_http_error(exc: BaseException) -> str:
    """One line saying why a request failed, without a traceback, and what to do when the
    cause is a common mistake (http:// to a TLS port, https:// to a plain port)."""
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out while connecting"
    if isinstance(exc, httpx.ReadTimeout):
        return "timed out waiting for the response" + (
            f" ({exc})" if "not complete after" in str(exc) else ""
        )
    if isinstance(exc, httpx.TooManyRedirects):
        return "too many redirects"
    message = str(exc) or type(exc).__name__
    if "CERTIFICATE_VERIFY_FAILED" in message:
        reason = message.split("certificate verify failed:")[-1]
        reason = re.sub(r"\s*\(_ssl\.c:\d+\)?\s*$", "", reason).strip(" ()")
        return f"TLS certificate verification failed: {reason}"
    if "Receive buffer too long" in message:
        return (
            f"the response headers are larger than {MAX_HEADER_BYTES // 1024} KB, more "
            "than launchgate reads: check what the app sends in its headers (cookies, "
            "CSP) or what a proxy in front of it adds"
        )
    line = message.splitlines()[0][:300]
    scheme = _request_scheme(exc)
    lowered = message.lower()
    if scheme == "http" and any(m in lowered for m in _PLAIN_TO_TLS):
        return f"{line} (if this port serves TLS, the URL should start with https://)"
    if scheme == "https" and any(m in lowered for m in _TLS_TO_PLAIN):
        return (
            f"{line} (the port does not speak TLS: if it serves plain http, the URL "
            "should start with http://, or the port is wrong)"
        )
    return line


def _request_scheme(exc: BaseException) -> str | None:
    try:
        request = exc.request if isinstance(exc, httpx.RequestError) else None
    except RuntimeError:  # an httpx error raised without its request
        return None
    return request.url.scheme if request is not None else None
