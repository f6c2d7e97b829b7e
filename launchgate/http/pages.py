"""URL, host and page helpers shared by the web surface checks (tls, redirects, headers,
exposure). The checks never import each other; what they have in common lives here.

Hosts, ports and origins are parsed by `launchgate.address`.

Bodies are read raw and decompressed here, bounded (`read_limited`): httpx would inflate each
network chunk whole, so a compression bomb could take hundreds of MB. Only gzip and deflate are
asked for and decoded; any other encoding is kept as received (bounded, undecoded). Every body
read also has a total deadline (`transport.RESPONSE_DEADLINE_S`) so a server that drips a byte every
few seconds cannot hold a check for minutes.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import typing
import urllib.parse
import zlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx

from launchgate.address import connect_key, host_of, origin, url_hostport
from launchgate.http import transport

# A page is read only this far: enough for any HTML document, bounded for a hostile server.
MAX_PAGE_BYTES = 2_000_000

LOCAL_PREVIEW_REASON = (
    "plain-http local preview: TLS and the https redirect are checked on https or public URLs"
)


def is_local_preview(http: transport.HttpContext, url: str | None) -> bool:
    """A plain-http `url` whose host is, or resolves only to, loopback/private addresses (a
    local or CI preview). A host mapped by `connect_to` is a real name checked before its DNS
    cutover, so it is never a local preview."""
    if not url:
        return False
    if urllib.parse.urlsplit(url).scheme.lower() != "http":
        return False
    try:
        hp = url_hostport(url)
    except ValueError:
        return False
    host, port = hp.host, hp.for_scheme("http")
    if not host or connect_key(host, port) in http.connect_to:
        return False
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}
    return bool(addresses) and not any(a.is_global for a in addresses)


def join_path(base: str, path: str) -> str:
    """`base` + a configured path; ValueError unless the result stays on the base's origin
    (config refuses `//host/...` already; this is the second lock)."""
    url = urllib.parse.urljoin(base, path)
    if origin(url) != origin(base):
        raise ValueError(f"path {path!r} leads away from {origin(base)}")
    return url


class BodyTimeout(httpx.ReadTimeout):
    """The body did not arrive within the total deadline."""


class Inflater:
    """gzip / deflate decoding with bounded output per call (zlib's max_length)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding.strip().lower()
        self._obj: typing.Any = None
        self._raw_fallback = False
        if self.encoding in ("gzip", "x-gzip"):
            self._obj = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif self.encoding == "deflate":
            self._obj = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_fallback = True  # some servers send raw deflate without the zlib header

    def feed(self, data: bytes, room: int) -> bytes:
        if room <= 0:  # max_length=0 would mean "unbounded"
            return b""
        if self._obj is None:
            return data[:room]
        try:
            out = self._obj.decompress(data, room)
        except zlib.error:
            if not self._raw_fallback:
                raise
            self._raw_fallback = False
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._obj.decompress(data, room)
        self._raw_fallback = False
        return bytes(out)


def read_limited(
    response: httpx.Response, limit: int = MAX_PAGE_BYTES, deadline_s: float | None = None
) -> bytes:
    """The body of a streamed response, decoded (gzip/deflate) and cut at `limit` bytes,
    within `deadline_s` seconds (default `transport.RESPONSE_DEADLINE_S`). Raises BodyTimeout
    after the deadline and httpx.DecodingError for a corrupt compressed body."""
    total = transport.RESPONSE_DEADLINE_S if deadline_s is None else deadline_s
    deadline = time.monotonic() + total
    inflater = Inflater(response.headers.get("content-encoding", ""))
    out = bytearray()
    for chunk in response.iter_raw():
        try:
            out += inflater.feed(chunk, limit - len(out))
        except zlib.error as exc:
            raise httpx.DecodingError(
                f"corrupt {inflater.encoding} body: {exc}", request=response.request
            ) from None
        if len(out) >= limit:
            break
        if time.monotonic() > deadline:
            raise BodyTimeout(
                f"the response body was not complete after {total:g} s", request=response.request
            )
    return bytes(out[:limit])


def decode(body: bytes, response: httpx.Response) -> str:
    return body.decode(response.encoding or "utf-8", errors="replace")


@dataclass(frozen=True)
class PageRef:
    """A reference from an HTML page to another resource."""

    tag: str  # script, link, img, iframe, audio, video, source, object, embed, form
    attr: str
    url: str  # absolute
    rel: str = ""


@dataclass(frozen=True)
class PageLinks:
    refs: tuple[PageRef, ...]
    inline_scripts: tuple[str, ...]


_REF_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "audio": ("src",),
    "video": ("src", "poster"),
    "source": ("src", "srcset"),
    "object": ("data",),
    "embed": ("src",),
    "form": ("action",),
    "track": ("src",),
}


