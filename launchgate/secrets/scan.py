"""Scan a repository: the change (`base..head`, merge-base aware) and the whole history.

Every hit is classified once per secret (type + a salted hash of the full value, so two
GitHub tokens, which detect-secrets hashes alike, stay two secrets): added in the change ->
`diff`; still in the file at head -> `head`; only in history -> `history`. Excluded paths,
the baseline's entries (matched like detect-secrets matches them: file, type and hash),
allowlist pragmas and well-known non-secrets never become records. The baseline's own
settings (plugins, limits, exclusion filters) configure the engine, as with
`detect-secrets-hook --baseline`.

Diff mode scans `merge-base(base, head)..head`. When base and head share no history (no
merge-base), it scans `base..head` as a plain tree diff and says so in the scan's notes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from launchgate.errors import LaunchgateError
from launchgate.git import is_shallow, resolve_commit
from launchgate.secrets.baseline import known_entries, load_baseline
from launchgate.secrets.browser import Exposure, exposures_at
from launchgate.secrets.cache import HistoryCache, cache_dir
from launchgate.secrets.engine import Engine, path_matches
from launchgate.secrets.gitlog import (
    COMMIT_MARK,
    DIFF_OPTIONS,
    AddedHit,
    BlockResult,
    GitError,
    added_lines,
    diff_command,
    git,
    log_command,
    parse_block,
    path_bytes,
    read_blocks,
)
from launchgate.secrets.tree import HeadPlace, read_blobs, scan_tree, text_lines

# Below this many new commits the history is small: one process beats forking a pool.
POOL_MIN_COMMITS = 300


class RepoError(LaunchgateError):
    """The path is not a usable git repository (not a repo, no commits)."""


class MissingRevision(LaunchgateError):
    """A revision (usually the PR base) is not in this clone."""


@dataclass(frozen=True)
class ScanOptions:
    diff: bool = True
    history: bool = True
    baseline: str | None = ".secrets.baseline"
    exclude_paths: tuple[str, ...] = ()
    cache: str | None = None
    workers: int = 0  # 0: all cores


@dataclass(frozen=True)
class SecretRecord:
    """One place of one secret (never its value). A secret at several places is several
    records that share `key` (and `group`)."""

    type: str  # the most specific type (see `types` for all)
    hashed_secret: str  # detect-secrets' sha1 (as in .secrets.baseline)
    origin: str  # "diff" | "head" | "history"
    where: AddedHit  # this place (in the change, at head, or where it was added) and
    # the commit that added it there
    introduced: AddedHit  # the oldest commit that added the secret anywhere
    places: int = 1  # how many places of this secret are reported
    types: tuple[str, ...] = ()
    value_id: str = ""  # salted hash of the secret's material: tells secrets apart
    ordinal: int = 0  # this place's rank among the secret's places in the same file

    @property
    def key(self) -> str:
        """The secret's identity (never its value): type and value id."""
        return f"{self.type}:{self.value_id[:32] or self.hashed_secret}"

    @property
    def place_key(self) -> str:
        """This place's identity, for a fingerprint that stays when unrelated lines move:
        the secret, its rank in the file (the file itself is the finding's location)."""
        return f"{self.key}#{self.ordinal}"

    @property
    def group(self) -> str:
        """A short id shared by every place of this secret (outputs list them together)."""
        return hashlib.sha256(self.key.encode()).hexdigest()[:12]

    @property
    def fingerprint(self) -> str:
        return self.hashed_secret[:10]


@dataclass
class ScanStats:
    commits_scanned: int = 0
    cache_hits: int = 0
    lines_scanned: int = 0
    bytes_scanned: int = 0
    candidates_judged: int = 0
    noise_ignored: int = 0
    baseline_known: int = 0
    long_lines_windowed: int = 0
    duration_s: float = 0.0

    def to_json(self) -> dict[str, int | float]:
        return {
            "commits_scanned": self.commits_scanned,
            "cache_hits": self.cache_hits,
            "lines_scanned": self.lines_scanned,
            "bytes_scanned": self.bytes_scanned,
            "candidates_judged": self.candidates_judged,
            "noise_ignored": self.noise_ignored,
            "baseline_known": self.baseline_known,
            "long_lines_windowed": self.long_lines_windowed,
            "duration_s": round(self.duration_s, 3),
        }


