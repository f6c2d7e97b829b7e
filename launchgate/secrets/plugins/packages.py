"""Package registries: npm access tokens, PyPI API tokens and `.npmrc` credentials.

* npm (github.blog changelog 2021-09-23, "npm has a new access token format"): `npm_`, then 30
  random base62 characters and a 6-character base62 CRC32 of them, like GitHub's tokens.
* PyPI (the index's help page, "API tokens"): `pypi-` and a base64url macaroon (libmacaroons'
  version 2 binary format) whose location is the index's host (PyPI's or TestPyPI's): the
  token then starts with the base64 of the macaroon's version, location field and that host,
  `AgEIcHlwaS5vcmc` or `AgENdGVzdC5weXBpLm9yZw`. The macaroon is decoded and its fields walked
  to the 32-byte signature: a shortened or made-up value does not parse.
* `.npmrc` (docs.npmjs.com, "npmrc"): `_authToken`, `_auth` (base64 of user:password) and
  `_password` settings with a literal value; `${NPM_TOKEN}`-style references are not secrets.
"""

from __future__ import annotations

import re
from typing import ClassVar

from launchgate.secrets.plugins._base import (
    LaunchgateDetector,
    b64decode_loose,
    crc32_base62,
    random_enough,
)


class NpmAccessTokenDetector(LaunchgateDetector):
    """npm access tokens (`npm_`) whose CRC32 checksum is valid."""

    secret_type = "npm Access Token"  # pragma: allowlist secret
    strength: ClassVar[str] = "checksum"
    denylist = (re.compile(r"(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9_])"),)

    def accept(self, value: str, match: re.Match[str]) -> bool:
        body = value[4:]
        return crc32_base62(body[:30]) == body[30:]


# base64 of a version-2 macaroon's first bytes with PyPI's and TestPyPI's location
PYPI_LOCATION_PREFIXES = ("AgEIcHlwaS5vcmc", "AgENdGVzdC5weXBpLm9yZw")
PYPI_LOCATIONS = tuple((b64decode_loose(p) or b"")[3:].decode() for p in PYPI_LOCATION_PREFIXES)


class PyPIMacaroonDetector(LaunchgateDetector):
    """PyPI and TestPyPI API tokens whose macaroon decodes."""

    secret_type = "PyPI API Token (macaroon)"  # pragma: allowlist secret
    strength: ClassVar[str] = "checksum"
    denylist = (
        re.compile(r"pypi-(?:" + "|".join(PYPI_LOCATION_PREFIXES) + r")[A-Za-z0-9_-]{50,}"),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        data = b64decode_loose(value[len("pypi-") :], urlsafe=True)
        return data is not None and macaroon_location(data) in PYPI_LOCATIONS


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 28:
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def macaroon_location(data: bytes) -> str | None:
    """The location of a well-formed version-2 binary macaroon, else None."""
    try:
        if not data or data[0] != 2:
            return None
        pos, location, sections = 1, None, 0
        while True:
            field, pos = _varint(data, pos)
            if field == 0:  # end of a section (the header, or a caveat)
                sections += 1
                continue
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
            if len(value) != length:
                return None
            if field == 1 and sections == 0:
                location = value.decode("ascii")
            elif field == 6:  # the signature closes the macaroon
                ok = length == 32 and pos == len(data) and sections >= 2
                return location if ok else None
            elif field not in (1, 2, 4):
                return None
    except (ValueError, UnicodeDecodeError):
        return None


class NpmrcAuthDetector(LaunchgateDetector):
    """A literal credential in an `.npmrc` setting (`_authToken`, `_auth`, `_password`)."""

    secret_type = "npm Registry Credential (.npmrc)"  # pragma: allowlist secret
    strength: ClassVar[str] = "loose"
    denylist = (
        re.compile(
            r"(?<![A-Za-z0-9_])_(?:authToken|auth|password)\s*=\s*[\"']?"
            r"(?P<secret>[^\s\"'#;]{8,})"
        ),
    )

    def accept(self, value: str, match: re.Match[str]) -> bool:
        if value.startswith(("$", "{", "%", "<")):
            return False
        if _CHECKSUMMED.fullmatch(value):  # npm's or GitHub's own format: its checksum decides
            return crc32_base62(value[4:34]) == value[34:]
        return random_enough(value, min_bits=3.0)


_CHECKSUMMED = re.compile(r"(?:npm|gh[pousr])_[A-Za-z0-9]{36}")
