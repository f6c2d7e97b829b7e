"""The `launchgate` command line: a thin layer that composes config, runner and renderers.

Exit codes: 0 pass, 1 fail, 2 usage or config error, 3 the gate could not decide.
No traceback reaches a user; set LAUNCHGATE_DEBUG=1 to see one for an internal error.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from launchgate import __version__
from launchgate.errors import EXIT_ERROR, EXIT_USAGE, LaunchgateError, UsageError
from launchgate.names import CHECK_NAMES, FAIL_ON_CHOICES

if TYPE_CHECKING:  # only for annotations: importing them would slow `launchgate --version`
    from launchgate.config import Config
    from launchgate.report import Report


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse's own errors: one line, exit 2
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="launchgate", description="Launch-readiness gate for web apps.")
    parser.add_argument("--version", action="version", version=f"launchgate {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="run the gate and print the verdict")
    _add_gate_options(check)
    check.set_defaults(handler=_cmd_check)

    secrets = commands.add_parser("secrets", help="scan a git diff and/or history for secrets")
    secrets.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: .launchgate.yml in --repo, if present)",
    )
    secrets.add_argument("--repo", metavar="PATH", default=".", help="git repository")
    secrets.add_argument("--base", metavar="REV", help="scan the lines added in BASE..HEAD")
    secrets.add_argument("--head", metavar="REV", help="head of the change (default: HEAD)")
    secrets.add_argument(
        "--history",
        action="store_true",
        help="scan every commit reachable from head (default without --base)",
    )
    secrets.add_argument("--json", metavar="PATH", help="write the JSON report here")
    secrets.add_argument("--quiet", action="store_true", help="print only the verdict line")
    secrets.set_defaults(handler=_cmd_secrets)

    baseline = commands.add_parser(
        "baseline", help="accept the current secret findings (writes a detect-secrets baseline)"
    )
    baseline.add_argument("--config", metavar="PATH", help="config file")
    baseline.add_argument("--repo", metavar="PATH", default=".", help="git repository")
    baseline.add_argument(
        "--output",
        metavar="PATH",
        help="baseline file (default: checks.secrets.baseline in --repo)",
    )
    baseline.set_defaults(handler=_cmd_baseline)

    handover = commands.add_parser(
        "handover", help="write HANDOVER.md: hosts, TLS, email, env vars, deploys, open risks"
    )
    handover.add_argument(
        "--report", metavar="PATH", help="a launchgate JSON report (default: run the gate now)"
    )
    handover.add_argument(
        "--output",
        metavar="PATH",
        default="HANDOVER.md",
        help="where to write the document (default: HANDOVER.md)",
    )
    for flag, help_text in (
        ("--config", "config file, when the gate runs now"),
        ("--url", "the app under test, when the gate runs now"),
    ):
        handover.add_argument(flag, help=help_text)
    handover.add_argument("--repo", metavar="PATH", default=".", help="git repository")
    handover.add_argument(
        "--allow-private-targets",
        action="store_true",
        help="allow probing loopback/private addresses, when the gate runs now",
    )
    handover.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="settings",
        help="override a config key, when the gate runs now",
    )
    handover.add_argument("--quiet", action="store_true", help="print only the result line")
    handover.set_defaults(handler=_cmd_handover, fail_on=None)

    demo = commands.add_parser("demo", help="run the whole gate against a built-in local app")
    demo.add_argument(
        "--output",
        default="launchgate-demo",
        metavar="DIR",
        help="where to write the demo's config, report.json and report.md",
    )
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(handler=_cmd_demo)
    return parser


def _add_gate_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: .launchgate.yml in --repo, if present)",
    )
    cmd.add_argument("--url", help="the app under test (overrides `url:` in the config)")
    # None: not given (the working directory); an explicit --repo must be a git repository.
    cmd.add_argument("--repo", metavar="PATH", help="git repository (default: .)")
    cmd.add_argument("--base", metavar="REV", help="base revision of the change")
    cmd.add_argument("--head", metavar="REV", help="head revision of the change")
    cmd.add_argument(
        "--only",
        metavar="a,b",
        type=_check_list,
        default=(),
        help=f"run only these checks ({', '.join(CHECK_NAMES)})",
    )
    cmd.add_argument(
        "--skip", metavar="a,b", type=_check_list, default=(), help="skip these checks"
    )
    cmd.add_argument(
        "--fail-on", choices=FAIL_ON_CHOICES, help="lowest severity that fails the gate"
    )
    cmd.add_argument("--json", metavar="PATH", help="write the JSON report here")
    cmd.add_argument("--markdown", metavar="PATH", help="write the markdown verdict here")
    cmd.add_argument("--sarif", metavar="PATH", help="write SARIF 2.1.0 here")
    cmd.add_argument("--quiet", action="store_true", help="print only the verdict line")
    cmd.add_argument(
        "--allow-private-targets",
        action="store_true",
        help="allow probing loopback/private addresses (local previews, tests)",
    )
    cmd.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="settings",
        help="override a config key, e.g. checks.load.users=5",
    )
    cmd.add_argument(
        "--compare",
        metavar="REPORT.json",
        help="an earlier JSON report (e.g. the base branch's): mark new and fixed "
        "findings and compare p95",
    )
    cmd.add_argument(
        "--watch",
        action="store_true",
        help="a production watch run: read-only unless watch.load/watch.writes "
        "opt in; with --compare (the last watch's report) it also says "
        "what changed (certificates, DNS, new findings)",
    )


def _check_list(value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in CHECK_NAMES]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown check {unknown[0]!r}; choose from {', '.join(CHECK_NAMES)}"
        )
    return names


class _Terminated(KeyboardInterrupt):
    """SIGTERM (a cancelled CI job): unwinds like Ctrl-C, so `finally` blocks stop children."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread (embedded use): leave signals alone
        previous = None
    try:
        return _main(argv)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        code: int = args.handler(args)
        return code
    except LaunchgateError as exc:
        print(f"launchgate: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except _Terminated:
        print("launchgate: terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("launchgate: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        if os.environ.get("LAUNCHGATE_DEBUG"):
            raise
        print(
            f"launchgate: internal error: {type(exc).__name__}: {exc}".splitlines()[0],
            file=sys.stderr,
        )
        return EXIT_ERROR


# --- check ----------------------------------------------------------------------------------


def gate_config(args: argparse.Namespace) -> Config:
    """The config a gate run uses: file (explicit or found in --repo) plus CLI overrides."""
    from launchgate.config import find_config, load_config, parse_set_option

    overrides: dict[str, Any] = {}
    flags: dict[str, str] = {}
    for option in args.settings:
        key, value = parse_set_option(option)
        overrides[key] = value
    for key, flag, value in (
        ("url", "--url", args.url),
        ("fail_on", "--fail-on", args.fail_on),
        ("allow_private_targets", "--allow-private-targets", args.allow_private_targets or None),
    ):
        if value is not None:
            overrides[key] = value
            flags[key] = flag
    if not Path(args.repo).is_dir():
        raise UsageError(f"--repo {args.repo}: not a directory")
    path = args.config
    if path is None:
        path = find_config(args.repo)
    elif not Path(path).is_file():
        raise UsageError(f"config file not found: {path}")
    return load_config(path, overrides=overrides, flags=flags)


def ensure_writable(path: str | None, flag: str) -> None:
    """Fail before a long run, not after it, when a report could not be written."""
    if not path:
        return
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UsageError(f"{flag} {path}: is a directory")
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"{flag} {path}: {parent} is not a directory")
    if not parent.is_dir():
        raise UsageError(f"{flag} {path}: directory {parent} does not exist")
    # os.access() says yes to root everywhere: actually open the file (append mode never
    # truncates), and remove it again if it did not exist before.
    existed = target.exists()
    try:
        with target.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"{flag} {path}: not writable: {exc.strerror or exc}") from None
    if not existed:
        target.unlink(missing_ok=True)