@dataclass
class RepoScan:
    records: list[SecretRecord] = field(default_factory=list)
    stats: ScanStats = field(default_factory=ScanStats)
    shallow: bool = False
    head: str = ""
    merge_base: str | None = None
    notes: list[str] = field(default_factory=list)
    raw_history: list[AddedHit] = field(default_factory=list)
    head_places: list[HeadPlace] = field(default_factory=list)
    # private variables shipped to the browser at head (all of head's files when history is
    # scanned, else the change's files), and the lines the change adds
    exposures: list[Exposure] = field(default_factory=list)
    added_lines: dict[str, set[int]] = field(default_factory=dict)


Progress = Callable[[str], None]


def repo_toplevel(repo: str) -> str:
    """The top level of the git repository at `repo` (which may have no commits yet), or
    RepoError / GitError saying what is wrong and how to fix it."""
    if not Path(repo).is_dir():
        raise RepoError(f"{repo}: no such directory")
    try:
        proc = subprocess.run(
            ["git", "-C", repo, "rev-parse", "--show-toplevel"], capture_output=True, text=True
        )
    except FileNotFoundError:
        raise GitError("git is not installed (needed to scan the repository)") from None
    if proc.returncode != 0:
        if "dubious ownership" in proc.stderr:
            raise GitError(
                f"git refuses {repo}: it is owned by another user; run "
                f"'git config --global --add safe.directory {repo}'"
            )
        raise RepoError(f"{repo} is not a git repository")
    return proc.stdout.strip()


def open_repo(repo: str) -> str:
    """The repository's top level, or RepoError (also when it has no commits yet)."""
    top = repo_toplevel(repo)
    if not resolve_commit(top, "HEAD"):
        raise RepoError(f"{top}: the repository has no commits yet")
    return top


