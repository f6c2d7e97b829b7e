"""The YAML a reader copies from the README and docs parses (a `?` inside `{...}` does not)."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
         ROOT / "examples" / "README.md"]
_YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_yaml_examples_parse(page):
    blocks = _YAML_BLOCK.findall(page.read_text(encoding="utf-8"))
    for block in blocks:
        yaml.safe_load(block)
