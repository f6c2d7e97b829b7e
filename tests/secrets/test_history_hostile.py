"""Hostile repositories must not move a `--history` verdict (issue 12, items 1-3): file names
that git quotes or that are not UTF-8, and file content that imitates the history stream's
record separator. Each test builds a real git repository; values are generated at run time
and never printed (comparisons are on paths, types and salted value ids)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from urllib.parse import unquote

import pytest

from launchgate.render.sarif import render_sarif
from launchgate.secrets.engine import Engine
from launchgate.secrets.gitlog import display_path
from launchgate.secrets.scan import ScanOptions, scan_repository
from tests.conftest import run_cli
from tests.support.secrets_fixture import (
    aws_key_id,
    commit,
    git,
    new_repo,
    random_string,
    scan_with_cache,
)

ENGINE = Engine()
RNG = random.Random(1212)


def _write(repo: Path, name: bytes, content: bytes) -> None:
    with open(os.path.join(os.fsencode(repo), name), "wb") as handle:
        handle.write(content)


def _scan(repo: Path, tmp_path: Path):
    return scan_with_cache(repo, tmp_path, ENGINE)


# Names git quotes (control characters, quotes, backslash), a leading dash, and raw bytes
# that are not UTF-8. Each holds its own AWS key at HEAD.
ODD_NAMES = (
    b"a\nb.txt",
    b"tab\there.py",
    b'say "hi".py',
    b"back\\slash.py",
    b"-dash.py",
    b"conf\xe9.py",
    b"cr\r",
    b"sp ace .py",
    b"\xff\xfe.env",
)


def test_every_odd_name_round_trips_to_its_place_at_head(tmp_path):
    repo = new_repo(tmp_path)
    for name in ODD_NAMES:
        _write(repo, name, f'KEY = "{aws_key_id(RNG)}"\n'.encode())
    (repo / "z.py").write_text(f'STRIPE = "sk_live_{random_string(RNG, 24)}"\n')
    commit(repo, "odd names", 1)
    scan = _scan(repo, tmp_path)
    expected = {os.fsdecode(n) for n in ODD_NAMES} | {"z.py"}
    assert {(r.origin, r.where.path) for r in scan.records} == {("head", p) for p in expected}
    assert all(r.where.line == 1 for r in scan.records)
    assert {h.path for h in scan.raw_history} == expected  # the history stream's names too
    again = _scan(repo, tmp_path)  # from the cache: names survive its JSON too
    assert again.stats.cache_hits == 1
    assert [(r.origin, r.where) for r in again.records] == [
        (r.origin, r.where) for r in scan.records
    ]
    # every output shows the name (SARIF as a URI that decodes back to it)
    out = tmp_path / "report.json"
    result = run_cli("secrets", "--repo", str(repo), "--history", "--quiet", "--json", str(out))
    assert result.code == 1, result.output[-400:]
    report = json.loads(out.read_text(encoding="utf-8"))
    shown = {display_path(p) for p in expected}
    assert {f["location"]["path"] for f in report["findings"]} == shown
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in render_sarif(report)["runs"][0]["results"]
    ]
    assert {unquote(u) for u in uris} == shown
    assert not any(c in u for u in uris for c in ' "\n\t\r#')
    # deleted, each is reported where it was added, under its exact name
    for name in ODD_NAMES:
        os.unlink(os.path.join(os.fsencode(repo), name))
    commit(repo, "delete", 2)
    assert {(r.origin, r.where.path) for r in _scan(repo, tmp_path).records} == {
        ("history", p) for p in expected - {"z.py"}
    } | {("head", "z.py")}


def test_newline_in_a_name_does_not_pass_the_gate(tmp_path):
    """Issue 12 item 1, as the user saw it: exit 0 with two secrets at HEAD."""
    repo = new_repo(tmp_path)
    _write(repo, b"a\nb.txt", f"token: ghp_{random_string(RNG, 36)}\n".encode())
    (repo / "z.py").write_text(f'STRIPE = "sk_live_{random_string(RNG, 24)}"\n')
    commit(repo, "add", 1)
    result = run_cli("secrets", "--repo", str(repo), "--history", "--quiet")
    assert result.code == 1, result.output[-400:]
    scan = _scan(repo, tmp_path)
    assert {(r.origin, r.where.path, r.type) for r in scan.records} == {
        ("head", "a\nb.txt", "GitHub Token"),
        ("head", "z.py", "Stripe Access Key"),
    }


def test_non_utf8_name_is_at_head_not_deleted(tmp_path):
    """Issue 12 item 2: `conf\\xe9.py` holding an AWS key at HEAD."""
    repo = new_repo(tmp_path)
    _write(repo, b"conf\xe9.py", f'KEY = "{aws_key_id(RNG)}"\n'.encode())
    commit(repo, "add", 1)
    [record] = _scan(repo, tmp_path).records
    assert record.origin == "head"
    assert display_path(record.where.path) == "conf\ufffd.py"  # what outputs show
    out = tmp_path / "report.json"
    result = run_cli("secrets", "--repo", str(repo), "--history", "--quiet", "--json", str(out))
    assert result.code == 1, result.output[-400:]
    [finding] = json.loads(out.read_text(encoding="utf-8"))["findings"]
    assert (finding["id"], finding["location"]["path"]) == ("secrets.in-head", "conf\ufffd.py")


@pytest.mark.parametrize("fake", ["real-looking", "head-of-stream"])
def test_content_cannot_forge_the_history_record_separator(tmp_path, fake):
    """Issue 12 item 3: NUL + `commit <40 hex> <date>` after git's 8,000-byte binary sniff."""
    repo = new_repo(tmp_path)
    sha = "e" * 40
    filler = b"".join(b"line %05d of plain text\n" % i for i in range(400))  # > 8,000 bytes
    marker = (
        b"\x00commit " + sha.encode() + b" 2024-01-01T10:00:00+00:00"
        if fake == "real-looking"
        else b"\n\x00commit x y"
    )
    _write(repo, b"notes.txt", filler + marker + b"\n" + f'KEY = "{aws_key_id(RNG)}"\n'.encode())
    (repo / "zz.py").write_text(f'STRIPE = "sk_live_{random_string(RNG, 24)}"\n')
    added = commit(repo, "text with a fake record separator", 1)
    scan = _scan(repo, tmp_path)
    assert {(r.origin, r.where.path) for r in scan.records} == {
        ("head", "notes.txt"),
        ("head", "zz.py"),
    }
    notes = next(r for r in scan.records if r.where.path == "notes.txt")
    assert notes.where.line == 402 + marker.count(b"\n")
    # the history stream itself places both secrets in the real commit
    assert {(h.commit, h.path) for h in scan.raw_history} == {
        (added, "notes.txt"),
        (added, "zz.py"),
    }
    # and once deleted, both are still reported from history
    (repo / "notes.txt").unlink()
    (repo / "zz.py").unlink()
    commit(repo, "delete", 2)
    assert {(r.origin, r.where.path) for r in _scan(repo, tmp_path).records} == {
        ("history", "notes.txt"),
        ("history", "zz.py"),
    }