def scan_repository(
    repo: str,
    options: ScanOptions,
    *,
    base: str | None = None,
    head: str | None = None,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> RepoScan:
    started = time.monotonic()
    top = open_repo(repo)
    head_sha = resolve_commit(top, head or "HEAD")
    if head_sha is None:
        raise MissingRevision(f"head revision {head!r} is not in this clone")
    baseline = load_baseline(Path(top) / options.baseline) if options.baseline else None
    if engine is None:  # a given engine is the caller's choice of settings
        engine = Engine(baseline)
    engine.activate()
    scan = RepoScan(head=head_sha, shallow=is_shallow(top))
    say = progress or (lambda _msg: None)
    diff_hits: list[AddedHit] = []
    if options.diff and base:
        base_sha = resolve_commit(top, base)
        if base_sha is None:
            raise MissingRevision(
                f"base revision {base!r} is not in this clone"
                + (" (shallow clone: check out with fetch-depth: 0)" if scan.shallow else "")
            )
        diff_hits = _scan_diff(top, base_sha, head_sha, engine, scan)
    history_hits: list[AddedHit] = []
    if options.history:
        history_hits = _scan_history(top, head_sha, engine, options, scan, say)
        scan.raw_history = history_hits
    scan.records = _classify(
        top, head_sha, engine, options, known_entries(baseline), diff_hits, history_hits, scan
    )
    if options.history or scan.added_lines:
        paths = None if options.history else set(scan.added_lines)
        exposures = exposures_at(top, head_sha, engine, paths)
        scan.exposures = [
            e
            for e in exposures
            if not path_matches(e.path, options.exclude_paths)
            and (options.history or e.line in scan.added_lines.get(e.path, ()))
        ]
    scan.stats.duration_s = time.monotonic() - started
    return scan


# --- diff -----------------------------------------------------------------------------------


def _scan_diff(repo: str, base: str, head: str, engine: Engine, scan: RepoScan) -> list[AddedHit]:
    merge_base = git(repo, "merge-base", base, head, check=False).strip()
    if not merge_base:
        merge_base = base
        scan.notes.append(
            "base and head share no history (no merge-base): diff scanned base..head as two trees"
        )
    scan.merge_base = merge_base
    proc = subprocess.run(
        diff_command(
            repo,
            "diff",
            *[o for o in DIFF_OPTIONS if o != "--diff-merges=off"],
            merge_base,
            head,
            "--",
        ),
        capture_output=True,
    )
    if proc.returncode != 0:
        raise GitError(
            (proc.stderr.decode(errors="replace").strip().splitlines() or ["git diff failed"])[-1]
        )
    scan.added_lines = added_lines(proc.stdout)
    date = git(repo, "log", "-1", "--format=%aI", head).strip()
    block = f"{COMMIT_MARK}{head} {date}\n".encode() + proc.stdout
    result = parse_block(engine, block)
    _count(scan.stats, result)
    return _resolve_previous_lines(repo, engine, result)


# --- history --------------------------------------------------------------------------------


def _scan_history(
    repo: str, head: str, engine: Engine, options: ScanOptions, scan: RepoScan, say: Progress
) -> list[AddedHit]:
    reachable = git(repo, "rev-list", head, "--").split()
    cache = HistoryCache.load(cache_dir(repo, options.cache), engine.settings_key)
    if cache.problem:
        scan.notes.append(cache.problem)
    new = [c for c in reachable if c not in cache.scanned]
    scan.stats.cache_hits = len(reachable) - len(new)
    scan.stats.commits_scanned = len(reachable)
    if new:
        stdin = len(new) < len(reachable)
        cmd = log_command(repo, (head,), stdin=stdin)
        workers = options.workers or _usable_cores()
        if len(new) < POOL_MIN_COMMITS:
            workers = 1
        results = _run_log(
            cmd,
            "\n".join(new) + "\n" if stdin else None,
            engine,
            workers,
            scan.stats,
            len(new),
            say,
        )
        found: list[AddedHit] = []
        scanned: list[str] = []
        for result in results:
            found.extend(_resolve_previous_lines(repo, engine, result))
            scanned.extend(sha for sha, _date in result.commits)
        cache.add(scanned, found)
    say("secrets: reading the files at head")
    scan.head_places, cache.tree = scan_tree(repo, head, engine, cache.tree)
    problem = cache.save()
    if problem:
        scan.notes.append(problem)
    wanted = set(reachable)
    return [h for h in cache.hits if h.commit in wanted]


def _usable_cores() -> int:
    """Cores this process may run on (a CI container often allows fewer than it sees)."""
    try:
        return max(1, min(8, len(os.sched_getaffinity(0))))
    except AttributeError:  # not on Linux
        return max(1, min(8, os.cpu_count() or 1))


_WORKER_ENGINE: Engine | None = None


def _parse_in_worker(data: bytes) -> BlockResult:
    assert _WORKER_ENGINE is not None
    return parse_block(_WORKER_ENGINE, data)


def _run_log(
    cmd: list[str],
    stdin: str | None,
    engine: Engine,
    workers: int,
    stats: ScanStats,
    total: int,
    say: Progress,
) -> list[BlockResult]:
    # stderr goes to a file, not a pipe: a chatty git can never block on it
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
        )
        assert proc.stdout is not None
        if stdin and proc.stdin is not None:
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        try:
            results = _collect_blocks(proc.stdout, engine, workers, stats, total, say)
        finally:
            proc.stdout.close()
            code = proc.wait()
        errors.seek(0)
        err = errors.read().decode(errors="replace").strip()
    if code != 0:
        raise GitError(err.splitlines()[-1] if err else "git log failed")
    return results


def _collect_blocks(
    stream: IO[bytes], engine: Engine, workers: int, stats: ScanStats, total: int, say: Progress
) -> list[BlockResult]:
    global _WORKER_ENGINE
    results: list[BlockResult] = []
    done = 0

    def collect(result: BlockResult) -> None:
        nonlocal done
        _count(stats, result)
        results.append(result)
        done += len(result.commits)
        say(
            f"secrets: history {done:,}/{total:,} commits, {stats.bytes_scanned / 1e6:,.1f} MB read"
        )

    if workers <= 1:
        for block in read_blocks(stream):
            collect(parse_block(engine, block))
        return results
    _WORKER_ENGINE = engine  # inherited by the forked workers
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            pending = []
            for block in read_blocks(stream):
                pending.append(pool.apply_async(_parse_in_worker, (block,)))
                while len(pending) > 2 * workers:  # bounded: never the whole history
                    collect(pending.pop(0).get())
            for item in pending:
                collect(item.get())
    finally:
        _WORKER_ENGINE = None
    return results


def _count(stats: ScanStats, result: BlockResult) -> None:
    stats.lines_scanned += result.lines
    stats.bytes_scanned += result.bytes
    stats.candidates_judged += result.candidates
    stats.long_lines_windowed += result.long_lines


