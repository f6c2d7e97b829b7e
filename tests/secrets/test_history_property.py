"""Property (issue 12): whatever the file names (any bytes but NUL and `/`) and contents
(NUL bytes, fake `\\0commit <sha> <date>` records, `commit` lines, pragmas, CR, VT, lines
over git's 8,000-byte binary sniff), the secrets a `--history` scan reports at HEAD are exactly
the ones found by reading HEAD's tree file by file, no secret still at HEAD is reported as
deleted, and every hit the history stream yields belongs to a real commit and to a file that
commit changed. Few examples and a deadline keep it quick; real git repositories."""

from __future__ import annotations

import os
import random
import subprocess
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from launchgate.secrets.engine import Engine
from launchgate.secrets.material import place_value_id
from launchgate.secrets.scan import ScanOptions, scan_repository
from tests.support.secrets_fixture import (
    aws_key_id,
    git,
    made_up_pem,
    new_repo,
    random_string,
)

ENGINE = Engine()
RNG = random.Random(1212)


def _pem() -> bytes:
    return made_up_pem(RNG, lines=3).rstrip("\n").encode()


# Made-up values, drawn once (hypothesis picks among them).
SECRET_LINES = (
    [f'TOKEN = "ghp_{random_string(RNG, 36)}"'.encode() for _ in range(3)]
    + [f'AWS = "{aws_key_id(RNG)}"'.encode() for _ in range(2)]
    + [
        f"stripe: sk_live_{random_string(RNG, 24)}".encode(),
        f'password = "{random_string(RNG, 12)}"'.encode(),
        _pem(),
        _pem(),
    ]
)
HOSTILE = (
    b"\x00commit " + b"e" * 40 + b" 2024-01-01T10:00:00+00:00",
    b"\x00commit " + b"0123456789abcdef" * 2 + b"01234567 2024-01-01T10:00:00+00:00",
    b"commit " + b"a" * 40,
    b"\x00",
    b"\r",
    b"\x0b",
    b"x = 1",
    b"\xff\xfe\xe9",
    b"# pragma: allowlist nextline secret",
    b"diff --git a/x b/x",
    b"@@ -1 +1 @@",
    b"+++ b/evil",
    b"a" * 8100,
    b"a" * 8100 + b"\x00commit " + b"e" * 40 + b" 2024-01-01T10:00:00+00:00",
)
PRAGMA = b"  # pragma: allowlist secret"

_name_bytes = st.binary(min_size=1, max_size=10).filter(
    lambda n: (
        b"\0" not in n
        and b"/" not in n
        and n not in (b".", b"..")
        and not n.lower().startswith((b".git", b"git~"))
        and n != b".secrets.baseline"
    )
)
_atom = st.one_of(
    st.sampled_from(SECRET_LINES),
    st.tuples(st.sampled_from(SECRET_LINES), st.just(PRAGMA)).map(b"".join),
    st.sampled_from(HOSTILE),
    st.binary(max_size=20),
)
_content = st.tuples(st.lists(_atom, max_size=6), st.booleans()).map(
    lambda t: b"\n".join(t[0]) + (b"\n" if t[1] else b"")
)


@st.composite
def histories(draw) -> tuple[list[bytes], list[dict[bytes, bytes]]]:
    names = draw(st.lists(_name_bytes, min_size=1, max_size=4, unique=True))
    commits = draw(
        st.lists(
            st.dictionaries(st.sampled_from(names), _content, min_size=1), min_size=1, max_size=3
        )
    )
    return names, commits


def _build(root: Path, names: list[bytes], commits: list[dict[bytes, bytes]]) -> Path:
    repo = new_repo(root)
    base = os.fsencode(repo)
    for day, files in enumerate(commits, 1):
        for name in names:
            target = os.path.join(base, name)
            if name in files:
                with open(target, "wb") as handle:
                    handle.write(files[name])
            elif os.path.lexists(target):
                os.unlink(target)
        git(repo, "add", "-A")
        git(
            repo,
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            f"c{day}",
            date=f"2024-01-{day:02d}T10:00:00+00:00",
        )
    return repo