class _RefParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.refs: list[PageRef] = []
        self.inline: list[str] = []
        self._in_script = False
        self._script: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "base" and values.get("href"):
            self.base = absolute_url(self.base, values["href"]) or self.base
        for attr in _REF_ATTRS.get(tag, ()):
            raw = values.get(attr, "").strip()
            if not raw:
                continue
            candidates = (
                [c.strip().split(" ")[0] for c in raw.split(",")] if attr == "srcset" else [raw]
            )
            for candidate in candidates:
                if candidate and not candidate.startswith(("data:", "javascript:", "#")):
                    url = absolute_url(self.base, candidate)
                    if url:  # one malformed reference is skipped, not the rest of the page
                        self.refs.append(PageRef(tag, attr, url, values.get("rel", "").lower()))
        if tag == "script" and not values.get("src"):
            self._in_script, self._script = True, []

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._script.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script:
            self._in_script = False
            text = "".join(self._script)
            if text.strip():
                self.inline.append(text)


def absolute_url(base: str, ref: str) -> str | None:
    """`ref` resolved against `base`, or None when it is not a valid URL (`http://[oops`)."""
    try:
        url = urllib.parse.urljoin(base, ref)
        urllib.parse.urlsplit(url).port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return None
    return url


def parse_page(html: str, base_url: str) -> PageLinks:
    parser = _RefParser(base_url)
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        pass
    return PageLinks(tuple(dict.fromkeys(parser.refs)), tuple(parser.inline))


def same_site(url: str, hosts: Iterable[str]) -> bool:
    """True when `url` is on one of `hosts` (or a subdomain of one), over http(s)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        return False
    host = host_of(url)
    return any(host == h or host.endswith("." + h) for h in hosts if h)


def is_text_type(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind in (
        "application/javascript",
        "application/json",
        "application/xml",
        "image/svg+xml",
        "application/manifest+json",
        "application/x-javascript",
    )


@dataclass(frozen=True)
class Page:
    """A page fetched by following same-host redirects by hand."""

    url: str  # the final URL
    response: httpx.Response
    body: bytes
    history: tuple[httpx.Response, ...]  # the redirect responses before it
    not_followed: str = ""  # why the final response, a redirect, was not followed

    @property
    def text(self) -> str:
        return decode(self.body, self.response)

    def responses(self) -> tuple[httpx.Response, ...]:
        return (*self.history, self.response)


MAX_HOPS = 10


def fetch_page(
    client: httpx.Client,
    url: str,
    *,
    max_hops: int = MAX_HOPS,
    limit: int = MAX_PAGE_BYTES,
    headers: Mapping[str, str] | None = None,
    method: str = "GET",
    hosts: Collection[str] | None = None,
) -> Page:
    """`method` `url`, following redirects only while they stay on `hosts` (default: the
    url's own host); a redirect to an SSO provider or another site, a malformed Location or
    the hop limit is where the page ends (the redirect response is the final answer, and
    `not_followed` says why). httpx errors propagate; the body is bounded (`read_limited`)."""
    history: list[httpx.Response] = []
    allowed = {h.lower() for h in hosts} if hosts else {host_of(url)}
    while True:
        with client.stream(method, url, headers=headers) as response:
            body = read_limited(response, limit)
        location = response.headers.get("location")
        if not response.is_redirect or not location:
            return Page(url, response, body, tuple(history))
        target, why = _redirect_target(url, location, allowed)
        if target is None or len(history) >= max_hops:
            why = why or f"the hop limit ({max_hops}) was reached"
            return Page(url, response, body, tuple(history), why)
        history.append(response)
        if response.status_code == 303 or (
            response.status_code in (301, 302) and method not in ("GET", "HEAD")
        ):
            method = "GET"  # what browsers do
        url = target


def _redirect_target(url: str, location: str, allowed: Collection[str]) -> tuple[str | None, str]:
    """The absolute URL a redirect leads to, or None and why it is not followed."""
    try:
        target = urllib.parse.urljoin(url, location)
        httpx.URL(target)
        urllib.parse.urlsplit(target).port  # noqa: B018 - raises ValueError for a bad port
    except (ValueError, httpx.InvalidURL):
        return None, f"its Location header is not a valid URL ({location[:100]!r})"
    if urllib.parse.urlsplit(target).scheme not in ("http", "https"):
        return None, f"it leads to a non-web URL ({target[:100]})"
    if host_of(target) not in allowed:
        return None, (
            f"it leads to another host ({origin(target)}); launchgate sends "
            "requests only to the configured host(s)"
        )
    if (
        urllib.parse.urlsplit(url).scheme.lower() == "https"
        and urllib.parse.urlsplit(target).scheme.lower() == "http"
    ):
        # The configured headers (a bypass token, an Authorization header) ride on every
        # request: following https -> http would send them across the network in clear.
        return None, (
            f"it leads from https to plain http ({origin(target)}); launchgate "
            "sends the configured headers only over https"
        )
    return target, ""
