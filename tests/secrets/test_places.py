"""Every place a secret sits (issue 14 part 1): one finding per place at HEAD, per place in
the change, and per path a deleted secret was added to; private keys told apart by their body;
fingerprints that survive unrelated edits; the markdown groups the places of one value while
JSON, SARIF and the annotations carry each. Real repositories; values generated at run time
and never printed (assertions compare paths, counts and fingerprints)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from launchgate.action.commands import annotation
from launchgate.render.markdown import render_markdown
from launchgate.secrets.engine import Engine
from tests.conftest import assert_no_secret, run_cli
from tests.support.secrets_fixture import (
    commit,
    git,
    made_up_pem,
    new_repo,
    random_string,
    scan_with_cache,
)

ENGINE = Engine()
RNG = random.Random(1414)


def _ghp() -> str:
    return "ghp_" + random_string(RNG, 36)


def _pem(kind: str = "RSA ") -> str:
    return made_up_pem(RNG, kind=kind)


def _scan(repo: Path, tmp_path: Path, **kwargs):
    return scan_with_cache(repo, tmp_path, ENGINE, **kwargs)


def _places(scan) -> set[tuple[str, str, int]]:
    return {(r.origin, r.where.path, r.where.line) for r in scan.records}


def _report(repo: Path, tmp_path: Path, *args: str) -> tuple[dict, str]:
    out, md, sarif = tmp_path / "r.json", tmp_path / "r.md", tmp_path / "r.sarif"
    result = run_cli(
        "check",
        "--repo",
        str(repo),
        "--only",
        "secrets",
        "--json",
        str(out),
        "--markdown",
        str(md),
        "--sarif",
        str(sarif),
        *args,
    )
    assert result.code == 1, result.output[-400:]
    text = out.read_text() + md.read_text() + sarif.read_text() + result.output
    return json.loads(out.read_text()), text


def test_every_place_at_head_is_a_finding_and_the_comment_groups_them(tmp_path):
    repo = new_repo(tmp_path)
    token = _ghp()
    for i in range(12):
        (repo / f"svc{i:02d}.py").write_text(f'import os\n\nTOKEN = "{token}"\n')
    (repo / "two.py").write_text(f'A = "{token}"\nB = 1\nC = "{token}"\n')
    # names that differ only in what a URL's build hash looks like are still two places
    (repo / "settings2024.py").write_text(f'T = "{token}"\n')
    (repo / "settings2025.py").write_text(f'T = "{token}"\n')
    other = _ghp()
    (repo / "other.py").write_text(f'T = "{other}"\n')
    commit(repo, "spread one token", 1)
    report, text = _report(repo, tmp_path)
    assert_no_secret(text, token)
    assert_no_secret(text, other)
    heads = [f for f in report["findings"] if f["id"] == "secrets.in-head"]
    assert sorted((f["location"]["path"], f["location"]["line"]) for f in heads) == sorted(
        [(f"svc{i:02d}.py", 3) for i in range(12)]
        + [
            ("two.py", 1),
            ("two.py", 3),
            ("other.py", 1),
            ("settings2024.py", 1),
            ("settings2025.py", 1),
        ]
    )
    assert len({f["fingerprint"] for f in heads}) == 17
    groups = {f["group"] for f in heads}
    assert len(groups) == 2
    # SARIF and the annotations carry every place
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 17
    annotations = [annotation(f) for f in report["findings"]]
    assert sum("file=svc" in a for a in annotations) == 12
    # the comment: one entry for the 16 places of the token (10 listed, "and 6 more"),
    # one for the other token
    markdown = render_markdown(report)
    assert markdown.count("**GitHub Token in the code**") == 2
    assert "*16 places:*" in markdown and "and 6 more" in markdown
    listed = markdown.split("*16 places:*")[1].split("\n")[0]
    assert listed.count("`") == 20


def test_places_in_the_change_and_at_head_and_where_a_deleted_one_was_added(tmp_path):
    repo = new_repo(tmp_path)
    kept, gone = _ghp(), _ghp()
    (repo / "old.py").write_text(f'K = "{kept}"\n')
    (repo / "a.py").write_text(f'G = "{gone}"\n')
    commit(repo, "c1", 1)
    (repo / "b.py").write_text(f'G = "{gone}"\n')
    commit(repo, "c2", 2)
    (repo / "a.py").write_text("G = None\n")
    (repo / "b.py").write_text("G = None\n")
    commit(repo, "c3 delete", 3)
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "new.py").write_text(f'X = 1\nK = "{kept}"\nY = "{kept}"\n')
    commit(repo, "c4 reuse the kept token", 4)
    scan = _scan(repo, tmp_path, base="main")
    assert _places(scan) == {
        ("diff", "new.py", 2),
        ("diff", "new.py", 3),
        ("head", "old.py", 1),
        ("history", "a.py", 1),
        ("history", "b.py", 1),
    }
    by_path = {r.where.path: r for r in scan.records if r.origin == "history"}
    # each deleted place names the commit that added it there
    c1, c2 = (git(repo, "rev-parse", f"main~{n}").strip() for n in (2, 1))
    assert (by_path["a.py"].where.commit, by_path["b.py"].where.commit) == (c1, c2)
    assert {r.places for r in scan.records} == {3, 2}


def test_two_private_keys_are_two_secrets_and_an_accepted_one_hides_no_other(tmp_path):
    repo = new_repo(tmp_path)
    fixture, real = _pem(), _pem()
    (repo / "tests").mkdir()
    (repo / "tests" / "key.pem").write_text(fixture)
    (repo / "deploy.pem").write_text(real)
    # the same real key, JSON-escaped on one line, is the same secret
    escaped = real.replace("\n", "\\n")
    (repo / "creds.json").write_text(f'{{"private_key": "{escaped}"}}\n')
    # the fixture key, accepted on its line
    (repo / "allowed.py").write_text(
        f'KEY = """{fixture.splitlines()[0]}  # pragma: allowlist secret\n'
        + "\n".join(fixture.splitlines()[1:])
        + '\n"""\n'
    )
    commit(repo, "keys", 1)
    scan = _scan(repo, tmp_path)
    keys = {r.where.path: r.group for r in scan.records if r.type == "Private Key"}
    assert set(keys) == {"tests/key.pem", "deploy.pem", "creds.json"}
    assert keys["deploy.pem"] == keys["creds.json"] != keys["tests/key.pem"]
    # detect-secrets hashes the header only: all three share its sha1
    assert len({r.hashed_secret for r in scan.records if r.type == "Private Key"}) == 1

    # accept the fixture key in the baseline (file, type, hash: detect-secrets' rule)
    header_hash = next(r.hashed_secret for r in scan.records if r.type == "Private Key")
    (repo / ".secrets.baseline").write_text(
        json.dumps(
            {
                "version": "1.5.0",
                "plugins_used": [],
                "filters_used": [],
                "results": {
                    "tests/key.pem": [
                        {
                            "type": "Private Key",
                            "filename": "tests/key.pem",
                            "hashed_secret": header_hash,
                            "is_verified": False,
                        }
                    ]
                },
            }
        )
        + "\n"
    )
    commit(repo, "accept the fixture key", 2)
    (repo / "prod.pem").write_text(_pem())
    commit(repo, "a new real key", 3)
    after = _scan(repo, tmp_path)
    assert {r.where.path for r in after.records if r.type == "Private Key"} == {
        "deploy.pem",
        "creds.json",
        "prod.pem",
    }
    assert len({r.group for r in after.records}) == 2


def test_fingerprints_survive_unrelated_edits_and_tell_places_apart(tmp_path):
    repo = new_repo(tmp_path)
    token = _ghp()
    (repo / "app.py").write_text(f'A = "{token}"\nB = 2\nC = "{token}"\n')
    commit(repo, "add", 1)
    first, _ = _report(repo, tmp_path)
    (repo / "app.py").write_text(
        f'# a header\n# added later\nA = "{token}"\nB = 2\n\nC = "{token}"\n'
    )
    commit(repo, "unrelated lines move the token", 2)
    second, _ = _report(repo, tmp_path)

    def prints(report: dict) -> list[tuple[int, str]]:
        return sorted((f["location"]["line"], f["fingerprint"]) for f in report["findings"])

    before, after = prints(first), prints(second)
    assert [line for line, _ in before] == [1, 3] and [line for line, _ in after] == [3, 6]
    assert [fp for _, fp in before] == [fp for _, fp in after]
    assert len({fp for _, fp in before}) == 2