# --- previous lines for `allowlist nextline` -------------------------------------------------


def _resolve_previous_lines(repo: str, engine: Engine, result: BlockResult) -> list[AddedHit]:
    if not result.queries:
        return result.hits
    blobs = read_blobs(repo, {(q.commit, q.path) for q in result.queries})
    dropped: set[int] = set()
    for query in result.queries:
        content = blobs.get((query.commit, query.path))
        if content is None:
            continue
        lines = text_lines(content)
        if (
            lines is not None
            and query.line - 2 < len(lines)
            and engine.allowlisted_by_previous(query.path, query.content, lines[query.line - 2])
        ):
            first = query.hit_index
            hit = result.hits[first]
            index = first
            while (
                index < len(result.hits)
                and result.hits[index].commit == hit.commit
                and result.hits[index].path == hit.path
                and result.hits[index].line == hit.line
            ):
                dropped.add(index)
                index += 1
    return [h for i, h in enumerate(result.hits) if i not in dropped]


# --- classification -------------------------------------------------------------------------


def _date_key(hit: AddedHit) -> tuple[datetime, str]:
    try:
        return datetime.fromisoformat(hit.date), hit.commit
    except ValueError:
        return datetime.max, hit.commit


Key = tuple[str, str]  # (type, value id): one secret


@dataclass
class _Value:
    """Everything known about one secret while classifying it."""

    key: Key
    hits: list[AddedHit] = field(default_factory=list)  # added in history
    diff: list[AddedHit] = field(default_factory=list)  # added in the change
    head: list[HeadPlace] = field(default_factory=list)  # in a file at head


def _classify(
    repo: str,
    head: str,
    engine: Engine,
    options: ScanOptions,
    known: frozenset[tuple[str, str, str]],
    diff_hits: list[AddedHit],
    history_hits: list[AddedHit],
    scan: RepoScan,
) -> list[SecretRecord]:
    """One record per place: every place a secret sits in the change (`diff`), every other
    place it sits at head (`head`), and for a secret no longer anywhere at head, each path
    it was added to, at the commit that first added it there (`history`)."""

    def reportable(path: str, secret_type: str, hashed: str) -> bool:
        return not (
            path_matches(path, options.exclude_paths)
            or path == options.baseline
            or (path, secret_type, hashed) in known
        )

    def keep(hit: AddedHit) -> bool:
        if path_matches(hit.path, options.exclude_paths) or hit.path == options.baseline:
            return False
        if hit.noise:
            scan.stats.noise_ignored += 1
            return False
        if (hit.path, hit.type, hit.hashed_secret) in known:
            scan.stats.baseline_known += 1
            return False
        return True

    values: dict[Key, _Value] = {}

    def value(key: Key) -> _Value:
        return values.setdefault(key, _Value(key))

    for hit in diff_hits:
        if keep(hit):
            value((hit.type, hit.value_id)).diff.append(hit)
    for hit in history_hits:
        if keep(hit):
            value((hit.type, hit.value_id)).hits.append(hit)
    for place in scan.head_places:  # read from head's files when history is scanned
        if reportable(place.path, place.type, place.hashed_secret):
            value((place.type, place.value_id)).head.append(place)
    placed = [(v, _places(v)) for v in values.values()]
    kept = _fold_same_lines(placed)
    records = [r for v, types in kept for r in _records(repo, head, v, types)]
    order = {"diff": 0, "head": 1, "history": 2}
    records.sort(
        key=lambda r: (
            order[r.origin],
            r.where.path,
            r.where.line,
            r.type,
            r.hashed_secret,
            r.value_id,
        )
    )
    return records


def _places(value: _Value) -> set[tuple[str, str, int]]:
    """Where the value was seen: (commit or "HEAD", path, line), to fold other types."""
    return {(h.commit, h.path, h.line) for h in value.hits + value.diff} | {
        ("HEAD", p.path, p.line) for p in value.head
    }


