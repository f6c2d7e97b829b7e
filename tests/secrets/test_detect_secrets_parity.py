"""The secret scan judges, baselines and caches as detect-secrets would: each test builds a real
git repository in a tmp dir and, where the question is "what would detect-secrets do", runs
detect-secrets 1.5.0 itself (its CLI, its hook, its line scanner) as the yardstick. Secret
values are generated at run time (never real credentials) and never printed."""

from __future__ import annotations

import json
import random
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from launchgate.secrets.cache import HistoryCache, cache_dir
from launchgate.secrets.engine import Engine, noise_reason, plugins_for_line
from launchgate.secrets.scan import ScanOptions, scan_repository
from tests.conftest import assert_no_secret, run_cli
from tests.support.secrets_fixture import ALNUM, aws_key_id, commit, git, new_repo, random_string

RNG = random.Random(20261130)


def _ghp() -> str:
    return "ghp_" + random_string(RNG, 36)


def _detect_secrets(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "detect_secrets", *args], cwd=repo, capture_output=True, text=True
    )


def _hook(repo: Path, baseline: str | None, *files: str) -> set[tuple[str, str]]:
    """(path, type) of what `detect-secrets-hook [--baseline B]` reports on these files."""
    option = ["--baseline", baseline] if baseline else []
    proc = subprocess.run(
        [sys.executable, "-m", "detect_secrets.pre_commit_hook", *option, *files],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    types = re.findall(r"Secret Type: (.+)", proc.stdout)
    places = re.findall(r"Location:\s+(\S+?):\d+", proc.stdout)
    assert len(types) == len(places), "unexpected detect-secrets-hook output"
    return set(zip(places, types, strict=True))


def _found(scan) -> set[tuple[str, str]]:
    """(path, type) of every record, with all the types detect-secrets gave its value."""
    return {(r.where.path, t) for r in scan.records for t in r.types}


def _scan(repo: Path, tmp_path: Path, **options) -> object:
    options.setdefault("cache", str(tmp_path / "cache"))
    return scan_repository(str(repo), ScanOptions(**options))


# 1. The pre-filter's entropy charsets are the plugins' own -------------------------------


def test_prefilter_charsets_are_read_from_the_plugins():
    from detect_secrets.plugins.high_entropy_strings import (
        Base64HighEntropyString,
        HexHighEntropyString,
    )

    engine = Engine()
    rules = {r.name: r for r in engine.prefilter.entropy}
    for plugin in (Base64HighEntropyString(), HexHighEntropyString()):
        assert rules[type(plugin).__name__].charset == frozenset(plugin.charset.encode())
    assert ord("\\") in rules["Base64HighEntropyString"].charset


def test_quoted_string_with_escapes_is_judged_like_detect_secrets():
    from detect_secrets.core.scan import _process_line_based_plugins

    engine = Engine()
    # "MIIE...\nVJTU..." shape
    body = "\\n".join(random_string(RNG, 40, ALNUM + "+/") for _ in range(3))
    line = f'const PEM = "{body}";'
    assert "Base64HighEntropyString" in plugins_for_line(line, engine.prefilter)
    mine = {(h.type, h.hashed_secret) for h in engine.judge("app.js", line)}
    theirs = {
        (s.type, s.secret_hash) for s in _process_line_based_plugins([(1, line)], filename="app.js")
    }
    assert mine == theirs and ("Base64 High Entropy String" in {t for t, _h in mine})


# 2. Baseline entries match on (filename, type, hash), from a real `detect-secrets scan` -----


def test_baseline_matches_file_type_and_hash_like_detect_secrets(tmp_path):
    repo = new_repo(tmp_path)
    accepted, other = _ghp(), _ghp()
    (repo / "a.py").write_text(f'TOKEN = "{accepted}"\n')
    commit(repo, "a", 1)
    scanned = _detect_secrets(repo, "scan")
    assert scanned.returncode == 0, scanned.stderr
    (repo / ".secrets.baseline").write_text(scanned.stdout)
    (repo / "b.py").write_text(f'OTHER = "{other}"\n')
    commit(repo, "b", 2)
    scan = _scan(repo, tmp_path)
    # every GitHub token has detect-secrets hash sha1("ghp"): a hash-only match hid b.py
    assert _found(scan) == _hook(repo, ".secrets.baseline", "a.py", "b.py")
    assert ("b.py", "GitHub Token") in _found(scan)
    assert "a.py" not in {p for p, _t in _found(scan)}


# 3. Records are grouped by the full value: two GitHub tokens are two secrets ----------------


def test_allowlisted_fake_token_does_not_hide_a_different_deleted_token(tmp_path):
    repo = new_repo(tmp_path)
    fake, real = _ghp(), _ghp()
    (repo / "tests.py").write_text(f'FAKE = "{fake}"\n')
    (repo / "deploy.yml").write_text(f"token: {real}\n")  # unquoted: only GitHub Token
    commit(repo, "add", 1)
    (repo / "tests.py").write_text(f'FAKE = "{fake}"  # pragma: allowlist secret\n')
    (repo / "deploy.yml").write_text("token: ${{ secrets.TOKEN }}\n")
    commit(repo, "allowlist the fake, remove the real token", 2)
    scan = _scan(repo, tmp_path)
    # both tokens have detect-secrets hash sha1("ghp"): grouped by it, the allowlisted fake
    # at head hid the deleted real one
    assert [(r.origin, r.where.path, r.type) for r in scan.records] == [
        ("history", "deploy.yml", "GitHub Token")
    ]
    cache_text = "".join(p.read_text() for p in (tmp_path / "cache").glob("*.json"))
    assert_no_secret(cache_text, real)
    assert_no_secret(cache_text, fake)


def test_two_tokens_in_one_report_have_distinct_fingerprints(tmp_path):
    repo = new_repo(tmp_path)
    first, second = _ghp(), _ghp()
    (repo / "one.py").write_text(f'A = "{first}"\n')
    (repo / "two.py").write_text(f'B = "{second}"\n')
    commit(repo, "add", 1)
    out = tmp_path / "r.json"
    result = run_cli("secrets", "--repo", str(repo), "--json", str(out))
    assert result.code == 1
    findings = json.loads(out.read_text())["findings"]
    assert sorted(f["location"]["path"] for f in findings) == ["one.py", "two.py"]
    assert len({f["fingerprint"] for f in findings}) == 2
    for value in (first, second):
        assert_no_secret(out.read_text() + result.output, value)


# 4. A real baseline's settings are honoured, as detect-secrets-hook honours them ------------


def test_baseline_settings_are_honoured_like_detect_secrets_hook(tmp_path):
    repo = new_repo(tmp_path)
    (repo / "README.md").write_text("# app\n")
    commit(repo, "start", 1)
    made = _detect_secrets(
        repo,
        "scan",
        "--exclude-files",
        "^fixtures/",
        "--exclude-lines",
        "LEGACY_ALLOWED",
        "--exclude-secrets",
        "^AKIAZZ",
        "--disable-plugin",
        "KeywordDetector",
        "--base64-limit",
        "3.5",
    )
    assert made.returncode == 0, made.stderr
    (repo / ".secrets.baseline").write_text(made.stdout)
    settings = json.loads(made.stdout)
    assert "KeywordDetector" not in {p["name"] for p in settings["plugins_used"]}
    mid_entropy = "".join(RNG.sample(string.ascii_letters, 14)) * 2  # 14 distinct: ~3.8 bits
    (repo / "fixtures").mkdir()
    (repo / "fixtures" / "keys.py").write_text(f'K = "{aws_key_id(RNG)}"\n')
    (repo / "app.py").write_text(
        f'LEGACY = "{aws_key_id(RNG)}"  # LEGACY_ALLOWED\n'
        f'password = "{random_string(RNG, 14)}!"\n'
        f'AWS = "{aws_key_id(RNG)}"\n'
        f'PINNED = "AKIAZZ{random_string(RNG, 14, string.ascii_uppercase)}"\n'
        f'TOKEN = "{mid_entropy}"\n'
    )
    commit(repo, "secrets", 2)
    scan = _scan(repo, tmp_path)
    expected = _hook(repo, ".secrets.baseline", "app.py", "fixtures/keys.py")
    assert _found(scan) == expected
    assert ("app.py", "AWS Access Key") in expected
    assert ("app.py", "Base64 High Entropy String") in expected  # the custom 3.5 limit
    assert not any(t == "Secret Keyword" for _p, t in expected)
    # the settings are part of the cache key
    default_key = Engine().settings_key
    assert Engine(settings).settings_key != default_key
    assert list((tmp_path / "cache").glob(f"*{Engine(settings).settings_key}*"))


# 5. `launchgate baseline` extends a detect-secrets baseline without damaging it -------------


def test_launchgate_baseline_keeps_an_existing_baseline_intact(tmp_path):
    repo = new_repo(tmp_path)
    (repo / "old.py").write_text(f'A = "{aws_key_id(RNG)}"\n')
    commit(repo, "old", 1)
    made = _detect_secrets(
        repo, "scan", "--exclude-files", "^vendor/", "--disable-plugin", "KeywordDetector"
    )
    assert made.returncode == 0, made.stderr
    original = json.loads(made.stdout)
    for entry in original["results"]["old.py"]:
        entry["is_secret"] = False  # an audit result
    (repo / ".secrets.baseline").write_text(json.dumps(original, indent=2) + "\n")
    (repo / "new.py").write_text(f'B = "{aws_key_id(RNG)}"\n')
    (repo / "vendor").mkdir()
    (repo / "vendor" / "lib.py").write_text(f'C = "{aws_key_id(RNG)}"\n')
    commit(repo, "new", 2)
    result = run_cli("baseline", "--repo", str(repo))
    assert result.code == 0, result.output
    text = (repo / ".secrets.baseline").read_text()
    updated = json.loads(text)
    for key in ("version", "plugins_used", "filters_used", "generated_at"):
        assert updated[key] == original[key], key
    assert updated["results"]["old.py"] == original["results"]["old.py"]
    assert [e["type"] for e in updated["results"]["new.py"]] == ["AWS Access Key"]
    assert "line_number" not in updated["results"]["new.py"][0]
    assert "vendor/lib.py" not in updated["results"]  # the baseline's own exclusion
    assert list(updated["results"]) == sorted(updated["results"])
    again = run_cli("baseline", "--repo", str(repo))
    assert again.code == 0 and (repo / ".secrets.baseline").read_text() == text
    assert "0 secret(s) newly accepted as 0 baseline entries" in again.output
    assert run_cli("secrets", "--repo", str(repo)).code == 0


# 6. A broken cache file is an empty cache, never an internal error --------------------------


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        "null",
        "garbage{",
        '{"format": 2, "settings_k',
        '{"format": 2, "settings_key": "KEY", "scanned": [1], "hits": []}',
        '"text"',
    ],
)
def test_invalid_cache_is_treated_as_empty(tmp_path, content):
    repo = new_repo(tmp_path)
    (repo / "a.py").write_text(f'A = "{aws_key_id(RNG)}"\n')
    commit(repo, "a", 1)
    first = _scan(repo, tmp_path)
    [path] = (tmp_path / "cache").glob("secrets-history-*.json")
    key = path.name.removeprefix("secrets-history-").removesuffix(".json")
    path.write_text(content.replace("KEY", key))
    again = _scan(repo, tmp_path)
    assert [r.where.path for r in again.records] == [r.where.path for r in first.records]
    assert again.stats.cache_hits == 0
    assert len([n for n in again.notes if "cache" in n]) == 1
    assert HistoryCache.load(tmp_path / "cache", key).scanned  # rewritten, valid again


