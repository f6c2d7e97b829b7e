"""The cookies a gate client keeps between requests, as the bytes the server sent.

httpx's own cookie jar decodes a `Set-Cookie` header to text and encodes the `Cookie` header it
sends back with the request headers' codec (ASCII when every other header is ASCII): a server
that sets `user=José`, or a cookie with bytes that are not UTF-8, makes the next request raise
UnicodeEncodeError before it is sent. Browsers treat cookie values as opaque bytes and send them
back unchanged, so this store does too: `Set-Cookie` is read from the raw header bytes as
Latin-1 (one character per byte, lossless), kept in a standard `http.cookiejar.CookieJar` (its
domain, path, Secure and expiry rules), and the `Cookie` header goes out as those same bytes.

A client built with `CookieStore.install` never lets httpx store a cookie; a request that
already carries a `Cookie` header (a configured one) keeps it, as with httpx's jar.
"""

from __future__ import annotations

import email.message
import http.cookiejar
import urllib.request
from typing import Any

import httpx

# One character per byte: every header value round-trips, whatever its bytes.
RAW_CODEC = "iso-8859-1"


class _NoCookies(http.cookiejar.CookieJar):
    """httpx's jar, kept empty: CookieStore does the work from the raw bytes."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return None


class _RawResponse:
    """The `info()` view `http.cookiejar` reads, built from the raw header bytes."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    def info(self) -> email.message.Message:
        info = email.message.Message()
        for name, value in self._response.headers.raw:
            info[name.decode(RAW_CODEC)] = value.decode(RAW_CODEC)
        return info


def _url_request(request: httpx.Request) -> urllib.request.Request:
    return urllib.request.Request(str(request.url), method=request.method)


class CookieStore:
    """The cookies of one client; `install` wires it in through httpx's event hooks."""

    def __init__(self) -> None:
        self._jar = http.cookiejar.CookieJar()

    def install(self) -> dict[str, Any]:
        """Keyword arguments for `httpx.Client`: an always-empty httpx jar and the hooks."""
        return {
            "cookies": _NoCookies(),
            "event_hooks": {"request": [self.on_request], "response": [self.on_response]},
        }

    def on_response(self, response: httpx.Response) -> None:
        self._jar.extract_cookies(
            _RawResponse(response),  # type: ignore[arg-type]
            _url_request(response.request),
        )

    def on_request(self, request: httpx.Request) -> None:
        if "cookie" in request.headers:
            return
        probe = _url_request(request)
        self._jar.add_cookie_header(probe)
        header = probe.get_header("Cookie")
        if header:
            request.headers = httpx.Headers(
                [*request.headers.raw, (b"Cookie", header.encode(RAW_CODEC))]
            )

    def __len__(self) -> int:
        return len(self._jar)

    def clear(self) -> None:
        self._jar.clear()

    @staticmethod
    def of(client: httpx.Client) -> CookieStore | None:
        """The store installed on `client`, if any."""
        for hook in client.event_hooks.get("response", []):
            owner = getattr(hook, "__self__", None)
            if isinstance(owner, CookieStore):
                return owner
        return None
