"""The YAML a reader copies from the README and docs parses (a `?` inside `{...}` does not).

Every page is read, and a page that documents configuration must have a YAML example to read:
only the pages named in WITHOUT_YAML have none, and they must stay without one."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "examples" / "README.md"]
WITHOUT_YAML = {"architecture.md", "cli.md", "handover.md"}  # no configuration shown there
_YAML_BLOCK = re.compile(r"```yaml\n(.*?)```", re.S)
_YAML_LIKE_FENCE = re.compile(r"```\s*(yml|YAML|Yaml)\b")


def test_every_docs_page_is_read():
    names = {page.name for page in PAGES}
    assert {"README.md", "config.md", "action.md"} <= names, names
    assert names >= WITHOUT_YAML, "WITHOUT_YAML names a page that is gone"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_yaml_examples_parse(page):
    text = page.read_text(encoding="utf-8")
    assert not _YAML_LIKE_FENCE.search(text), f"{page.name}: fence YAML as ```yaml to have it read"
    blocks = _YAML_BLOCK.findall(text)
    if page.name in WITHOUT_YAML:
        assert blocks == [], f"{page.name} has YAML now: take it out of WITHOUT_YAML"
    else:
        assert blocks, f"{page.name} has no ```yaml block to read"
    for block in blocks:
        yaml.safe_load(block)
