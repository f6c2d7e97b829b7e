"""HANDOVER.md from the data `launchgate.handover.build_handover` derived (one Jinja2
template, like the PR comment). It only formats: every value and decision is already there."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from launchgate.render.markdown import environment


def render_handover(document: Mapping[str, Any]) -> str:
    body = environment().get_template("handover.md.j2").render(d=document)
    return re.sub(r"\n{3,}", "\n\n", body)
