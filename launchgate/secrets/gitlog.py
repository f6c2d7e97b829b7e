"""Streaming `git log -p` / `git diff` reader: added lines -> detect-secrets hits.

The history is never held in memory: git's output is read in blocks of whole commits (split
at the NUL-prefixed commit headers our `--format` writes), and each block is handled on its
own, in worker processes when there is a lot of it. A block is not parsed line by line in
Python: the engine's pre-filter runs over the whole block (C-speed regex scans), and only the
few candidate lines are placed (commit, path, line number) and judged. `-U0` keeps context
lines out; every `+` line inside a hunk is an added line.
`--no-renames`: a moved file's lines count as added at its new path too, so a secret that
lives on under a new name is still found there at head.

Nothing in a file can forge the structure of the stream. A commit header counts only at the
start of a line (`RECORD_MARK`): every line of file content that git prints starts with `+`,
`-` or a space, and a NUL *inside* a line is text to git when the file's first 8,000 bytes
hold none. Likewise `diff --git` and `@@` only start header lines. File names that git quotes
(control characters, `"`, `\\`) are unquoted, and names are decoded with `surrogateescape`, so
every name, UTF-8 or not, maps back to its exact bytes (`path_bytes`) for git lookups;
outputs show `display_path` (invalid bytes as U+FFFD).
"""

from __future__ import annotations

import bisect
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from launchgate.secrets.engine import MAX_LINE_CHARS, Engine, candidate_lines
from launchgate.secrets.material import place_value_id

