"""The `secrets` check: secrets added in the change, still in the code, or left in history.

Judgement is detect-secrets 1.5.0's (see launchgate.secrets.engine); this module only turns a
repository scan into findings. Ids and default severities:

* `secrets.in-diff` (blocker): added in `base..head` (merge-base aware);
* `secrets.in-head` (blocker): added earlier and still in the file at head;
* `secrets.in-history` (`history_severity`, default important): deleted since; rotate it;
* `secrets.shallow-clone` (important): history incomplete, add `fetch-depth: 0`;
* `secrets.exposed-to-browser` (blocker): a private variable with a build-time public prefix
  (`NEXT_PUBLIC_STRIPE_SECRET_KEY`, `VITE_SUPABASE_SERVICE_ROLE_KEY`): the build ships it
  to every browser (see launchgate.secrets.browser). One finding per place, in the change or
  at head.

Facts: none written or read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from launchgate.checks.base import CheckCannotRun, CheckContext, CheckOutcome, CheckSkipped
from launchgate.errors import LaunchgateError
from launchgate.git import is_shallow
from launchgate.report import Finding, Location, Severity, make_finding
from launchgate.secrets.gitlog import GitError, display_path
from launchgate.secrets.scan import (
    MissingRevision,
    RepoError,
    RepoScan,
    ScanOptions,
    SecretRecord,
    scan_repository,
)

NAME = "secrets"
ROTATE = (
    "Revoke or rotate it at the provider first (once pushed it is leaked; deleting it "
    "does not undo that), then load it from the environment or a secret manager."
)
ACCEPT = (
    "Not a secret? Mark the line with a 'pragma: allowlist secret' comment, or accept "
    "it with 'launchgate baseline'."
)


class SecretsCheck:
    name: ClassVar[str] = NAME

    def run(self, ctx: CheckContext) -> CheckOutcome:
        settings = ctx.config.checks.secrets
        if not ctx.target.repo:
            raise CheckSkipped("no repository given (--repo)")
        repo = ctx.target.repo
        diff = settings.diff and bool(ctx.target.base)
        if not diff and not settings.history:
            reason = (
                "no base revision given (--base) and history scanning is off"
                if settings.diff
                else "both diff and history scanning are off"
            )
            raise CheckSkipped(reason)
        options = ScanOptions(
            diff=diff,
            history=settings.history,
            baseline=settings.baseline,
            exclude_paths=tuple(settings.exclude_paths),
            cache=settings.cache,
        )
        history_only = settings.history and not diff
        try:
            scan = scan_repository(
                repo,
                options,
                base=ctx.target.base if diff else None,
                head=ctx.target.head,
                progress=ctx.progress.update,
            )
        except RepoError as exc:
            raise CheckSkipped(str(exc)) from None
        except MissingRevision as exc:
            findings, metrics = self._history_anyway(ctx, repo, options)
            raise CheckCannotRun(
                f"{exc}; the change could not be scanned", findings=findings, metrics=metrics
            ) from None
        except GitError as exc:
            raise CheckCannotRun(f"git failed: {exc}") from None
        except LaunchgateError as exc:  # e.g. an unreadable .secrets.baseline
            raise CheckCannotRun(str(exc)) from None
        finally:
            ctx.progress.done()
        found = self._findings(scan, settings.history_severity)
        if scan.shallow:
            found.append(_shallow_finding())
        summary = _summary(scan, diff, settings.history, history_only and settings.diff)
        return CheckOutcome(findings=tuple(found), summary=summary, metrics=scan.stats.to_json())

    def _history_anyway(
        self, ctx: CheckContext, repo: str, options: ScanOptions
    ) -> tuple[tuple[Finding, ...], dict[str, Any] | None]:
        """With the base missing, still report the shallow clone and what history holds."""
        findings: list[Finding] = []
        metrics = None
        try:
            if options.history:
                scan = scan_repository(
                    repo,
                    replace(options, diff=False),
                    head=ctx.target.head,
                    progress=ctx.progress.update,
                )
                findings = self._findings(scan, ctx.config.checks.secrets.history_severity)
                metrics = scan.stats.to_json()
            if is_shallow(repo):
                findings.append(_shallow_finding())
        except LaunchgateError:
            pass
        return tuple(findings), metrics

    @staticmethod
    def _findings(scan: RepoScan, history_severity: Severity) -> list[Finding]:
        return [_finding(record, history_severity) for record in scan.records] + _exposure_findings(
            scan
        )


def _finding(record: SecretRecord, history_severity: Severity) -> Finding:
    """One place of a secret. Its fingerprint is the id, the file, the secret and its rank
    among the secret's places in that file: stable when unrelated edits move the line. The
    exact path is in the key too: the fingerprint's location path is read like a URL path,
    where `settings2024.py` and `settings2025.py` would be one build-hashed name."""
    where = record.where
    path = display_path(where.path)
    place = f"{path}:{where.line}"
    since = f"commit {where.commit[:12]}" + (f" ({where.date[:10]})" if where.date else "")
    more = (
        f" The same secret sits in {record.places} places (value {record.group})."
        if record.places > 1
        else ""
    )
    if len(record.types) > 1:
        more += f" Also detected as: {', '.join(record.types[1:])}."
    fingerprint = f"Fingerprint {record.fingerprint} (sha1 prefix, as in .secrets.baseline)."
    if record.origin == "diff":
        slug, severity = "in-diff", Severity.BLOCKER
        title = f"{record.type} added in this change"
        detail = f"{record.type} on a line this change adds: {place}. {fingerprint}{more}"
        remedy = f"Remove it from the change. {ROTATE} {ACCEPT}"
    elif record.origin == "head":
        slug, severity = "in-head", Severity.BLOCKER
        title = f"{record.type} in the code"
        detail = f"{record.type} still present at {place}, added in {since}. {fingerprint}{more}"
        remedy = f"{ROTATE} {ACCEPT}"
    else:
        slug, severity = "in-history", history_severity
        title = f"{record.type} in git history, deleted since"
        detail = (
            f"{record.type} added in {since} at {place} and deleted later; anyone with "
            f"a clone still has it. {fingerprint}{more}"
        )
        remedy = f"{ROTATE} Rewriting history is optional once it is rotated. {ACCEPT}"
    location = Location(path=path, line=where.line, commit=where.commit)
    return make_finding(
        NAME,
        slug,
        severity,
        title,
        detail=detail,
        remedy=remedy,
        location=location,
        key=f"{path}\x1f{record.place_key}",
        group=record.group,
    )


def _exposure_findings(scan: RepoScan) -> list[Finding]:
    """One finding per place a private variable is shipped to the browser. Fingerprint: the
    file, the variable and its rank among the variable's places in the file (not the line)."""
    findings = []
    ranks: dict[tuple[str, str], int] = {}
    for exposure in scan.exposures:
        rank = ranks.get((exposure.path, exposure.name), 0)
        ranks[(exposure.path, exposure.name)] = rank + 1
        path = display_path(exposure.path)
        in_change = exposure.line in scan.added_lines.get(exposure.path, ())
        added = " This change adds it." if in_change else ""
        what = "all environment variables" if exposure.name == "process.env" else exposure.name
        findings.append(
            make_finding(
                NAME,
                "exposed-to-browser",
                Severity.BLOCKER,
                f"{what} is shipped to every browser",
                detail=(
                    f"{exposure.where.capitalize()} at {path}:{exposure.line}: the build "
                    f"inlines {what} into the client bundle, where anyone can read it, and "
                    f"{exposure.reason}.{added} The name alone ships it, with or without a "
                    "value here."
                ),
                remedy=(
                    "Keep it on the server: drop the public prefix (NEXT_PUBLIC_, VITE_, "
                    "REACT_APP_, EXPO_PUBLIC_, NUXT_PUBLIC_, PUBLIC_, GATSBY_) and read it "
                    "only in server code (an API route, server action or edge function). If "
                    "a build ever ran with a value, rotate that key: every visitor could read "
                    "it. In the browser use the publishable key (Stripe pk_, Supabase anon). "
                    "Not private? Mark the line with a 'pragma: allowlist secret' comment."
                ),
                location=Location(path=path, line=exposure.line),
                key=f"{path}\x1f{exposure.name}#{rank}",
                group=exposure.group,
            )
        )
    return findings