def _cmd_check(args: argparse.Namespace) -> int:
    from launchgate.comparison import read_base
    from launchgate.progress import Progress
    from launchgate.redact import Redactor
    from launchgate.render.files import write_report_files
    from launchgate.report import Target
    from launchgate.runner import run_gate

    for path, flag in (
        (args.json, "--json"),
        (args.markdown, "--markdown"),
        (args.sarif, "--sarif"),
    ):
        ensure_writable(path, flag)
    base = read_base(args.compare) if args.compare else None
    repo_given, args.repo = args.repo is not None, args.repo or "."
    config = gate_config(args)
    _require_repo_flags_honoured(args, config, repo_given=repo_given)
    redactor = Redactor(config.secret_values)
    progress = Progress(quiet=args.quiet, redactor=redactor)
    repo = str(Path(args.repo).resolve())
    target = Target(url=_shown_url(config.url), repo=repo, base=args.base, head=args.head)
    progress.info(f"launchgate {__version__}: checking {target.url or repo}")
    report = run_gate(
        config,
        target,
        only=args.only,
        skip=args.skip,
        progress=progress,
        base=base,
        watch=args.watch,
        base_name="last watch" if args.watch else "base",
    )
    write_report_files(
        report, json_path=args.json, markdown_path=args.markdown, sarif_path=args.sarif
    )
    return _print_verdict(report, quiet=args.quiet)


