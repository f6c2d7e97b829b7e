"""launchgate's own detector plugins: positives and hard negatives per provider (made-up
values, generated in tests/support/made_up_secrets.py), the derived pre-filter, the
strict/loose filter split, and baselines that stay readable by detect-secrets 1.5."""

from __future__ import annotations

import json
import string
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchgate.secrets.baseline import baseline_document
from launchgate.secrets.engine import Engine, EngineSettingsError, plugins_for_line
from launchgate.secrets.literals import necessary_literals
from launchgate.secrets.plugins import baseline_path, by_name, by_type, plugin_classes
from tests.conftest import ROOT
from tests.support.made_up_secrets import PLUGIN_GROUPS, Maker, corpus

ENGINE = Engine()
OWN_TYPES = {t: cls.__name__ for t, cls in by_type().items()}
CASES = corpus()


def _own_hits(path: str, line: str, engine: Engine = ENGINE) -> set[str]:
    """launchgate plugin names that report `line` through the whole engine."""
    return {
        OWN_TYPES[h.type] for h in engine.judge(path, line) if h.type in OWN_TYPES and not h.noise
    }


def test_every_plugin_has_a_corpus_group_and_cases():
    assert set(PLUGIN_GROUPS) == {cls.__name__ for cls in plugin_classes()}
    groups = {c.provider for c in CASES}
    assert set(PLUGIN_GROUPS.values()) <= groups


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.secret], ids=lambda c: f"{c.provider}:{c.path}"
)
def test_every_positive_is_found_by_a_plugin_of_its_provider(case):
    found = _own_hits(case.path, case.line)
    assert any(PLUGIN_GROUPS[name] == case.provider for name in found), (case.note, found)


@pytest.mark.parametrize(
    "case", [c for c in CASES if not c.secret], ids=lambda c: f"{c.provider}:{c.path}:{c.note}"
)
def test_no_plugin_fires_on_a_hard_negative(case):
    assert not _own_hits(case.path, case.line), case.note


def test_every_positive_passes_the_prefilter_for_the_plugins_that_find_it():
    plugins = [cls() for cls in plugin_classes()]
    for case in (c for c in CASES if c.secret):
        finders = {
            type(p).__name__
            for p in plugins
            if p.analyze_line(filename=case.path, line=case.line, line_number=1)
        }
        assert finders and finders <= plugins_for_line(case.line, ENGINE.prefilter), case.path


REGEXES = [(cls.__name__, regex) for cls in plugin_classes() for regex in cls.denylist]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_match_of_every_rule_contains_its_derived_literal(data):
    """The derivation's soundness: whatever a rule's regex matches holds a derived literal
    (in lower case for folded rules), for strings generated from the regex itself."""
    _name, regex = data.draw(st.sampled_from(REGEXES))
    text = data.draw(st.from_regex(regex, fullmatch=True))
    match = regex.search(text)
    assert match is not None
    literals = necessary_literals(regex)
    haystack = match.group(0).lower() if literals.folded else match.group(0)
    assert any(s in haystack for s in literals.strings), (regex.pattern, literals)


def test_checksum_decides_github_and_npm_tokens():
    maker = Maker(7)
    for prefix in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "npm_"):
        good = maker.checksummed(prefix)
        assert _own_hits("app.py", f'token = "{good}"'), prefix
        assert not _own_hits("app.py", f'token = "{maker.wrong_checksum(prefix)}"'), prefix


def test_strict_formats_skip_detect_secrets_heuristics_loose_ones_keep_them():
    maker = Maker(8)
    token = maker.checksummed("ghp_")
    # detect-secrets' is_indirect_reference drops `x = f(...)` lines; a checksummed token is
    # a secret there too, a loose database URL keeps detect-secrets' judgement.
    assert "GitHubChecksumTokenDetector" in _own_hits("a.py", f'gh = Github("{token}")')
    url = f"postgres://app:{maker.password()}@db/app"
    assert "DatabaseUrlDetector" in _own_hits("a.py", f'url = "{url}"')
    assert not _own_hits("a.py", f'engine = create_engine("{url}")')


def test_allowlist_pragma_and_user_exclusions_apply_to_launchgate_plugins():
    token = Maker(9).checksummed("ghp_")
    line = f'token = "{token}"'
    assert not _own_hits("a.py", line + "  # pragma: allowlist secret")
    excluding = Engine(
        {
            "filters_used": [
                {
                    "path": "detect_secrets.filters.regex.should_exclude_line",
                    "pattern": ["^token = "],
                }
            ]
        }
    )
    try:
        assert not _own_hits("a.py", line, excluding)
        assert _own_hits("a.py", "x" + line, excluding)
    finally:
        ENGINE.activate()


