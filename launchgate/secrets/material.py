"""What tells two secrets apart when detect-secrets' "secret" is a label, not the secret.

detect-secrets' PrivateKeyDetector reports the header (the PEM `BEGIN ...` line, or PuTTY's
key-file header) as the secret: every RSA key in a repository would be one secret, a
fixture key would stand for all the others, and an allowlisted one would hide a real one. A
private key is identified here by its *body*: the base64 characters after the header, on the
header's line and the lines after it, up to the `END ... PRIVATE KEY` line (or PuTTY's
`Private-MAC`), with JSON/YAML `\\n` escapes read as line breaks, so a key and its
re-wrapped copy are one secret. The caller passes the lines that follow the header (the lines
a commit adds after it, or the file's next lines at HEAD). A header with no END line within
200 lines (a key type named in code or prose) keeps detect-secrets' identity (the header).

The other plugins report the secret itself, or a prefix that `engine.secret_id` widens to the
whole match. Only the salted hash of the material is kept, never the material.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from launchgate.secrets.engine import secret_id

PRIVATE_KEY = "Private Key"  # pragma: allowlist secret (a detect-secrets type name)
_HEADER = re.compile(r"PRIVATE KEY(?: BLOCK)?-*|PuTTY-User-Key-File-\d+:")
_END = re.compile(r"END [A-Z0-9 ]*PRIVATE KEY|Private-MAC:")
_ESCAPES = re.compile(r"\\[nr]")
_BODY = re.compile(r"[A-Za-z0-9+/=]+")
MAX_KEY_LINES = 200
MAX_KEY_CHARS = 64 * 1024


def key_material(line: str, following: Iterable[str]) -> str:
    """The body of the private key whose header is on `line` ("" when there is none)."""
    header = _HEADER.search(line)
    text = line[header.end() :] if header else line
    parts: list[str] = []
    size = 0
    for index, chunk in enumerate(_chunks(text, following)):
        chunk = _ESCAPES.sub(" ", chunk)
        end = _END.search(chunk)
        body = "".join(_BODY.findall(chunk[: end.start()] if end else chunk))
        parts.append(body)
        size += len(body)
        if end:
            return "".join(parts)
        if size > MAX_KEY_CHARS or index >= MAX_KEY_LINES:
            break
    return ""  # no END line: a mention of a key type in code or prose, not a key


def _chunks(first: str, following: Iterable[str]) -> Iterable[str]:
    yield first
    yield from following


def place_value_id(secret_type: str, value_id: str, line: str, following: Iterable[str]) -> str:
    """The value id of a hit at this place: a private key's body, else `value_id` as is."""
    if secret_type != PRIVATE_KEY:
        return value_id
    body = key_material(line, following)
    return secret_id(f"{PRIVATE_KEY}\0{body}") if body else value_id
