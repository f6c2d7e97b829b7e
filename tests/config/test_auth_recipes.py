"""The login recipes in docs/auth.md (Django, Rails/Devise, Laravel, OAuth2 token APIs) are
valid configs: each `identities:` block loads, with its `${VAR}`s set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from launchgate.config import load_config
from tests.conftest import ROOT

BLOCKS = [
    b
    for b in re.findall(r"```yaml\n(.*?)```", (ROOT / "docs" / "auth.md").read_text(), re.S)
    if b.startswith("identities:")
]


def test_every_framework_has_a_recipe() -> None:
    text = "\n".join(BLOCKS)
    for marker in (
        "/accounts/login/",
        "user[password]",
        "page: /login",
        "grant_type: password",
        "client_credentials",
    ):
        assert marker in text, marker


@pytest.mark.parametrize("block", BLOCKS)
def test_the_recipe_loads(tmp_path: Path, block: str) -> None:
    path = tmp_path / ".launchgate.yml"
    path.write_text(f"url: https://app.example.com\n{block}")
    names = set(re.findall(r"\$\{(\w+)\}", block))
    config = load_config(path, env={n: f"value-of-{n.lower()}-0123" for n in names})
    assert config.identities and all(
        i.login is not None or i.headers for i in config.identities.values()
    )
