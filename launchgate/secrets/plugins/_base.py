"""The shared base of launchgate's detector plugins, on detect-secrets' plugin interface.

Each plugin is a `detect_secrets.plugins.base.RegexBasedDetector`: detect-secrets calls it like
its own plugins, so a repository's `.secrets.baseline`, `pragma: allowlist secret` and the
configured filters apply to what it finds. Two rules keep the engine's pre-filter sound (the
pre-filter derives a necessary literal from each `denylist` regex, see
`launchgate.secrets.plugins.cores`):

* every value a plugin reports is a match (or a group of a match) of one of its `denylist`
  regexes;
* `accept` only removes candidates, it never adds any.

`strength` says what a match proves, and so how it is judged:

* `checksum`: the token carries a checksum (GitHub's and npm's CRC32) or a structure that is
  decoded and checked (a PyPI macaroon, a JWT payload): random text does not pass;
* `exact`: a provider's own prefix with its published length and alphabet;
* `loose`: a shape that also fits non-secrets (a URL with a password, a base64 value under a
  secret-sounding key). These keep every detect-secrets filter, heuristics included.

The first two are precise enough that detect-secrets' heuristic filters (written for keyword and
entropy guesses) are not applied to them; user-configured filters and pragmas still are.

Provider values are made of random characters: `random_enough` turns away documentation
placeholders (`xxxx`, `your-key-here`, `EXAMPLE`, one repeated character, `abcdef123456`) in the
formats that have no checksum.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import math
import re
import zlib
from collections.abc import Iterator
from typing import ClassVar

from detect_secrets.plugins.base import RegexBasedDetector

STRENGTHS = ("checksum", "exact", "loose")

# Words that only a placeholder or a made-up example contains (matched case-insensitively).
PLACEHOLDER_WORDS = (
    "example",
    "xxxx",
    "your",
    "placeholder",
    "dummy",
    "sample",
    "redacted",
    "changeme",
    "change_me",
    "fake",
    "test",
    "insert",
    "replace",
    "token_here",
    "key_here",
    "secret_here",
    "****",
    "....",
    "<",
    ">",
    "{{",
    "${",
)

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class LaunchgateDetector(RegexBasedDetector):
    """A detect-secrets regex plugin whose matches pass `accept` (see the module docstring).
    Subclasses set `secret_type`, `denylist` and `strength`. A regex with a group named
    `secret` reports that group, otherwise the whole match."""

    strength: ClassVar[str] = "exact"
    denylist: ClassVar[tuple[re.Pattern[str], ...]] = ()

    def analyze_string(self, string: str) -> Iterator[str]:  # type: ignore[override]
        for regex in self.denylist:
            for match in regex.finditer(string):
                value = match.group("secret") if "secret" in regex.groupindex else match.group(0)
                if value and self.accept(value, match):
                    yield value

    def accept(self, value: str, match: re.Match[str]) -> bool:
        """Whether this match is a secret (the default: its value is random enough)."""
        return random_enough(value)


def shannon(text: str) -> float:
    """Shannon entropy of `text` in bits per character."""
    if not text:
        return 0.0
    counts: dict[str, int] = {}
    for char in text:
        counts[char] = counts.get(char, 0) + 1
    total = len(text)
    return -sum(c / total * math.log2(c / total) for c in counts.values())


def has_placeholder_word(text: str) -> bool:
    lowered = text.lower()
    return any(word in lowered for word in PLACEHOLDER_WORDS)


def _has_run(text: str, length: int) -> bool:
    """A run of `length` characters that repeat, or count up or down (abcde, 54321)."""
    same = up = down = 1
    for previous, char in itertools.pairwise(text):
        step = ord(char) - ord(previous)
        same = same + 1 if step == 0 else 1
        up = up + 1 if step == 1 else 1
        down = down + 1 if step == -1 else 1
        if max(same, up, down) >= length:
            return True
    return False


# Values people type when they mean "a password goes here" (compared lower-cased).
COMMON_VALUES = frozenset(
    {
        "password",
        "passwd",
        "pass",
        "pwd",
        "secret",
        "admin",
        "root",
        "user",
        "username",
        "changeme",
        "guest",
        "postgres",
        "mysql",
        "redis",
        "mongo",
        "default",
        "none",
        "null",
        "pw",
        "letmein",
        "password1",
        "password123",
        "qwerty",
        "123456",
        "12345678",
    }
)


def random_enough(body: str, min_bits: float = 3.0) -> bool:
    """A provider's random part, not a placeholder: no placeholder word, no run of 5 repeated
    or consecutive characters (in either case: `aBcDeF` counts), and at least `min_bits` bits
    of entropy per character (random hex has about 3.8, random base62 about 5.5 at these
    lengths; `aaaa...` has 0)."""
    return (
        not has_placeholder_word(body)
        and body.lower() not in COMMON_VALUES
        and not _has_run(body, 5)
        and not _has_run(body.lower(), 5)
        and shannon(body) >= min_bits
    )


def crc32_base62(text: str) -> str:
    """The CRC32 of `text`, in 6 base62 digits (GitHub's and npm's token checksum)."""
    number = zlib.crc32(text.encode("ascii"))
    digits = ""
    while number:
        number, digit = divmod(number, 62)
        digits = BASE62[digit] + digits
    return digits.rjust(6, "0")


def b64decode_loose(text: str, urlsafe: bool = False) -> bytes | None:
    """Base64 (padding optional) -> bytes, or None when `text` is not base64."""
    padded = text + "=" * (-len(text) % 4)
    try:
        if urlsafe:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def b64_prefix(text: bytes) -> str:
    """The base64 characters fully determined by `text` at the start of any encoded value
    that begins with `text` (a literal the pre-filter can look for)."""
    return base64.b64encode(text).decode()[: len(text) * 8 // 6]