COMMIT_MARK = "\x00commit "
# A commit header starts a line; the stream's first header starts the stream.
RECORD_MARK = b"\n" + COMMIT_MARK.encode()
LOG_FORMAT = "--format=%x00commit %H %aI"
DIFF_OPTIONS = (
    "-p",
    "-U0",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-renames",
    "--diff-merges=off",
)
_HUNK = re.compile(rb"@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_HUNK_LINE = re.compile(rb"\n@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_OCTAL = re.compile(rb"\\([0-7]{3})")


@dataclass(frozen=True)
class AddedHit:
    """A secret on a line added by `commit` (never the value)."""

    commit: str
    date: str
    path: str
    line: int
    type: str
    hashed_secret: str
    noise: str = ""
    value_id: str = ""  # salted hash of the full value (engine.secret_id), never the value


@dataclass(frozen=True)
class PreviousLineQuery:
    """A hit on the first added line of a hunk: its real previous line is unchanged text that
    is not in the diff; the caller looks it up for `pragma: allowlist nextline secret`."""

    hit_index: int
    commit: str
    path: str
    line: int
    content: str


@dataclass
class BlockResult:
    commits: list[tuple[str, str]] = field(default_factory=list)
    hits: list[AddedHit] = field(default_factory=list)
    queries: list[PreviousLineQuery] = field(default_factory=list)
    lines: int = 0
    bytes: int = 0
    candidates: int = 0
    long_lines: int = 0


def git(repo: str, *args: str, input: str | None = None, check: bool = True) -> str:
    proc = subprocess.run(
        ["git", "-C", repo, "-c", "core.quotepath=off", *args],
        capture_output=True,
        text=True,
        input=input,
        encoding="utf-8",
        errors="replace",
    )
    if check and proc.returncode != 0:
        raise GitError(
            proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"git {args[0]} failed"
        )
    return proc.stdout


class GitError(Exception):
    """A git command failed (message is git's last stderr line; never contains file data)."""


def attribute_free_dir(repo: str) -> str:
    """Where `git log -p` / `git diff` run: the repository's git directory, not its work tree.
    From the work tree git applies the committed `.gitattributes`, where one line (`* -diff`,
    `*.env binary`) turns files into "Binary files differ" and hides their lines from the
    scan; nothing committed may decide what the scan reads. In the git directory there is no
    work tree to read attributes from (only the clone's own `info/attributes`), and git's
    content sniff alone decides what is binary."""
    return git(repo, "rev-parse", "--absolute-git-dir").strip() or repo


def diff_command(repo: str, *args: str) -> list[str]:
    """`git <args>` with the settings every patch launchgate reads is made with."""
    git_dir = attribute_free_dir(repo)
    # Git checks ownership again for the git directory itself, where `safe.directory` names
    # only the work tree (the Action marks the workspace, a runner's checkout belongs to
    # another uid). The work tree has just passed that check, so its git directory is trusted
    # as much: say so on the command line (protected configuration, honoured by git).
    return [
        "git",
        "-C",
        git_dir,
        "-c",
        f"safe.directory={git_dir}",
        "-c",
        "core.quotepath=off",
        "-c",
        "diff.noprefix=false",
        "-c",
        "diff.mnemonicPrefix=false",
        *args,
    ]


def log_command(repo: str, revs: Iterable[str] = ("HEAD",), *, stdin: bool = False) -> list[str]:
    cmd = diff_command(repo, "log", *DIFF_OPTIONS, LOG_FORMAT)
    if stdin:
        cmd += ["--no-walk=unsorted", "--stdin"]
    else:
        cmd += [*revs, "--"]
    return cmd


def read_blocks(stream: IO[bytes], block_bytes: int = 1 << 21) -> Iterator[bytes]:
    """Split a `git log` byte stream into blocks of whole commits (about `block_bytes` each).
    One huge commit is split between files instead, its header line repeated at the start of
    the next block, so memory stays bounded by a few blocks (and the longest single file)."""
    mark = COMMIT_MARK.encode()
    pending = b""
    read = stream.read
    while True:
        chunk = read(block_bytes)
        if not chunk:
            break
        pending += chunk
        if len(pending) < block_bytes:
            continue
        cut = pending.rfind(RECORD_MARK) + 1
        if cut > 0:
            yield pending[:cut]
            pending = pending[cut:]
        elif len(pending) >= 4 * block_bytes and pending.startswith(mark):
            split = pending.rfind(b"\ndiff --git ")
            header = pending[: pending.find(b"\n") + 1]
            if split > len(header):
                yield pending[: split + 1]
                pending = header + pending[split + 1 :]
    if pending:
        yield pending


def parse_block(engine: Engine, data: bytes) -> BlockResult:
    """Judge the added lines of one block of `git log -p -U0` output (raw bytes; only the
    candidate lines and their paths are decoded, as UTF-8 with replacement characters)."""
    result = BlockResult(bytes=len(data))
    starts = record_starts(data)
    for pos in starts:
        header_end = data.find(b"\n", pos)
        header = data[pos + len(COMMIT_MARK) : header_end].decode("utf-8", errors="replace")
        sha, _, date = header.partition(" ")
        result.commits.append((sha, date.strip()))
    result.lines = data.count(b"\n+") - data.count(b"\n+++ ")
    candidates = candidate_lines(data, engine.prefilter)
    result.candidates = len(candidates)
    paths: dict[int, str | None] = {}
    for start in sorted(candidates):
        _judge_candidate(engine, data, start, candidates[start], starts, result, paths)
    return result


def record_starts(data: bytes) -> list[int]:
    """Offsets of the commit headers in a block (see RECORD_MARK: only at a line start)."""
    starts = [m.start() + 1 for m in re.finditer(re.escape(RECORD_MARK), data)]
    return [0, *starts] if data.startswith(COMMIT_MARK.encode()) else starts


def _judge_candidate(
    engine: Engine,
    data: bytes,
    start: int,
    plugins: frozenset[str],
    commit_starts: list[int],
    result: BlockResult,
    paths: dict[int, str | None],
) -> None:
    if not data.startswith(b"+", start):
        return
    section = data.rfind(b"\ndiff --git ", 0, start)
    hunk = data.rfind(b"\n@@ ", 0, start)
    if section < 0 or hunk < section:
        return  # a `+++ b/path` header line, not an added line
    index = bisect.bisect_right(commit_starts, start) - 1
    if index < 0:
        return
    if section in paths:
        path = paths[section]
    else:
        path = paths[section] = _target_path(data, section, hunk)
    if path is None or not engine.path_is_scanned(path):
        return
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    if end - start > MAX_LINE_CHARS:
        result.long_lines += 1  # judged in windows by the engine
    content = data[start + 1 : end].decode("utf-8", errors="replace")
    hits = engine.judge(path, content, plugins)
    if not hits:
        return
    hunk_end = data.find(b"\n", hunk + 1)
    match = _HUNK.match(data, hunk + 1, hunk_end)
    if match is None:
        return
    before = data.count(b"\n+", hunk_end, start)
    line_no = int(match.group(1)) + before
    commit, date = result.commits[index]
    if before:
        previous = _previous_added_line(data, start)
        if previous is not None and engine.allowlisted_by_previous(path, content, previous):
            return
    first = len(result.hits)
    result.hits.extend(
        AddedHit(
            commit,
            date,
            path,
            line_no,
            h.type,
            h.hashed_secret,
            h.noise,
            place_value_id(h.type, h.value_id, content, _following_added_lines(data, end)),
        )
        for h in hits
    )
    if not before and line_no > 1:
        result.queries.append(PreviousLineQuery(first, commit, path, line_no, content))


def added_lines(data: bytes) -> dict[str, set[int]]:
    """path -> the line numbers (at the new side) of the lines a `git diff -U0` adds."""
    found: dict[str, set[int]] = {}
    sections = [m.start() for m in re.finditer(rb"(?:^|\n)diff --git ", data)]
    for index, section in enumerate(sections):
        end = sections[index + 1] if index + 1 < len(sections) else len(data)
        hunks = [m for m in _HUNK_LINE.finditer(data, section, end)]
        if not hunks:
            continue
        path = _target_path(data, section, hunks[0].start())
        if path is None:
            continue
        lines = found.setdefault(path, set())
        for hunk in hunks:
            start = int(hunk.group(1))
            count = 1 if hunk.group(2) is None else int(hunk.group(2))
            lines.update(range(start, start + count))
    return found


def _following_added_lines(data: bytes, end: int) -> Iterator[str]:
    """The lines the same hunk adds after the line that ends at `end` (lazily)."""
    pos = end + 1
    while pos < len(data):
        line_end = data.find(b"\n", pos)
        line_end = len(data) if line_end < 0 else line_end
        if data.startswith(b"+", pos):
            yield data[pos + 1 : line_end].decode("utf-8", errors="replace")
        elif not data.startswith(b"\\", pos):  # "\ No newline at end of file"
            return
        pos = line_end + 1


def _previous_added_line(data: bytes, start: int) -> str | None:
    end = start - 1
    while end > 0:
        begin = data.rfind(b"\n", 0, end) + 1
        if data.startswith(b"\\", begin):  # "\ No newline at end of file"
            end = begin - 1
            continue
        if not data.startswith(b"+", begin):
            return None
        return data[begin + 1 : end].decode("utf-8", errors="replace")
    return None


def _target_path(data: bytes, section: int, hunk: int) -> str | None:
    header = data[section:hunk]
    at = header.find(b"\n+++ ")
    if at < 0:
        return None
    line_end = header.find(b"\n", at + 1)
    raw = header[at + 5 : line_end if line_end >= 0 else len(header)]
    if raw.endswith(b"\t"):  # git ends the name with a tab when it contains a space
        raw = raw[:-1]
    if raw == b"/dev/null":
        return None
    if raw.startswith(b'"') and raw.endswith(b'"'):
        raw = _unquote(raw[1:-1])
    path = raw.decode("utf-8", errors="surrogateescape")
    return path[2:] if path.startswith("b/") else path


def _unquote(raw: bytes) -> bytes:
    """git's C-style path quoting (only used for paths with control characters or quotes)."""
    escapes = {
        "n": "\n",
        "t": "\t",
        '"': '"',
        "\\": "\\",
        "a": "\a",
        "b": "\b",
        "f": "\f",
        "v": "\v",
        "r": "\r",
    }
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i : i + 1] == b"\\" and i + 1 < len(raw):
            octal = _OCTAL.match(raw, i)
            if octal:
                out.append(int(octal.group(1), 8))
                i += 4
                continue
            escaped = chr(raw[i + 1])
            out += escapes[escaped].encode() if escaped in escapes else raw[i + 1 : i + 2]
            i += 2
            continue
        out.append(raw[i])
        i += 1
    return bytes(out)


def path_bytes(path: str) -> bytes:
    """The exact bytes of a path as git names it (paths are decoded with surrogateescape)."""
    return path.encode("utf-8", "surrogateescape")


def display_path(path: str) -> str:
    """A path as outputs show it: valid UTF-8, bytes that are not UTF-8 as U+FFFD."""
    return path_bytes(path).decode("utf-8", "replace")