def _print_verdict(report: Report, *, quiet: bool) -> int:
    """The terminal summary (only its headline with --quiet); returns the exit code."""
    from launchgate.render.text import render_text

    data = report.to_json()
    if quiet:
        print(render_text(data).splitlines()[0])
    else:
        print(render_text(data, color=sys.stdout.isatty()), end="")
    return report.exit_code


def _shown_url(url: str | None) -> str | None:
    from launchgate.config import redact_url

    return redact_url(url) if url else None


# --- secrets / baseline ---------------------------------------------------------------------


def _repo_config(args: argparse.Namespace, overrides: dict[str, Any]) -> Config:
    from launchgate.config import find_config, load_config

    path = args.config
    if path is None:
        path = find_config(args.repo)
    elif not Path(path).is_file():
        raise UsageError(f"config file not found: {path}")
    return load_config(path, overrides=overrides)


def _require_repo_flags_honoured(
    args: argparse.Namespace, config: Config, *, repo_given: bool
) -> None:
    """An explicit --repo, --base or --head is for the secrets check: when it runs and cannot
    honour them (no git repository, no such commit), that is a usage error, never a PASS
    with nothing checked."""
    from launchgate.runner import selected_checks

    revisions = [
        f"{flag} {rev}:" for flag, rev in (("--base", args.base), ("--head", args.head)) if rev
    ]
    if (
        not (repo_given or revisions)
        or selected_checks(args.only, args.skip)["secrets"] is not None
        or not config.checks.secrets.enabled
    ):
        return
    _require_git_repo(
        str(Path(args.repo).resolve()),
        flag="--repo" if repo_given else revisions[0],
        hint=" (run launchgate inside the repository, pass --repo PATH, or --skip secrets)",
    )
    _require_revisions(str(Path(args.repo).resolve()), args.base, args.head)


def _require_revisions(repo: str, base: str | None, head: str | None) -> None:
    from launchgate.git import is_shallow, resolve_commit

    for flag, rev in (("--base", base), ("--head", head)):
        # A typo in a full clone is a usage error; in a shallow clone the commit may just not
        # be fetched, which the check reports (with the fetch-depth fix) as undecided.
        if rev and not resolve_commit(repo, rev) and not is_shallow(repo):
            raise UsageError(f"{flag} {rev}: no such commit in {repo}")


def _require_git_repo(repo: str, *, flag: str = "--repo", hint: str = "") -> None:
    from launchgate.secrets.gitlog import GitError
    from launchgate.secrets.scan import RepoError, repo_toplevel

    try:
        repo_toplevel(repo)
    except (RepoError, GitError) as exc:
        raise UsageError(f"{flag} {exc}{hint}") from None


