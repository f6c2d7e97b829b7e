"""URL, host and page helpers shared by the web surface checks (tls, redirects, headers,
exposure). The checks never import each other; what they have in common lives here.

Hosts in the config may carry a port (`example.com:8443`); an origin is `scheme://host[:port]`
with the default port left out, lower-cased, so two spellings of one origin compare equal.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

import httpx

from launchgate.config import Config

DEFAULT_PORTS = {"http": 80, "https": 443}
# A page is read only this far: enough for any HTML document, bounded for a hostile server.
MAX_PAGE_BYTES = 2_000_000


@dataclass(frozen=True)
class HostPort:
    host: str
    port: int | None  # None: the scheme's default port

    def for_scheme(self, scheme: str) -> int:
        return self.port or DEFAULT_PORTS[scheme]

    def netloc(self, scheme: str) -> str:
        port = self.for_scheme(scheme)
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if port == DEFAULT_PORTS[scheme] else f"{host}:{port}"


def split_host(value: str) -> HostPort:
    """`example.com`, `example.com:8443` or `[::1]:8443` -> HostPort."""
    value = value.strip().lower().rstrip(".")
    if value.startswith("["):
        host, _, rest = value[1:].partition("]")
        return HostPort(host, int(rest[1:]) if rest.startswith(":") else None)
    if value.count(":") == 1:
        host, _, port = value.partition(":")
        if port.isdigit():
            return HostPort(host.rstrip("."), int(port))
    return HostPort(value, None)


def origin(url: str) -> str:
    """`HTTPS://Example.com:443/x` -> `https://example.com`."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{parts.port}"
    return f"{scheme}://{netloc}"


def url_hostport(url: str) -> HostPort:
    parts = urllib.parse.urlsplit(url)
    return HostPort((parts.hostname or "").rstrip("."), parts.port)


def host_of(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").rstrip(".")


def canonical_url(config: Config) -> str | None:
    """The one URL visitors should end on: `checks.redirects.canonical`, else `url`."""
    return config.checks.redirects.canonical or config.url


def join(base: str, path: str) -> str:
    return urllib.parse.urljoin(base, path)


def read_limited(response: httpx.Response, limit: int = MAX_PAGE_BYTES) -> bytes:
    """The body of a streamed response, cut at `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]


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
    "script": ("src",), "link": ("href",), "img": ("src", "srcset"), "iframe": ("src",),
    "audio": ("src",), "video": ("src", "poster"), "source": ("src", "srcset"),
    "object": ("data",), "embed": ("src",), "form": ("action",), "track": ("src",),
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
            self.base = urllib.parse.urljoin(self.base, values["href"])
        for attr in _REF_ATTRS.get(tag, ()):
            raw = values.get(attr, "").strip()
            if not raw:
                continue
            candidates = [c.strip().split(" ")[0] for c in raw.split(",")] \
                if attr == "srcset" else [raw]
            for candidate in candidates:
                if candidate and not candidate.startswith(("data:", "javascript:", "#")):
                    self.refs.append(PageRef(tag, attr, urllib.parse.urljoin(self.base, candidate),
                                             values.get("rel", "").lower()))
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
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").rstrip(".")
    return any(host == h or host.endswith("." + h) for h in hosts if h)


def is_text_type(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith("text/") or kind in (
        "application/javascript", "application/json", "application/xml", "image/svg+xml",
        "application/manifest+json", "application/x-javascript")


@dataclass(frozen=True)
class Page:
    """A page fetched by following same-host redirects by hand."""

    url: str  # the final URL
    response: httpx.Response
    body: bytes
    history: tuple[httpx.Response, ...]  # the redirect responses before it

    @property
    def text(self) -> str:
        return decode(self.body, self.response)

    def responses(self) -> tuple[httpx.Response, ...]:
        return (*self.history, self.response)


def fetch_page(client: httpx.Client, url: str, *, max_hops: int = 10,
               limit: int = MAX_PAGE_BYTES, headers: Mapping[str, str] | None = None) -> Page:
    """GET `url`, following redirects only while they stay on the same host (a redirect to
    an SSO provider or another site is where the page ends). httpx errors propagate."""
    history: list[httpx.Response] = []
    host = host_of(url)
    while True:
        with client.stream("GET", url, headers=headers) as response:
            body = read_limited(response, limit)
        location = response.headers.get("location")
        if not response.is_redirect or not location or len(history) >= max_hops:
            return Page(url, response, body, tuple(history))
        target = urllib.parse.urljoin(url, location)
        if host_of(target) != host or urllib.parse.urlsplit(target).scheme not in (
                "http", "https"):
            return Page(url, response, body, tuple(history))
        history.append(response)
        url = target