def test_a_nul_after_the_binary_sniff_keeps_the_file_at_head(tmp_path):
    """git reads a file as text when its first 8,000 bytes hold no NUL: its secrets are
    found in history, so the lookup at HEAD must read it as text too."""
    repo = new_repo(tmp_path)
    _write(repo, b"data.txt", f'KEY = "{aws_key_id(RNG)}"\n'.encode() + b"x" * 8100 + b"\x00\n")
    commit(repo, "add", 1)
    assert [(r.origin, r.where.line) for r in _scan(repo, tmp_path).records] == [("head", 1)]


@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\x1c", "\x85", "\u2028"])
def test_line_breaks_git_does_not_know_keep_lines_and_values(tmp_path, separator):
    """git splits lines at LF only; Python's splitlines also at VT, FF, NEL, U+2028 ...:
    the lookup at HEAD must see the lines git showed, or a value is `deleted since`."""
    repo = new_repo(tmp_path)
    body = (
        f'x = 1{separator}y = 2\nKEY = "{aws_key_id(RNG)}"\n'
        f'password = "{random_string(RNG, 10)}{separator}{random_string(RNG, 10)}"\n'
    )
    (repo / "app.py").write_bytes(body.encode())
    commit(repo, "add", 1)
    scan = _scan(repo, tmp_path)
    assert {(r.origin, r.where.line, r.type) for r in scan.records} >= {
        ("head", 2, "AWS Access Key")
    }
    assert {r.origin for r in scan.records} == {"head"}
    assert len(scan.records) == len({(h.type, h.value_id) for h in scan.raw_history})