def test_unreadable_cache_via_cli_is_one_summary_line(tmp_path, monkeypatch):
    repo = new_repo(tmp_path)
    (repo / "a.py").write_text(f'A = "{aws_key_id(RNG)}"\n')
    commit(repo, "a", 1)
    assert run_cli("secrets", "--repo", str(repo)).code == 1
    [path] = cache_dir(str(repo), None).glob("secrets-history-*.json")
    path.write_text("[]")
    result = run_cli("secrets", "--repo", str(repo))
    assert result.code == 1, result.output
    assert "internal error" not in result.output and "cache" in result.output


# 7. A secret inside a 2 MB single line is found ---------------------------------------------


def test_secret_inside_a_two_megabyte_line_is_judged(tmp_path):
    from detect_secrets.core.scan import _process_line_based_plugins

    from launchgate.secrets import scan_text

    key = aws_key_id(RNG)
    filler = ",".join(f"a{i}:{i}" for i in range(120_000))  # ~1.3 MB of minified code
    line = f"var x={{{filler}}};var k='{key}';var y={{{filler}}};"
    assert len(line) > 2_000_000
    repo = new_repo(tmp_path)
    (repo / "bundle.min.js").write_text(line + "\n")
    commit(repo, "bundle", 1)
    scan = _scan(repo, tmp_path)
    assert [(r.where.path, r.where.line, r.type) for r in scan.records] == [
        ("bundle.min.js", 1, "AWS Access Key")
    ]
    assert scan.stats.long_lines_windowed == 1
    at = line.index(key)
    window = line[at - 200 : at + 200]
    theirs = {
        (s.type, s.secret_hash)
        for s in _process_line_based_plugins([(1, window)], filename="bundle.min.js")
    }
    assert {(r.type, r.hashed_secret) for r in scan.records} == theirs
    assert [(h.type, h.line) for h in scan_text(line, "bundle.min.js")] == [("AWS Access Key", 1)]