def _records(repo: str, head: str, value: _Value, types: tuple[str, ...]) -> list[SecretRecord]:
    secret_type, value_id = value.key
    in_diff = {(h.path, h.line): h for h in value.diff}
    at_head = sorted(
        {
            (p.path, p.line): p
            for p in value.head
            if not p.allowlisted and (p.path, p.line) not in in_diff
        }.values(),
        key=lambda p: (p.path, p.line),
    )
    if not in_diff and not at_head and value.head:
        return []  # still at head, only on lines the team allowlisted: accepted
    everything = value.hits + value.diff
    shown: list[tuple[str, AddedHit]] = []
    if in_diff or at_head:
        shown += [("diff", in_diff[place]) for place in sorted(in_diff)]
        for place in at_head:
            added = [h for h in value.hits if h.path == place.path]
            where = min(added, key=_date_key) if added else _blame(repo, head, place)
            shown.append(
                (
                    "head",
                    replace(
                        where, path=place.path, line=place.line, hashed_secret=place.hashed_secret
                    ),
                )
            )
            everything.append(where)
    else:
        first_by_path: dict[str, AddedHit] = {}
        for hit in sorted(value.hits, key=_date_key):
            first_by_path.setdefault(hit.path, hit)
        shown += [("history", first_by_path[path]) for path in sorted(first_by_path)]
    introduced = min(everything, key=_date_key)
    ordinals: dict[tuple[str, str], int] = {}
    records = []
    for origin, where in shown:
        ordinal = ordinals.get((origin, where.path), 0)
        ordinals[(origin, where.path)] = ordinal + 1
        records.append(
            SecretRecord(
                secret_type,
                where.hashed_secret,
                origin,
                where,
                introduced,
                len(shown),
                types,
                value_id,
                ordinal,
            )
        )
    return records


def _blame(repo: str, head: str, place: HeadPlace) -> AddedHit:
    """The commit that put a line there, for a secret at head that no commit's own diff
    added (the side of a merge, or a key whose body a later commit changed)."""
    proc = subprocess.run(
        [
            "git",
            "-C",
            repo,
            "--literal-pathspecs",
            "blame",
            "--porcelain",
            "-L",
            f"{place.line},{place.line}",
            head,
            "--",
            path_bytes(place.path),
        ],
        capture_output=True,
    )
    commit, date = head, ""
    if proc.returncode == 0:
        lines = proc.stdout.split(b"\n")
        commit = lines[0].split(b" ", 1)[0].decode("ascii", "replace") or head
        stamp = next((ln.split(b" ", 1)[1] for ln in lines if ln.startswith(b"author-time ")), None)
        if stamp is not None and stamp.isdigit():
            date = datetime.fromtimestamp(int(stamp), tz=UTC).isoformat()
    return AddedHit(
        commit, date, place.path, place.line, place.type, place.hashed_secret, "", place.value_id
    )


def baseline_entries(scan: RepoScan, options: ScanOptions) -> set[tuple[str, str, str]]:
    """(path, type, hash) of every reportable hit of a history scan (for `launchgate
    baseline`): each type detect-secrets gives a value, at each path it was added or sits
    at head."""
    found = {(h.path, h.type, h.hashed_secret) for h in scan.raw_history if not h.noise}
    found |= {(p.path, p.type, p.hashed_secret) for p in scan.head_places if not p.allowlisted}
    return {
        entry
        for entry in found
        if entry[0] != options.baseline and not path_matches(entry[0], options.exclude_paths)
    }


def _fold_same_lines(
    placed: list[tuple[_Value, set[tuple[str, str, int]]]],
) -> list[tuple[_Value, tuple[str, ...]]]:
    """detect-secrets reports one value under several types (a GitHub token is also a
    high-entropy string). A value whose every place is also a place of a more specific
    value is folded into it ("also detected as")."""
    ranked = sorted(range(len(placed)), key=lambda i: _type_rank(placed[i][0].key[0]))
    kept: dict[int, tuple[str, ...]] = {}
    for i in ranked:
        secret_type = placed[i][0].key[0]
        host = next((j for j in kept if placed[i][1] <= placed[j][1]), None)
        if host is None:
            kept[i] = (secret_type,)
        elif secret_type not in kept[host]:
            kept[host] = (*kept[host], secret_type)
    return [(placed[i][0], types) for i, types in kept.items()]


_GENERIC_TYPES = ("Secret Keyword", "Base64 High Entropy String", "Hex High Entropy String")


def _type_rank(secret_type: str) -> tuple[int, str]:
    """Named detectors first, then keyword, then entropy: the most telling name is shown."""
    return (
        _GENERIC_TYPES.index(secret_type) + 1 if secret_type in _GENERIC_TYPES else 0,
        secret_type,
    )
