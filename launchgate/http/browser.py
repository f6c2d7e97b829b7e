"""A small browser for one identity: its own cookie jar and credential headers, redirects
followed by hand and only on the app's own host(s), Referer/Origin like a browser, bounded
bodies. Login (`http.login`), smoke flows and the access check all talk through it.

Cookies are kept here, not in the httpx client: the client's jars (httpx's and the gate's
`CookieStore`) are emptied after every answer, so one identity's session can never ride along
on another identity's (or an anonymous) request made with the same client. Like
`http.cookies`, values are kept as the server's bytes (Latin-1 text, one character per byte)
and sent back unchanged, so a non-ASCII cookie never breaks a request. Nothing is ever sent
to a host outside `hosts`: a redirect there ends the request (`Exchange.not_followed` says
where it pointed).
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from launchgate.address import bracketed, host_of, origin
from launchgate.config.schema import WRITE_METHODS
from launchgate.http.cookies import RAW_CODEC, CookieStore
from launchgate.http.pages import MAX_HOPS, read_limited

MAX_BODY_BYTES = 2_000_000
# Cookie -> header that frameworks read the anti-CSRF token from on script requests.
CSRF_HEADERS = {"csrftoken": "X-CSRFToken", "xsrf-token": "X-XSRF-TOKEN"}
# A cookie value this long may be a session; shorter ones (`lang=en`, `theme=dark`) are not
# learned as secrets, or every "dark" in a report would be blanked out.
LEARNED_COOKIE_CHARS = 8
# Ends every refusal of a URL that would carry credentials off the app.
CREDENTIALS_STAY = "launchgate sends credentials only to the app's own host(s)"


@dataclass(frozen=True)
class Hop:
    status: int
    url: str
    location: str


@dataclass(frozen=True)
class Exchange:
    """One request and the answer it ended on, after same-host redirects."""

    method: str
    url: str  # the final URL
    status: int
    headers: httpx.Headers = field(repr=False)
    body: bytes = field(repr=False)
    hops: tuple[Hop, ...] = ()
    not_followed: str = ""  # why the final answer, a redirect, was not followed
    set_cookies: tuple[str, ...] = field(default=(), repr=False)  # every Set-Cookie seen

    @property
    def text(self) -> str:
        charset = self.headers.get("content-type", "")
        encoding = "utf-8"
        if "charset=" in charset:
            encoding = charset.split("charset=", 1)[1].split(";", 1)[0].strip() or "utf-8"
        try:
            return self.body.decode(encoding, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return str(self.headers.get("location", ""))

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400 and bool(self.location)

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not JSON, or nested too deep to read (a
        RecursionError would end the whole check, with every finding of its other flows)."""
        try:
            return jsonlib.loads(self.text)
        except RecursionError:
            raise ValueError("the JSON is nested too deep to read") from None


