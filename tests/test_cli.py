"""The command line: bad input is one line on stderr and exit 2 (never a traceback); real runs
exit 0/1/3; `--fail-on`, `--quiet`, `severity_overrides`, `fail_closed`; lazy imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from launchgate import __version__
from launchgate.demo.app import DemoServer
from tests.conftest import ROOT
from tests.support.secrets_fixture import git

FAILING_STEP = "checks:\n  smoke:\n    steps:\n      - {name: reports, path: /nope}\n"


def assert_usage_error(result, *needles: str) -> None:
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("launchgate: error: ")
    for needle in needles:
        assert needle in lines[0]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("content", "needles"),
    [
        (b"url: http://127.0.0.1:9\nchecks:\n  load: {users: 5\n", (":4: invalid YAML",)),
        (
            b"- url\n- checks\n",
            (":1: expected a mapping of settings at the top level, got a list",),
        ),
        (b"", ("config file is empty",)),
        (b"url: http://127.0.0.1:9\n# \xff\xfe\n", (":2: file is not valid UTF-8",)),
        (
            b"url: http://127.0.0.1:9\nchecks:\n  load:\n    usres: 5\n",
            (":4: checks.load.usres: unknown key; did you mean 'users'?",),
        ),
        (
            b'headers: {x-token: "${LAUNCHGATE_TEST_UNSET}"}\n',
            (":1: headers.x-token: environment variable ${LAUNCHGATE_TEST_UNSET} is not set",),
        ),
    ],
)
def test_bad_config_files(cli, tmp_path, content, needles):
    config = tmp_path / "bad.yml"
    config.write_bytes(content)
    result = cli("check", "--config", str(config))
    assert_usage_error(result, str(config), *needles)


def test_config_file_not_found(cli, tmp_path):
    assert_usage_error(
        cli("check", "--config", str(tmp_path / "nope.yml")), "config file not found", "nope.yml"
    )


def test_broken_config_in_repo_is_found_and_reported(cli, tmp_path):
    (tmp_path / ".launchgate.yml").write_text("fial_on: later\n")
    assert_usage_error(
        cli("check", "--repo", str(tmp_path)),
        ".launchgate.yml:1: fial_on: unknown key; did you mean 'fail_on'?",
    )


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("--url", "ftp://x"), ("--url: invalid URL 'ftp://x'", "only http:// and https://")),
        (("--url", "https://"), ("--url: invalid URL", "no host")),
        (("--only", "nosuchcheck"), ("unknown check 'nosuchcheck'",)),
        (("--skip", "smoke,dnss"), ("unknown check 'dnss'",)),
        (("--fail-on", "sometimes"), ("--fail-on", "invalid choice")),
        (("--set", "checks.load.users=500"), ("--set: checks.load.users: must be at most 100",)),
        (("--set", "nonsense"), ("--set: nonsense: expected KEY=VALUE",)),
        (("--bogus",), ("unrecognized arguments: --bogus",)),
    ],
)
def test_bad_flags(cli, tmp_path, args, needles):
    assert_usage_error(cli("check", *args, cwd=tmp_path), *needles)


def test_repo_must_be_a_directory(cli, tmp_path):
    assert_usage_error(
        cli("check", "--repo", str(tmp_path / "nope")),
        f"--repo {tmp_path / 'nope'}: not a directory",
    )


def test_unknown_command(cli):
    assert_usage_error(cli("bogus"), "invalid choice: 'bogus'")


@pytest.mark.parametrize("where", ["missing-dir", "under-a-file", "proc", "a-dir"])
def test_unwritable_report_paths(cli, tmp_path, where):
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    path = {
        "missing-dir": tmp_path / "no" / "such" / "r.json",
        "under-a-file": blocker / "r.json",
        "proc": "/proc/launchgate-report.json",
        "a-dir": tmp_path,
    }[where]
    # The check is made before any work: the target is never contacted.
    result = cli(
        "check", "--url", "http://127.0.0.1:9", "--allow-private-targets", "--json", str(path)
    )
    assert_usage_error(result, f"--json {path}")
    assert blocker.read_text() == "x"


def test_unwritable_markdown_and_sarif_paths(cli, tmp_path):
    for flag in ("--markdown", "--sarif"):
        path = tmp_path / "nope" / "r"
        assert_usage_error(
            cli("check", "--url", "http://127.0.0.1:9", flag, str(path)),
            f"{flag} {path}: directory",
        )


def test_probing_an_output_path_leaves_no_file(cli, tmp_path):
    result = cli("check", "--url", "https://", "--json", str(tmp_path / "r.json"))
    assert result.code == 2
    assert not (tmp_path / "r.json").exists()


def test_no_command_prints_usage(cli):
    result = cli()
    assert result.code == 2 and "usage: launchgate" in result.stderr
    assert "Traceback" not in result.output


def test_version(cli):
    result = cli("--version")
    assert result.code == 0 and result.stdout.strip() == f"launchgate {__version__}"


# --- real runs ------------------------------------------------------------------------------


def test_exit_codes_from_real_runs(real_reports):
    assert {name: r.code for name, r in real_reports.items()} == {"pass": 0, "fail": 1, "error": 3}
    for made in real_reports.values():
        assert "Traceback" not in made.stdout + made.stderr
    assert "allow_private_targets" in real_reports["error"].stdout


def _failing_config(tmp_path, url: str, extra: str = "") -> str:
    config = tmp_path / ".launchgate.yml"
    config.write_text(f"url: {url}\nallow_private_targets: true\n{extra}{FAILING_STEP}")
    return str(config)


def test_fail_on_never_and_quiet(cli, tmp_path):
    with DemoServer() as app:
        config = _failing_config(tmp_path, app.url)
        failing = cli("check", "--config", config, "--quiet", "--only", "smoke")
        never = cli(
            "check",
            "--config",
            config,
            "--fail-on",
            "never",
            "--quiet",
            "--only",
            "smoke",
            "--json",
            str(tmp_path / "r.json"),
        )
    assert failing.code == 1
    assert failing.stdout == "launchgate FAIL: launch blocked\n" and failing.stderr == ""
    assert never.code == 0, never.output
    # Not "ready to launch": with fail_on never the gate only reports.
    assert (
        never.stdout == ("launchgate PASS: report only (fail_on: never), not a launch decision\n")
        and never.stderr == ""
    )
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["fail_on"] == "never" and report["counts"]["blocker"] == 1
    # The check still says it failed; only the gate's threshold changed.
    assert [c["status"] for c in report["checks"] if c["name"] == "smoke"] == ["failed"]


def test_severity_override_changes_the_verdict(cli, tmp_path):
    with DemoServer() as app:
        config = _failing_config(
            tmp_path, app.url, "severity_overrides: {smoke.unexpected-status: later}\n"
        )
        result = cli(
            "check", "--config", config, "--only", "smoke", "--json", str(tmp_path / "r.json")
        )
    assert result.code == 0, result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert [(f["id"], f["severity"]) for f in report["findings"]] == [
        ("smoke.unexpected-status", "later")
    ]
    assert report["counts"] == {"blocker": 0, "important": 0, "later": 1}
    assert "[later] reports: GET /nope answered 404" in result.stdout


def test_fail_closed_false_lets_an_error_pass(cli, tmp_path):
    config = tmp_path / ".launchgate.yml"
    with DemoServer() as app:
        config.write_text(f"url: {app.url}\nfail_closed: false\n")
        closed = cli("check", "--config", str(config), "--set", "fail_closed=true")
        opened = cli("check", "--config", str(config))
    assert closed.code == 3 and opened.code == 0
    assert "smoke      error" in opened.stdout


def test_config_is_found_in_repo(cli, tmp_path):
    with DemoServer() as app:
        _failing_config(tmp_path, app.url)
        result = cli("check", "--repo", str(tmp_path), "--quiet", "--only", "smoke")
    assert result.code == 1, result.output


def test_url_flag_overrides_the_config(cli, tmp_path):
    with DemoServer() as app:
        config = _failing_config(tmp_path, "http://127.0.0.1:9")
        result = cli(
            "check",
            "--config",
            config,
            "--url",
            app.url,
            "--only",
            "smoke",
            "--json",
            str(tmp_path / "r.json"),
        )
    assert result.code == 1
    assert json.loads((tmp_path / "r.json").read_text())["target"]["url"] == app.url


# --- startup --------------------------------------------------------------------------------


def test_cli_import_is_light():
    """`launchgate --version` must stay fast: no heavy dependency is imported with the CLI."""
    code = (
        "import sys, launchgate.cli\n"
        "heavy = ('locust', 'gevent', 'httpx', 'httpcore', 'dns', 'detect_secrets',\n"
        "         'github', 'jinja2', 'yaml', 'cryptography')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(heavy)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == "[]"


def test_a_gate_that_checked_nothing_does_not_say_ready(cli, tmp_path):
    result = cli("check", "--skip", "secrets", "--markdown", str(tmp_path / "r.md"))
    assert result.code == 0, result.output
    assert result.stdout.startswith(
        "launchgate PASS: nothing was checked (every check was skipped)"
    )
    assert "nothing was checked" in (tmp_path / "r.md").read_text()


def test_secrets_with_a_mistyped_revision_is_a_usage_error(cli, tmp_path):
    git(tmp_path, "init", "-q")
    git(tmp_path, "commit", "-q", "--allow-empty", "-m", "one")
    result = cli("secrets", "--repo", str(tmp_path), "--base", "HEAD", "--head", "nosuch")
    assert result.code == 2
    assert result.stderr.strip() == (
        f"launchgate: error: --head nosuch: no such commit in {tmp_path.resolve()}"
    )


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (("--base", "main"), "--base main:"),
        (("--head", "feature"), "--head feature:"),
        (("--repo", "."), "--repo"),
    ],
)
def test_an_explicit_repo_flag_outside_a_git_repository_is_a_usage_error(cli, tmp_path, args, flag):
    """It used to say PASS, "nothing was checked", exit 0."""
    result = cli("check", *args, cwd=tmp_path)
    assert_usage_error(
        result, f"{flag} ", "is not a git repository", "pass --repo PATH, or --skip secrets"
    )


def test_a_revision_that_does_not_exist_is_a_usage_error(cli, tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "one",
        ],
        check=True,
    )
    assert_usage_error(
        cli("check", "--base", "no-such-branch", cwd=tmp_path),
        "--base no-such-branch: no such commit in",
    )


def test_repo_flags_are_not_needed_when_the_secrets_check_does_not_run(cli, tmp_path):
    for args in (("--base", "main", "--skip", "secrets"), ("--base", "main", "--only", "dns")):
        result = cli("check", *args, cwd=tmp_path)
        assert result.code == 0, result.output
