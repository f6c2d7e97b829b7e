"""The secrets check on a generated repository with labelled secrets: classification, hard
negatives, pragmas, baseline, exclusions, cache, shallow clones, odd files, parity with
detect-secrets, and no secret in any output."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from launchgate.secrets.engine import Engine
from launchgate.secrets.scan import ScanOptions, scan_repository
from tests.conftest import assert_no_secret, run_cli
from tests.support.secrets_fixture import build_repo, commit, git

ENGINE = Engine()


@pytest.fixture(scope="module")
def fixture_repo(tmp_path_factory):
    return build_repo(tmp_path_factory.mktemp("secrets"))


@pytest.fixture
def repo_copy(fixture_repo, tmp_path):
    """A private copy (tests that add commits or caches must not disturb the others)."""
    target = tmp_path / "repo"
    shutil.copytree(fixture_repo.path, target)
    shutil.rmtree(target / ".git" / "launchgate", ignore_errors=True)
    return target


def _config(tmp_path: Path, **secrets: object) -> Path:
    lines = ["checks:", "  secrets:"] + [f"    {k}: {json.dumps(v)}" for k, v in secrets.items()]
    path = tmp_path / "launchgate.yml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _by_path(report: dict) -> dict[str, str]:
    return {f["location"]["path"]: f["id"] for f in report["findings"]}


def test_diff_and_history_classification(fixture_repo, tmp_path):
    config = _config(tmp_path, exclude_paths=["vendor/*"], cache=str(tmp_path / "cache"))
    out = tmp_path / "r.json"
    result = run_cli(
        "secrets",
        "--repo",
        str(fixture_repo.path),
        "--config",
        str(config),
        "--base",
        "main",
        "--head",
        "feature",
        "--history",
        "--json",
        str(out),
    )
    assert result.code == 1, result.output
    report = json.loads(out.read_text())
    assert _by_path(report) == {
        "feature.py": "secrets.in-diff",
        "deploy.py": "secrets.in-head",
        "settings.py": "secrets.in-history",
    }
    severities = {f["id"]: f["severity"] for f in report["findings"]}
    assert severities == {
        "secrets.in-diff": "blocker",
        "secrets.in-head": "blocker",
        "secrets.in-history": "important",
    }
    diff = next(f for f in report["findings"] if f["id"] == "secrets.in-diff")
    assert diff["title"].startswith("GitHub Token")
    assert diff["location"]["line"] == 2 and len(diff["location"]["commit"]) == 40
    history = next(f for f in report["findings"] if f["id"] == "secrets.in-history")
    assert "2024-01-02" in history["detail"]  # the commit that added it (its author date)
    metrics = report["metrics"]["secrets"]
    assert metrics["commits_scanned"] == 8
    assert metrics["baseline_known"] >= 1 and metrics["noise_ignored"] >= 2
    assert {"lines_scanned", "bytes_scanned", "duration_s", "cache_hits"} <= set(metrics)


def test_hard_negatives_pragmas_and_baseline_produce_nothing(fixture_repo, tmp_path):
    scan = scan_repository(
        str(fixture_repo.path),
        ScanOptions(cache=str(tmp_path / "c")),
        base="main",
        head="feature",
        engine=ENGINE,
    )
    paths = {r.where.path for r in scan.records}
    for quiet in (
        "config.py",
        "index.html",
        "package-lock.json",
        "pnpm-lock.yaml",
        "allowed.py",
        "README.md",
        "known.py",
        "logo.bin",
    ):
        assert quiet not in paths, quiet
    assert "vendor/lib.py" in paths  # not excluded here: exclusion is what removes it
    # the SRI hash and pnpm lockfile are detect-secrets hits launchgate knows to be noise
    noise = {(h.path, h.noise) for h in scan.raw_history if h.noise}
    assert ("index.html", "sri-hash") in noise and ("pnpm-lock.yaml", "lockfile") in noise
    assert ("config.py", "placeholder") in noise


def test_parity_with_detect_secrets_on_the_fixture(fixture_repo, tmp_path):
    from tests.support.secrets_reference import reference_hits

    reference = set(reference_hits(str(fixture_repo.path), ("feature",)))
    scan = scan_repository(
        str(fixture_repo.path),
        ScanOptions(cache=str(tmp_path / "c")),
        engine=ENGINE,
        head="feature",
    )
    mine = {(h.commit, h.path, h.line, h.type, h.hashed_secret) for h in scan.raw_history}
    assert mine <= reference
    # The one deliberate difference: in a modified file scan_diff reads an `allowlist nextline`
    # pragma from the list of added lines, not the file's previous line; launchgate reads the
    # file, so it honours this pragma where scan_diff misses it.
    assert {(path, line) for _c, path, line, _t, _h in reference - mine} == {("README.md", 4)}
    assert len(mine) >= 8


def test_no_secret_value_in_any_output(fixture_repo, tmp_path):
    outputs = {name: tmp_path / name for name in ("r.json", "r.md", "r.sarif")}
    check = run_cli(
        "check",
        "--repo",
        str(fixture_repo.path),
        "--base",
        "main",
        "--head",
        "feature",
        "--only",
        "secrets",
        "--json",
        str(outputs["r.json"]),
        "--markdown",
        str(outputs["r.md"]),
        "--sarif",
        str(outputs["r.sarif"]),
    )
    assert check.code == 1, check.output
    plain = run_cli("secrets", "--repo", str(fixture_repo.path))
    texts = {
        "check stdout": check.stdout,
        "check stderr": check.stderr,
        "secrets stdout": plain.stdout,
        "secrets stderr": plain.stderr,
    }
    texts |= {name: path.read_text() for name, path in outputs.items()}
    for cache_file in (fixture_repo.path / ".git" / "launchgate").glob("*.json"):
        texts[cache_file.name] = cache_file.read_text()
    assert "secrets.in-diff" in texts["r.json"] and "feature.py" in texts["r.md"]
    for label, value in fixture_repo.secrets.items():
        for where, text in texts.items():
            assert_no_secret(text, value, where=f"{where} ({label})")


def test_cache_rescans_only_new_commits(repo_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("LAUNCHGATE_CACHE_DIR", str(tmp_path / "ci-cache"))
    first = scan_repository(str(repo_copy), ScanOptions(), engine=ENGINE)
    assert first.stats.cache_hits == 0 and first.stats.lines_scanned > 0
    assert list((tmp_path / "ci-cache" / "secrets").glob("secrets-history-*.json"))
    again = scan_repository(str(repo_copy), ScanOptions(), engine=ENGINE)
    assert again.stats.cache_hits == 8 and again.stats.lines_scanned == 0
    assert [r.hashed_secret for r in again.records] == [r.hashed_secret for r in first.records]
    late = 'api_key = "Hq4Lm8Vz1Kd7Np3Rb6"\n'  # pragma: allowlist secret
    (repo_copy / "late.py").write_text(late)
    commit(repo_copy, "c8 late", 9)
    third = scan_repository(str(repo_copy), ScanOptions(), engine=ENGINE)
    assert third.stats.cache_hits == 8 and third.stats.lines_scanned == 1
    assert "late.py" in {r.where.path for r in third.records}


def test_baseline_is_stable_and_accepts_everything(repo_copy, tmp_path):
    baseline = tmp_path / "accepted.baseline"
    config = _config(tmp_path, baseline=str(baseline), cache=str(tmp_path / "c"))
    first = run_cli(
        "baseline", "--repo", str(repo_copy), "--config", str(config), "--output", str(baseline)
    )
    assert first.code == 0, first.output
    assert "newly accepted as" in first.stdout
    assert "still in the code at HEAD" in first.stderr  # the fixture keeps secrets at head
    content = baseline.read_bytes()
    second = run_cli(
        "baseline", "--repo", str(repo_copy), "--config", str(config), "--output", str(baseline)
    )
    assert second.code == 0 and baseline.read_bytes() == content
    data = json.loads(content)
    assert data["version"] == "1.5.0" and "generated_at" not in data
    assert all("line_number" not in e for entries in data["results"].values() for e in entries)
    assert "settings.py" in data["results"] and "known.py" in data["results"]
    after = run_cli("secrets", "--repo", str(repo_copy), "--config", str(config))
    assert after.code == 0, after.output


def test_shallow_clone_is_reported_and_missing_base_is_an_error(fixture_repo, tmp_path):
    clone = tmp_path / "shallow"
    subprocess.run(
        [
            "git",
            "clone",
            "-q",
            "--depth",
            "1",
            "--branch",
            "feature",
            f"file://{fixture_repo.path}",
            str(clone),
        ],
        check=True,
    )
    out = tmp_path / "r.json"
    result = run_cli("secrets", "--repo", str(clone), "--json", str(out))
    report = json.loads(out.read_text())
    ids = {f["id"] for f in report["findings"]}
    assert "secrets.shallow-clone" in ids and result.code == 1
    missing = run_cli(
        "secrets", "--repo", str(clone), "--base", "0" * 40, "--head", "HEAD", "--json", str(out)
    )
    assert missing.code == 3, missing.output
    report = json.loads(out.read_text())
    assert "fetch-depth: 0" in report["checks"][0]["summary"]
    assert "secrets.shallow-clone" in {f["id"] for f in report["findings"]}


def test_empty_repo_not_a_repo_and_no_base(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    result = run_cli("secrets", "--repo", str(empty))
    assert result.code == 0 and "no commits" in result.output
    nothing = tmp_path / "plain"
    nothing.mkdir()
    result = run_cli("secrets", "--repo", str(nothing))
    assert result.code == 2 and "not a git repository" in result.stderr
    assert "Traceback" not in result.output


def test_check_without_base_skips_the_diff_part(fixture_repo, tmp_path):
    config = _config(tmp_path, history=False)
    result = run_cli(
        "check", "--repo", str(fixture_repo.path), "--config", str(config), "--only", "secrets"
    )
    assert result.code == 0 and "no base revision" in result.output


@pytest.mark.slow  # scans tens of MB
def test_big_binary_and_non_utf8_files(tmp_path):
    repo = tmp_path / "odd"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "bundle.min.js").write_text(
        "var a=" + ",".join(f"'w{i:07d}'" for i in range(1_100_000)) + ";\n"
    )  # 11 MB, nothing to judge
    (repo / "forms.min.js").write_text(
        "var f=[" + ",".join(f"{{password:p{i}}}" for i in range(100_000)) + "];\n"
    )  # 1.6 MB, needs judging
    (repo / "blob.bin").write_bytes(bytes(range(256)) * 64)
    text = 'caf\xe9 = 1\npassword = "Qm7#vL2$pX9wRt4k"\n'  # pragma: allowlist secret
    (repo / "latin1.py").write_bytes(text.encode("latin-1"))
    commit(repo, "odd files", 1)
    scan = scan_repository(str(repo), ScanOptions(cache=str(tmp_path / "c")), engine=ENGINE)
    assert scan.stats.long_lines_windowed == 1  # forms.min.js: judged in windows
    assert [(r.where.path, r.where.line, r.type) for r in scan.records] == [
        ("latin1.py", 2, "Secret Keyword")
    ]


def test_scan_text_for_bundles_uses_the_engine():
    from launchgate.secrets import scan_text

    hits = scan_text('const k="AKIAZ3MPLE7Q2W4R6T8Y";\nconst x = 1;\n', "app.js")
    assert [(h.type, h.line) for h in hits] == [("AWS Access Key", 1)]
    assert scan_text("var a = 1;\n", "app.js") == ()


def test_demo_shows_a_blocker_in_the_change_and_a_secret_in_history(demo_run):
    assert demo_run.result.code == 0, demo_run.result.output
    report = demo_run.report
    assert report["verdict"] == "fail"
    found = {(f["id"], f["severity"], f["location"]["path"]) for f in report["findings"]}
    assert ("secrets.in-diff", "blocker", "billing.py") in found
    assert ("secrets.in-history", "important", "settings.py") in found
    assert "secrets.in-diff" in (demo_run.output / "report.md").read_text()


def test_secret_allowlisted_later_is_not_a_history_finding(repo_copy, tmp_path):
    value = "ghp_" + "Q7w" * 12  # generated shape, not a real token
    (repo_copy / "client.py").write_text(f'TOKEN = "{value}"\n')
    commit(repo_copy, "add client", 10)
    before = scan_repository(str(repo_copy), ScanOptions(cache=str(tmp_path / "c")), engine=ENGINE)
    assert "client.py" in {r.where.path for r in before.records}
    (repo_copy / "client.py").write_text(f'TOKEN = "{value}"  # pragma: allowlist secret\n')
    commit(repo_copy, "mark the test token", 11)
    after = scan_repository(str(repo_copy), ScanOptions(cache=str(tmp_path / "c")), engine=ENGINE)
    assert "client.py" not in {r.where.path for r in after.records}
    assert "client.py" not in {r.introduced.path for r in after.records}


def test_odd_paths_renames_and_crlf(tmp_path):
    repo = tmp_path / "paths"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    odd = repo / "dir with space" / 'na\u00efve "q"\tx.py'
    odd.parent.mkdir()
    value = "AKIA" + "Z7Q2" * 4  # generated shape, not a real key
    odd.write_bytes(f'KEY = "{value}"\r\n'.encode())
    commit(repo, "odd path", 1)
    git(repo, "mv", "dir with space", "moved")
    (repo / "moved" / odd.name).write_bytes(f'KEY = "{value}"\r\nOTHER = 1\r\n'.encode())
    commit(repo, "rename and edit", 2)
    scan = scan_repository(str(repo), ScanOptions(cache=str(tmp_path / "c")), engine=ENGINE)
    # without rename detection a moved file is added again: its lines are seen at both paths
    assert {h.path for h in scan.raw_history} == {f"dir with space/{odd.name}", f"moved/{odd.name}"}
    [record] = scan.records
    assert record.origin == "head" and record.where.path == f"moved/{odd.name}"


def test_blocks_split_inside_a_huge_commit_give_the_same_hits(fixture_repo):
    import io
    from dataclasses import astuple

    from launchgate.secrets.gitlog import log_command, parse_block, read_blocks

    log = subprocess.run(
        log_command(str(fixture_repo.path), ("feature",)), capture_output=True, check=True
    ).stdout
    whole = parse_block(ENGINE, log).hits
    blocks = list(read_blocks(io.BytesIO(log), block_bytes=64))
    assert len(blocks) > 8
    assert max(len(b) for b in blocks) < 4 * 64 + 1024
    pieces = [h for block in blocks for h in parse_block(ENGINE, block).hits]
    assert sorted(map(astuple, pieces)) == sorted(map(astuple, whole)) and whole


def test_worker_pool_gives_the_same_hits(fixture_repo, tmp_path, monkeypatch):
    from launchgate.secrets import gitlog, scan

    single = scan_repository(
        str(fixture_repo.path), ScanOptions(cache=str(tmp_path / "a")), engine=ENGINE
    )
    monkeypatch.setattr(scan, "POOL_MIN_COMMITS", 0)
    real_read_blocks = gitlog.read_blocks
    monkeypatch.setattr(scan, "read_blocks", lambda s: real_read_blocks(s, block_bytes=512))
    pooled = scan_repository(
        str(fixture_repo.path), ScanOptions(cache=str(tmp_path / "b"), workers=2), engine=ENGINE
    )
    assert sorted(map(str, pooled.raw_history)) == sorted(map(str, single.raw_history))
    assert [r.hashed_secret for r in pooled.records] == [r.hashed_secret for r in single.records]


def test_history_severity_is_configurable(fixture_repo, tmp_path):
    config = _config(
        tmp_path, history_severity="later", exclude_paths=["vendor"], cache=str(tmp_path / "c")
    )
    out = tmp_path / "r.json"
    result = run_cli(
        "check",
        "--repo",
        str(fixture_repo.path),
        "--config",
        str(config),
        "--only",
        "secrets",
        "--head",
        "main",
        "--json",
        str(out),
    )
    report = json.loads(out.read_text())
    assert {(f["id"], f["severity"]) for f in report["findings"]} == {
        ("secrets.in-head", "blocker"),
        ("secrets.in-history", "later"),
    }
    assert result.code == 1
