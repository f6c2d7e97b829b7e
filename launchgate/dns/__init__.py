"""DNS and email-authentication building blocks for the `dns` check (launchgate/checks/dns.py):
the shared resolver client, RFC 7208 SPF evaluation, DMARC and DKIM parsing, CAA evaluation,
and the deployment map. Provider and takeover fingerprints are data (`data/*.json`)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_data(name: str) -> Any:
    """One of the JSON data files shipped in launchgate/dns/data/."""
    text = resources.files("launchgate.dns").joinpath("data", name).read_text("utf-8")
    return json.loads(text)


def suffix_match(name: str, suffix: str) -> bool:
    name, suffix = name.lower().rstrip("."), suffix.lower().rstrip(".")
    return name == suffix or name.endswith("." + suffix)