# 8. The cache key follows the rule tables and the launchgate version ------------------------


def test_settings_key_follows_rules_and_version(monkeypatch):
    import launchgate
    from launchgate.secrets import engine as engine_module

    base = Engine().settings_key
    monkeypatch.setattr(engine_module, "RULES_DIGEST", "changed-rules")
    assert Engine().settings_key != base
    monkeypatch.undo()
    monkeypatch.setattr(launchgate, "__version__", "9.9.9")
    assert Engine().settings_key != base


# 9. `pragma: whitelist secret` works like `allowlist` ---------------------------------------


def test_whitelist_pragma_is_an_allowlist(tmp_path):
    repo = new_repo(tmp_path)
    value = _ghp()
    (repo / "client.py").write_text(f'TOKEN = "{value}"\n')
    commit(repo, "add", 1)
    assert "client.py" in {r.where.path for r in _scan(repo, tmp_path).records}
    (repo / "client.py").write_text(f'TOKEN = "{value}"  # pragma: whitelist secret\n')
    commit(repo, "mark it", 2)
    assert _hook(repo, None, "client.py") == set()
    after = _scan(repo, tmp_path)
    assert "client.py" not in {r.where.path for r in after.records}


# 10. The two-character placeholder rule leaves short real values alone ----------------------


