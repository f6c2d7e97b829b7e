"""Removes configured secret values (headers, `${VAR}` values, URL credentials, and what a
login yields at run time: session cookies, tokens) from every string of a report before
anything renders it, and from progress lines. Each value is also matched in the forms a
server reflects it in: URL-encoded (`quote`, `quote_plus`) and base64.

Not only whole values: every piece of SIGNIFICANT_LENGTH (12) characters or more of a value (or
of one of its forms) is redacted too. A server may reflect only part of a secret: a bypass
token echoed as a cookie NAME shows up to its first `=`, a base64 token without its `=`
padding, a token cut at 40 characters. Shorter values are replaced only where they appear
whole."""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"
# Shorter values would mangle ordinary text; such values are not credentials anyway.
MIN_SECRET_LENGTH = 4
# Any run of this many characters of a secret is redacted wherever it appears.
SIGNIFICANT_LENGTH = 12
# A scheme starts where a run of scheme characters starts, and is short: without both bounds
# the search is quadratic in a long run of letters (40 KB of them took 5 s).
_URL_CREDENTIALS = re.compile(
    r"(?<![a-zA-Z0-9+.-])(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]{0,31}://)[^/@\s]+@"
)


def encoded_forms(secret: str) -> set[str]:
    """The value as written and as it shows up when a server reflects it in a URL or a
    header: percent-encoded (path and query styles), form-encoded (`+` for space) and
    base64 (a token echoed in a Basic-style header or a cookie)."""
    forms = {
        secret,
        urllib.parse.quote(secret, safe=""),
        urllib.parse.quote(secret),
        urllib.parse.quote_plus(secret),
    }
    forms |= {f.lower() for f in forms if "%" in f}  # %2f as well as %2F
    raw = secret.encode("utf-8", errors="surrogateescape")
    forms |= {
        base64.b64encode(raw).decode("ascii").rstrip("="),
        base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="),
    }
    return forms


class Redactor:
    """`mask` replaces each run of secret characters (default `[redacted]`)."""

    def __init__(self, secrets: Iterable[str] = (), *, mask: str = REDACTED) -> None:
        self._mask = mask
        self._forms: frozenset[str] = frozenset()
        # (values matched whole, windows of SIGNIFICANT_LENGTH characters), replaced together.
        self._match: tuple[tuple[str, ...], frozenset[str]] = ((), frozenset())
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Learn secrets found at run time (session cookies and tokens a login yields); every
        later `text`/`value` call (and `Report.redacted`) redacts them too. One Redactor is
        shared by the run's progress output and its report, so both learn them at once."""
        forms = self._forms | {
            form
            for s in secrets
            if s and len(s) >= MIN_SECRET_LENGTH
            for form in encoded_forms(s)
            if len(form) >= MIN_SECRET_LENGTH
        }
        # Values shorter than SIGNIFICANT_LENGTH are matched whole; longer ones by every
        # window of SIGNIFICANT_LENGTH characters (which covers the whole value too).
        short = tuple(
            sorted((f for f in forms if len(f) < SIGNIFICANT_LENGTH), key=len, reverse=True)
        )
        windows = frozenset(
            f[i : i + SIGNIFICANT_LENGTH]
            for f in forms
            if len(f) >= SIGNIFICANT_LENGTH
            for i in range(len(f) - SIGNIFICANT_LENGTH + 1)
        )
        # Replaced whole (never mutated in place) so a reader in another thread sees one pair.
        self._forms, self._match = frozenset(forms), (short, windows)

    def text(self, value: str) -> str:
        hidden = self._secret_spans(value)
        if any(hidden):
            out: list[str] = []
            for i, char in enumerate(value):
                if not hidden[i]:
                    out.append(char)
                elif i == 0 or not hidden[i - 1]:
                    out.append(self._mask)
            value = "".join(out)
        return _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{self._mask}@", value)

    def _secret_spans(self, value: str) -> bytearray:
        """One flag per character of `value`: 1 where it belongs to a secret."""
        hidden = bytearray(len(value))
        size = SIGNIFICANT_LENGTH
        short, windows = self._match
        if windows:
            for i in range(len(value) - size + 1):
                if value[i : i + size] in windows:
                    hidden[i : i + size] = b"\x01" * size
        for secret in short:
            start = value.find(secret)
            while start != -1:
                hidden[start : start + len(secret)] = b"\x01" * len(secret)
                start = value.find(secret, start + 1)
        return hidden

    def value(self, value: Any) -> Any:
        """Redact every string inside nested JSON-like data."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value