class Browser:
    def __init__(
        self,
        client: httpx.Client,
        base_url: str,
        *,
        hosts: Collection[str] | None = None,
        cookies: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        learn: Callable[[Iterable[str]], None] | None = None,
    ) -> None:
        """`learn` is told every cookie value set later (a session cookie the app rotates,
        as Laravel does on every answer, is as secret as the one the login set): pass the
        run's `Redactor.add`."""
        self.client = client
        self.learn = learn
        self.base_url = base_url
        self.hosts = (
            frozenset(h.lower() for h in hosts) if hosts else frozenset({host_of(base_url)})
        )
        self.cookies: dict[str, str] = dict(cookies or {})
        self.headers: dict[str, str] = dict(headers or {})
        self.last_url: str | None = None

    def url(self, path_or_url: str) -> str:
        """An absolute URL on the app's own origin(s); ValueError for anything else."""
        url = urllib.parse.urljoin(self.base_url, path_or_url)
        why = self.refusal(url)
        if why:
            shown = urllib.parse.urlsplit(url)._replace(query="", fragment="").geturl()
            raise ValueError(f"{shown[:200]} is not on the app's own origin(s): {why}")
        return url

    def refusal(self, url: str) -> str:
        """Why `url` must not get this identity's credentials ('' when it may): another
        host, plain http when the app is on https (the session would cross the network in
        clear), or another port of the app's host (another service). A plain-http app may
        be sent on to https on its own host (the usual upgrade redirect)."""
        scheme = urllib.parse.urlsplit(url).scheme.lower()
        if scheme not in ("http", "https"):
            return f"it leads to a non-web URL ({url[:100]})"
        host = host_of(url)
        if host not in self.hosts:
            return f"it leads to another host ({origin(url)}); {CREDENTIALS_STAY}"
        if urllib.parse.urlsplit(self.base_url).scheme.lower() == "https" and scheme == "http":
            return f"it leads to plain http ({origin(url)}); {CREDENTIALS_STAY}"
        if host == host_of(self.base_url) and origin(url) not in (
            origin(self.base_url),
            f"https://{bracketed(host)}",
        ):
            return f"it leads to another port ({origin(url)}); {CREDENTIALS_STAY}"
        return ""

    def request(
        self,
        method: str,
        path_or_url: str,
        *,
        json: Any = None,
        data: Sequence[tuple[str, str]] | Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        referer: str | None = None,
        max_hops: int = MAX_HOPS,
        limit: int = MAX_BODY_BYTES,
    ) -> Exchange:
        """`method` the URL, following redirects while they stay on `hosts`. httpx errors
        propagate (the caller says what they mean); ValueError for a URL off the hosts."""
        url = self.url(path_or_url)
        method = method.upper()
        hops: list[Hop] = []
        set_cookies: list[str] = []
        content = _encode(json, data)
        while True:
            request_headers = self._headers(method, url, content, headers, referer)
            try:
                with self.client.stream(
                    method,
                    url,
                    content=content[0] if content else None,
                    headers=self._raw(request_headers),
                ) as response:
                    body = read_limited(response, limit)
            finally:
                _forget_cookies(self.client)
            received = [
                v.decode(RAW_CODEC) for k, v in response.headers.raw if k.lower() == b"set-cookie"
            ]
            set_cookies += received
            self._store(received)
            location = response.headers.get("location")
            answer = Exchange(
                method,
                url,
                response.status_code,
                response.headers,
                body,
                tuple(hops),
                "",
                tuple(set_cookies),
            )
            if not (300 <= response.status_code < 400) or not location:
                self.last_url = url
                return answer
            target, why = self._target(url, location)
            if target is None or len(hops) >= max_hops:
                why = why or f"the hop limit ({max_hops}) was reached"
                self.last_url = url
                return Exchange(
                    method,
                    url,
                    response.status_code,
                    response.headers,
                    body,
                    tuple(hops),
                    why,
                    tuple(set_cookies),
                )
            hops.append(Hop(response.status_code, url, location))
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method not in ("GET", "HEAD")
            ):
                method, content = "GET", None  # what browsers do
            referer, url = url, target

    def _headers(
        self,
        method: str,
        url: str,
        content: tuple[bytes, str] | None,
        extra: Mapping[str, str] | None,
        referer: str | None,
    ) -> dict[str, str | bytes]:
        out: dict[str, str | bytes] = dict(self.headers)
        if self.cookies:
            out["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items()).encode(
                RAW_CODEC, errors="replace"
            )
        if content:
            out["Content-Type"] = content[1]
        referer = referer or self.last_url
        if referer and origin(referer) == origin(url):
            out["Referer"] = referer
        if method in WRITE_METHODS:
            out["Origin"] = origin(url)
            for cookie, header in CSRF_HEADERS.items():
                for name, value in self.cookies.items():
                    if name.lower() == cookie:
                        out.setdefault(header, urllib.parse.unquote(value))
        out.update(extra or {})
        return out

    @staticmethod
    def _raw(headers: Mapping[str, str | bytes]) -> list[tuple[bytes, bytes]]:
        return [
            (
                k.encode("ascii"),
                v if isinstance(v, bytes) else v.encode(RAW_CODEC, errors="replace"),
            )
            for k, v in headers.items()
        ]

    def _target(self, url: str, location: str) -> tuple[str | None, str]:
        try:
            target = urllib.parse.urljoin(url, location)
            httpx.URL(target)
        except (ValueError, httpx.InvalidURL):
            return None, f"its Location header is not a valid URL ({location[:100]!r})"
        why = self.refusal(target)
        return (None, why) if why else (target, "")

    def _store(self, headers: Sequence[str]) -> None:
        for header in headers:
            name, value, expired = parse_set_cookie(header)
            if not name:
                continue
            if expired:
                self.cookies.pop(name, None)
            else:
                if (
                    self.learn is not None
                    and len(value) >= LEARNED_COOKIE_CHARS
                    and self.cookies.get(name) != value
                ):
                    self.learn((value,))
                self.cookies[name] = value


def _forget_cookies(client: httpx.Client) -> None:
    client.cookies.clear()
    store = CookieStore.of(client)
    if store is not None:
        store.clear()


def parse_set_cookie(header: str) -> tuple[str, str, bool]:
    """`name=value; Max-Age=0` -> (name, value, expired)."""
    first, _, rest = header.partition(";")
    name, _, value = first.partition("=")
    name, value = name.strip(), value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    expired = value == "" and "max-age=0" in rest.replace(" ", "").lower()
    for part in rest.split(";"):
        key, _, attr = part.strip().partition("=")
        key = key.strip().lower()
        if key == "max-age" and attr.strip().lstrip("-").isdigit() and int(attr) <= 0:
            expired = True
        elif key == "expires":
            try:
                when = email.utils.parsedate_to_datetime(attr.strip())
            except (TypeError, ValueError, IndexError):
                continue
            if when.timestamp() < time.time():
                expired = True
    return name, value, expired


def _encode(
    json: Any, data: Sequence[tuple[str, str]] | Mapping[str, str] | None
) -> tuple[bytes, str] | None:
    if json is not None:
        return jsonlib.dumps(json).encode(), "application/json"
    if data is not None:
        pairs = list(data.items()) if isinstance(data, Mapping) else list(data)
        return urllib.parse.urlencode(pairs).encode(), "application/x-www-form-urlencoded"
    return None