def test_short_values_are_not_placeholders(tmp_path):
    assert noise_reason("app.py", 'password = "q9"', "q9") == ""  # pragma: allowlist secret
    assert noise_reason("app.py", 'password = "aa"', "aa") == ""  # pragma: allowlist secret
    assert noise_reason("app.py", 'password = "xxxxxxxx"', "xxxxxxxx") == "placeholder"
    repo = new_repo(tmp_path)
    (repo / "app.py").write_text('password = "q9"\n')
    commit(repo, "short", 1)
    assert (
        _found(_scan(repo, tmp_path))
        == _hook(repo, None, "app.py")
        == {("app.py", "Secret Keyword")}
    )


# 11. No merge-base: diff mode says what it scanned ------------------------------------------


def test_diff_without_merge_base_says_so(tmp_path):
    repo = new_repo(tmp_path)
    (repo / "a.py").write_text("x = 1\n")
    commit(repo, "main", 1)
    git(repo, "checkout", "-q", "--orphan", "other")
    (repo / "b.py").write_text(f'K = "{aws_key_id(RNG)}"\n')
    commit(repo, "unrelated", 2)
    out = tmp_path / "r.json"
    result = run_cli(
        "secrets", "--repo", str(repo), "--base", "main", "--head", "other", "--json", str(out)
    )
    assert result.code == 1, result.output
    report = json.loads(out.read_text())
    assert "no merge-base" in report["checks"][0]["summary"]
    assert [f["id"] for f in report["findings"]] == ["secrets.in-diff"]


def test_unusable_baseline_settings_are_a_clear_error(tmp_path):
    repo = new_repo(tmp_path)
    (repo / "a.py").write_text("x = 1\n")
    (repo / ".secrets.baseline").write_text(
        json.dumps(
            {
                "version": "1.5.0",
                "plugins_used": [{"name": "NoSuchDetector"}],
                "filters_used": [],
                "results": {},
            }
        )
    )
    commit(repo, "a", 1)
    result = run_cli("secrets", "--repo", str(repo))
    assert result.code == 3, result.output
    assert "unknown or custom plugin(s) NoSuchDetector" in result.output
    assert "internal error" not in result.output


def test_value_identity_is_the_whole_token_but_not_the_variable_name():
    engine = Engine()
    first, second = _ghp(), _ghp()

    def ids(line: str) -> set[str]:
        return {h.value_id for h in engine.judge("app.py", line) if h.type == "GitHub Token"}

    assert ids(f"a: {first}") != ids(f"a: {second}")
    assert ids(f"a: {first}") == ids(f"other_name: {first}")
    secret = random_string(RNG, 40, ALNUM + "/+")

    def aws_ids(line: str) -> set[str]:
        return {h.value_id for h in engine.judge("app.py", line) if h.type == "AWS Access Key"}

    one, other = aws_ids(f'aws_secret_key = "{secret}"'), aws_ids(f'AWS_TOKEN = "{secret}"')
    assert one and one == other
