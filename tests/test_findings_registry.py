"""The finding-id registry, the docs and `severity_overrides` agree."""

from __future__ import annotations

import re

import pytest

from launchgate.config import load_config
from launchgate.errors import ConfigError
from launchgate.findings import FINDING_IDS
from launchgate.names import CHECK_NAMES
from tests.conftest import ROOT

_ID = re.compile(r"`((?:" + "|".join(CHECK_NAMES) + r")\.[a-z0-9-]+)`")


def test_every_registered_id_is_documented_in_a_findings_table():
    documented = set()
    for page in (ROOT / "docs").glob("*.md"):
        for line in page.read_text(encoding="utf-8").splitlines():
            if line.startswith("| `"):
                documented.update(_ID.findall(line.split("|")[1]))
    assert sorted(FINDING_IDS - documented) == []
    assert sorted(documented - FINDING_IDS) == []


def test_every_id_the_readme_names_is_registered():
    named = set(_ID.findall((ROOT / "README.md").read_text(encoding="utf-8")))
    assert named and sorted(named - FINDING_IDS) == []


def test_a_typo_in_severity_overrides_is_a_config_error_with_a_hint(tmp_path):
    config = tmp_path / ".launchgate.yml"
    config.write_text("severity_overrides:\n  headers.hsts-mising: later\n")
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert str(caught.value) == (
        f"{config}:2: severity_overrides.headers.hsts-mising: no check "
        "reports this finding id; did you mean 'headers.hsts-missing'?"
    )


def test_registered_ids_can_be_overridden():
    config = load_config(None, overrides={"severity_overrides": {"dns.caa-missing": "important"}})
    assert config.severity_overrides["dns.caa-missing"].value == "important"