def _cmd_secrets(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from launchgate.progress import Progress
    from launchgate.render.files import write_report_files
    from launchgate.report import Target
    from launchgate.runner import run_gate

    ensure_writable(args.json, "--json")
    if args.head and not args.base and not args.history:
        raise UsageError("--head needs --base (diff mode) or --history")
    history = args.history or not args.base
    config = _repo_config(
        args,
        {
            "checks.secrets.diff": bool(args.base),
            "checks.secrets.history": history,
            "checks.secrets.enabled": True,
        },
    )
    _require_git_repo(args.repo)
    repo = str(Path(args.repo).resolve())
    _require_revisions(repo, args.base, args.head)
    progress = Progress(quiet=args.quiet)
    target = Target(repo=repo, base=args.base, head=args.head)
    report = run_gate(config, target, only=("secrets",), progress=progress)
    report = replace(report, checks=tuple(c for c in report.checks if c.name == "secrets"))
    write_report_files(report, json_path=args.json)
    return _print_verdict(report, quiet=args.quiet)


def _cmd_baseline(args: argparse.Namespace) -> int:
    from launchgate.secrets.baseline import baseline_document, load_baseline
    from launchgate.secrets.engine import Engine
    from launchgate.secrets.scan import (
        ScanOptions,
        baseline_entries,
        open_repo,
        scan_repository,
    )

    config = _repo_config(args, {})
    settings = config.checks.secrets
    _require_git_repo(args.repo)
    top = open_repo(args.repo)
    relative = settings.baseline or ".secrets.baseline"
    output = Path(args.output) if args.output else Path(top) / relative
    ensure_writable(str(output), "--output")
    existing = load_baseline(output)
    engine = Engine(existing)  # an existing baseline's settings decide, as detect-secrets does
    options = ScanOptions(
        diff=False,
        history=True,
        baseline=relative,
        exclude_paths=tuple(settings.exclude_paths),
        cache=settings.cache,
    )
    scan = scan_repository(top, options, engine=engine)
    # every finding, including the ones the existing baseline already lists
    entries = baseline_entries(scan, options)
    text, added = baseline_document(entries, existing, engine.settings_json())
    output.write_text(text, encoding="utf-8")
    in_code = len({r.key for r in scan.records if r.origin in ("head", "diff")})
    print(
        f"launchgate: {len({r.key for r in scan.records})} secret(s) newly accepted as "
        f"{added} baseline entr{'y' if added == 1 else 'ies'} (detect-secrets keeps one per "
        f"file and type); baseline written to {output}"
    )
    if in_code:
        print(
            f"launchgate: warning: {in_code} of them are still in the code at HEAD; accept "
            "only test fixtures and examples, and rotate real keys first",
            file=sys.stderr,
        )
    return 0


# --- handover -------------------------------------------------------------------------------


def _cmd_handover(args: argparse.Namespace) -> int:
    from launchgate.handover import build_handover
    from launchgate.render.handover import render_handover

    ensure_writable(args.output, "--output")
    if not Path(args.repo).is_dir():
        raise UsageError(f"--repo {args.repo}: not a directory")
    if args.report:
        report, source = read_report(args.report, "--report"), f"the report `{args.report}`"
    else:
        report, source = _fresh_report(args), "a fresh `launchgate check` run"
    document = build_handover(report, Path(args.repo).resolve(), report_source=source)
    Path(args.output).write_text(render_handover(document), encoding="utf-8")
    if not args.quiet:
        print(
            f"launchgate: wrote {args.output} ({len(document['risks'])} open risk(s), "
            f"{len(document['questions'])} question(s) for people to answer)"
        )
    return 0


def _fresh_report(args: argparse.Namespace) -> dict[str, Any]:
    from launchgate.progress import Progress
    from launchgate.redact import Redactor
    from launchgate.report import Target
    from launchgate.runner import run_gate

    config = gate_config(args)
    progress = Progress(quiet=args.quiet, redactor=Redactor(config.secret_values))
    target = Target(url=_shown_url(config.url), repo=str(Path(args.repo).resolve()))
    data: dict[str, Any] = run_gate(config, target, progress=progress).to_json()
    return data


def read_report(path: str, flag: str) -> dict[str, Any]:
    """An earlier `launchgate.report/v1` JSON report; anything else is a usage error."""
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"{flag} {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{flag} {path}: not a JSON report ({exc})") from None
    if not isinstance(data, dict) or data.get("schema") != "launchgate.report/v1":
        raise UsageError(
            f'{flag} {path}: not a launchgate report (expected "schema": "launchgate.report/v1")'
        )
    return data


# --- demo -----------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    from launchgate.demo.run import run_demo

    return run_demo(Path(args.output), quiet=args.quiet)