def test_baseline_chooses_launchgate_plugins_by_name_and_never_imports_a_named_file(tmp_path):
    maker = Maker(10)
    gh, hf = maker.checksummed("ghp_"), "hf_" + maker.text(string.ascii_letters, 34)
    listed = Engine(
        {
            "plugins_used": [
                {"name": "AWSKeyDetector"},
                {"name": "GitHubChecksumTokenDetector", "path": "file:///nowhere/github.py"},
            ]
        }
    )
    try:
        assert _own_hits("a.py", f'x = "{gh}"', listed) == {"GitHubChecksumTokenDetector"}
        assert not _own_hits("a.py", f'x = "{hf}"', listed)
    finally:
        ENGINE.activate()
    # a baseline that predates launchgate's plugins (only detect-secrets' own) gets them all
    older = Engine({"plugins_used": [{"name": "AWSKeyDetector"}]})
    try:
        assert _own_hits("a.py", f'x = "{hf}"', older) == {"HuggingFaceTokenDetector"}
    finally:
        ENGINE.activate()
    marker = tmp_path / "imported"
    evil = tmp_path / "evil.py"
    evil.write_text(f"open({str(marker)!r}, 'w').close()\n")
    with pytest.raises(EngineSettingsError, match="custom plugin"):
        Engine({"plugins_used": [{"name": "Evil", "path": f"file://{evil}"}]})
    ENGINE.activate()
    assert not marker.exists()


def test_settings_record_plugins_like_detect_secrets_without_absolute_paths():
    used = ENGINE.settings_json()["plugins_used"]
    assert isinstance(used, list)
    own = {e["name"]: e["path"] for e in used if e["name"] in by_name()}
    assert set(own) == set(by_name())
    for name, path in own.items():
        assert path == baseline_path(by_name()[name])
        assert path.startswith("file://launchgate/secrets/plugins/") and ".." not in path
        assert (ROOT / path[len("file://") :]).is_file()


def test_a_baseline_launchgate_writes_loads_in_detect_secrets(tmp_path):
    """detect-secrets 1.5 reads the baseline, loads the recorded plugins from their paths
    (run where they resolve: the repository root), and honours the entries of their types."""
    maker = Maker(11)
    known, new = maker.checksummed("ghp_"), maker.checksummed("ghp_")
    target = tmp_path / "settings.py"
    target.write_text(f'TOKEN = "{known}"\n')
    hits = ENGINE.judge("settings.py", f'TOKEN = "{known}"')
    entries = [(str(target), h.type, h.hashed_secret) for h in hits]
    text, _added = baseline_document(entries, None, ENGINE.settings_json())
    baseline = tmp_path / ".secrets.baseline"
    baseline.write_text(text)
    hook = [sys.executable, "-m", "detect_secrets.pre_commit_hook", "--baseline", str(baseline)]
    accepted = subprocess.run(
        [*hook, str(target)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    target.write_text(f'TOKEN = "{known}"\nOTHER = "{new}"\n')
    found = subprocess.run(
        [*hook, str(target)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert found.returncode == 1 and "GitHub Token (checksum)" in found.stdout, found.stdout
    assert new not in found.stdout + found.stderr
    paths = [e["path"] for e in json.loads(baseline.read_text())["plugins_used"] if "path" in e]
    assert paths and not any(p.startswith("file:///") for p in paths)


def test_types_do_not_collide_with_detect_secrets():
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    theirs = get_mapping_from_secret_type_to_class()
    assert not set(by_type()) & set(theirs)
    assert not set(by_name()) & {cls.__name__ for cls in theirs.values()}
    assert Path(ROOT / "launchgate/secrets/plugins").is_dir()


def _near_matches(size: int = 100_000) -> dict[str, str]:
    """Long lines that almost match a rule, over and over: what makes a regex backtrack."""

    def run(unit: str) -> str:
        return (unit * (size // len(unit) + 1))[:size]

    hexes = "0123456789abcdef" * 2
    return {
        "sentry host": f"https://{hexes}:{hexes}@" + run("sentry"),
        "sentry host, then a path": f"https://{hexes}:{hexes}@" + run("sentry") + "/",
        "secret-named key": "  " + run("password"),
        "secret-named key with dashes": "  " + run("secret-") + ": x",
        "eyJ run": run("eyJ"),
        "eyJ in a base64url run": run("sntrys_eyJ"),
        "openai marker run": "sk-proj-" + run("AAAAAAAAAAAAAAAAT3BlbkFJ") + "!",
        "database urls": run("postgres://user:pass"),
        "gitlab routable": run("glpat-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.00."),
        "azure sas": run("sv=2020-01-01&sig="),
    }


def test_no_rule_backtracks_on_long_near_matches():
    """Every rule stays linear on 100 KB of near-matches (before the fix, the Sentry DSN
    host, the Kubernetes secret key and the service-role JWT took 4 to 28 s on these)."""
    import time

    slow = []
    for cls in plugin_classes():
        plugin = cls()
        for name, line in _near_matches().items():
            started = time.perf_counter()
            list(plugin.analyze_string(line))
            took = time.perf_counter() - started
            if took > 1.0:
                slow.append(f"{cls.__name__} on {name}: {took:.1f} s")
    assert not slow
