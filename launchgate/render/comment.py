"""The sticky pull-request comment: its hidden marker (one per status context), a note put
right after the marker, and fitting the body under GitHub's 65,536-character limit.

Composing the comment lives here, beside the renderers, and not in `launchgate.github`: the
GitHub client only writes a body it is given and finds its earlier comment by the marker, so it
never imports the markdown renderer. Standard library only (no Jinja2): the client and the
markdown renderer both import the marker from here.
"""

from __future__ import annotations

import re

DEFAULT_CONTEXT = "launchgate"
# Older versions marked every verdict comment with this, whatever the status context; it is
# still recognised for the default context so their comment keeps being edited in place.
LEGACY_MARKER = "<!-- launchgate:verdict -->"
MAX_COMMENT_CHARS = 65_536


def comment_marker(context: str = DEFAULT_CONTEXT) -> str:
    """The hidden first line of the sticky comment, one per status context, so that several
    runs on one pull request (preview and production, two apps) keep separate comments."""
    safe = re.sub(r"[^A-Za-z0-9._/-]", "_", context) or DEFAULT_CONTEXT
    return f"<!-- launchgate:verdict:{safe} -->"


COMMENT_MARKER = comment_marker()


def with_note(body: str, context: str, note: str) -> str:
    """`body` (starting with the marker of `context`) with `note` right after the marker."""
    marker = comment_marker(context)
    return body.replace(f"{marker}\n", f"{marker}\n{note}", 1)


_DETAILS_OPEN = re.compile(r"<details[\s>]", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
CLOSE_DETAILS = "\n\n</details>"


def fit_comment(body: str, pointer: str, limit: int = MAX_COMMENT_CHARS) -> str:
    """Cut a comment body below GitHub's limit at a line break, ending with `pointer`
    (where to read the rest). A `<details>` block left open by the cut is closed first, or
    the pointer would be hidden inside it. Bodies under the limit are returned unchanged."""
    if len(body) < limit:
        return body
    tail = f"\n\n---\n**Truncated.** {pointer}\n"
    room = limit - len(tail) - 1
    while True:
        cut = body.rfind("\n", 0, room)
        head = body[: cut if cut > 0 else room]
        still_open = len(_DETAILS_OPEN.findall(head)) - len(_DETAILS_CLOSE.findall(head))
        closing = CLOSE_DETAILS * max(still_open, 0)
        if len(head) + len(closing) + len(tail) < limit:
            return head + closing + tail
        room -= len(closing)