def _shallow_finding() -> Finding:
    return make_finding(
        NAME,
        "shallow-clone",
        Severity.IMPORTANT,
        "Shallow clone: git history was not fully scanned for secrets",
        detail=(
            "The repository is a shallow clone, so commits before its boundary were not "
            "read; a secret added and deleted there would go unseen."
        ),
        remedy=(
            "Check out the full history: actions/checkout with 'fetch-depth: 0' "
            "(or run 'git fetch --unshallow')."
        ),
    )


def _summary(scan: Any, diff: bool, history: bool, diff_wanted_no_base: bool) -> str:
    counts = {o: sum(1 for r in scan.records if r.origin == o) for o in ("diff", "head", "history")}
    total = sum(counts.values())
    secrets = len({r.key for r in scan.records})
    stats = scan.stats
    parts = [
        f"{secrets} secret{'s' if secrets != 1 else ''}"
        + (
            f" at {total} place{'s' if total != 1 else ''} ({counts['diff']} in the "
            f"change, {counts['head']} in the code, {counts['history']} only in history)"
            if total
            else ""
        )
    ]
    if scan.exposures:
        names = len({e.name for e in scan.exposures})
        parts.append(
            f"{names} private variable{'s' if names != 1 else ''} shipped to the "
            f"browser ({len(scan.exposures)} place"
            f"{'s' if len(scan.exposures) != 1 else ''})"
        )
    if history:
        cached = f", {stats.cache_hits:,} from cache" if stats.cache_hits else ""
        parts.append(
            f"{stats.commits_scanned:,} commits ({stats.lines_scanned:,} added lines read{cached})"
        )
    if diff and not history:
        parts.append(f"{stats.lines_scanned:,} added lines in the change")
    if diff_wanted_no_base:
        parts.append("diff part skipped: no base revision")
    if stats.long_lines_windowed:
        parts.append(
            f"{stats.long_lines_windowed} line(s) over 1,000,000 characters "
            "(minified or generated) judged around each candidate"
        )
    if scan.notes:
        parts.extend(scan.notes)
    return "; ".join(parts)