def test_committed_gitattributes_cannot_hide_files_from_the_scan(tmp_path):
    """`-diff` / `binary` make git print "Binary files differ" for text files; what the scan
    reads must not be decided by a committed file (found nearby: same class as item 3)."""
    repo = new_repo(tmp_path)
    (repo / ".gitattributes").write_text("*.env -diff\n*.txt binary\n")
    (repo / "prod.env").write_text(f"AWS_KEY={aws_key_id(RNG)}\n")
    (repo / "notes.txt").write_text(f'KEY = "{aws_key_id(RNG)}"\n')
    commit(repo, "attributes first", 1)
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "more.env").write_text(f"AWS_KEY={aws_key_id(RNG)}\n")
    commit(repo, "feature", 2)
    scan = scan_repository(
        str(repo), ScanOptions(cache=str(tmp_path / "cache")), base="main", engine=ENGINE
    )
    assert {(r.origin, r.where.path) for r in scan.records} == {
        ("head", "prod.env"),
        ("head", "notes.txt"),
        ("diff", "more.env"),
    }


def test_a_checkout_owned_by_another_user_scans_once_its_work_tree_is_trusted(tmp_path):
    """On a runner the workspace belongs to another uid and the Action marks only the work
    tree as a safe.directory; the history scan reads from the git directory and must be
    trusted there too (the container test found this)."""
    repo = new_repo(tmp_path)
    (repo / "z.py").write_text(f'STRIPE = "sk_live_{random_string(RNG, 24)}"\n')
    commit(repo, "add", 1)
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 4321, 4321)
    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    untrusted = run_cli("secrets", "--repo", str(repo), "--history", "--quiet", env=env)
    assert untrusted.code == 2 and "safe.directory" in untrusted.output
    (home / ".gitconfig").write_text(f"[safe]\n\tdirectory = {repo}\n", encoding="utf-8")
    trusted = run_cli("secrets", "--repo", str(repo), "--history", "--quiet", env=env)
    assert trusted.code == 1, trusted.output[-400:]


def test_a_secret_only_a_merge_commit_adds_is_found_at_head(tmp_path):
    """`git log -p --diff-merges=off` shows no merge's own lines: a secret written while
    resolving a merge ("evil merge") is in no commit's diff. Head's files are read, so it is
    found there, and `git blame` names the merge (found nearby: the same class as item 1)."""
    repo = new_repo(tmp_path)
    (repo / "app.py").write_text("A = 1\n")
    commit(repo, "base", 1)
    git(repo, "checkout", "-q", "-b", "side")
    (repo / "side.py").write_text("S = 1\n")
    commit(repo, "side", 2)
    git(repo, "checkout", "-q", "main")
    (repo / "main.py").write_text("M = 1\n")
    commit(repo, "main", 3)
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "side")
    (repo / "app.py").write_text(f'A = 1\nKEY = "{aws_key_id(RNG)}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "merge side", date="2024-01-04T10:00:00+00:00")
    merge = git(repo, "rev-parse", "HEAD").strip()
    scan = _scan(repo, tmp_path)
    assert not scan.raw_history  # the history stream never saw it
    assert [(r.origin, r.where.path, r.where.line, r.where.commit) for r in scan.records] == [
        ("head", "app.py", 2, merge)
    ]