def _tree_scan(repo: Path) -> set[tuple[str, int, str, str]]:
    """The yardstick, written apart from the scan: every blob of HEAD's tree read by object
    id, split where git splits lines, every line judged (no pre-filter)."""
    listing = subprocess.run(
        ["git", "-C", str(repo), "ls-tree", "-r", "-z", "HEAD"], capture_output=True, check=True
    ).stdout
    found = set()
    for entry in filter(None, listing.split(b"\0")):
        meta, _, name = entry.partition(b"\t")
        oid = meta.split()[2].decode()
        content = subprocess.run(
            ["git", "-C", str(repo), "cat-file", "blob", oid], capture_output=True, check=True
        ).stdout
        if b"\0" in content[:8000]:
            continue
        path = name.decode("utf-8", "surrogateescape")
        lines = [ln.decode("utf-8", "replace") for ln in content.split(b"\n")]
        if lines[-1] == "":
            lines.pop()
        for line_no, hit, allowlisted in ENGINE.scan_lines_with_pragmas(path, lines):
            if not allowlisted and not hit.noise:
                value = place_value_id(hit.type, hit.value_id, lines[line_no - 1], lines[line_no:])
                found.add((path, line_no, hit.type, value))
    return found


@settings(
    max_examples=12,
    deadline=timedelta(seconds=60),
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
@given(history=histories())
@example(
    history=(
        [b"a\nb", b"z"],
        [{b"a\nb": HOSTILE[-1] + b"\n" + SECRET_LINES[0], b"z": SECRET_LINES[3]}],
    )
)
@example(
    history=(
        [b"conf\xe9.py"],
        [{b"conf\xe9.py": SECRET_LINES[6] + PRAGMA}, {b"conf\xe9.py": SECRET_LINES[6]}],
    )
)
def test_history_at_head_equals_a_scan_of_heads_tree(tmp_path_factory, history):
    names, commits = history
    root = tmp_path_factory.mktemp("prop")
    repo = _build(root, names, commits)
    scan = scan_repository(str(repo), ScanOptions(cache=str(root / "cache")), engine=ENGINE)
    tree = _tree_scan(repo)
    at_head = [r for r in scan.records if r.origin == "head"]
    assert {(r.where.path, r.where.line) for r in at_head} == {(p, n) for p, n, _t, _v in tree}
    assert {(r.where.path, r.where.line, r.type, r.value_id) for r in at_head} <= tree
    values_at_head = {(t, v) for _p, _n, t, v in tree}
    assert not [
        r for r in scan.records if r.origin == "history" and (r.type, r.value_id) in values_at_head
    ]
    # the history stream saw every secret at HEAD that a commit's diff shows being added
    # (not: files git diffed as binary in some version, lines a nextline pragma hid when they
    # were added, private keys whose body changed under an unchanged header line)
    seen = {(h.type, h.value_id) for h in scan.raw_history}
    unclear = {
        os.fsdecode(n)
        for n in names
        if any(b"\0" in c.get(n, b"")[:8000] or b"nextline" in c.get(n, b"") for c in commits)
    }
    assert {(t, v) for p, _n, t, v in tree if p not in unclear and t != "Private Key"} <= seen
    # every hit belongs to a real commit and to a file that commit changed
    shas = git(repo, "rev-list", "HEAD").split()
    for sha in {h.commit for h in scan.raw_history}:
        assert sha in shas
        changed = subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "diff-tree",
                "-r",
                "-z",
                "--root",
                "--no-commit-id",
                "--name-only",
                sha,
            ],
            capture_output=True,
            check=True,
        ).stdout.split(b"\0")
        paths = {
            p.encode("utf-8", "surrogateescape")
            for p in {h.path for h in scan.raw_history if h.commit == sha}
        }
        assert paths <= set(changed)
