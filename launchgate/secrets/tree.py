"""Every secret in the files of one commit's tree (the head): what is still there, and where.

The history scan says which secrets were ever added; this says which sit in the code now, at
which lines, read exactly as git shows the files: names from `git ls-tree -z` (any bytes),
contents by object id (`git cat-file --batch`), lines split at LF only, and a file is binary
exactly when git's diff says so (a NUL in its first 8,000 bytes). Reading the whole tree, not
only the files the history scan saw a secret in, also finds what no commit's own diff added
(one side of a merge, a file that was binary when it was added).

Only the lines the engine's pre-filter passes are judged. Results are kept per (blob, path) in
the history cache, so a re-run only reads the files that changed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from launchgate.secrets.engine import Engine, candidate_lines
from launchgate.secrets.gitlog import path_bytes
from launchgate.secrets.material import place_value_id

# git reads a file as binary when its first 8,000 bytes hold a NUL (buffer_is_binary).
GIT_BINARY_SNIFF = 8000
# File modes whose blobs git diffs as text lines (a symlink's target is one line).
_BLOB_MODES = (b"100644", b"100755", b"120000")
# Blobs are read in batches of about this many bytes (never the whole tree in memory).
_BATCH_BYTES = 32 << 20


@dataclass(frozen=True)
class HeadPlace:
    """A secret in a file at head, maybe on a line marked `pragma: allowlist secret`."""

    path: str
    line: int
    type: str
    hashed_secret: str
    value_id: str
    allowlisted: bool


@dataclass(frozen=True)
class TreeBlob:
    oid: str
    path: str  # decoded with surrogateescape (see gitlog.path_bytes)
    size: int

    @property
    def key(self) -> str:
        return f"{self.oid}:{self.path}"


def tree_blobs(repo: str, commit: str) -> list[TreeBlob]:
    """The files of `commit`'s tree (submodules and other non-blobs left out)."""
    proc = subprocess.run(
        ["git", "-C", repo, "ls-tree", "-r", "-z", "-l", "--full-tree", commit],
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        return []
    blobs = []
    for entry in proc.stdout.split(b"\0"):
        meta, tab, name = entry.partition(b"\t")
        fields = meta.split()
        if not tab or len(fields) != 4 or fields[0] not in _BLOB_MODES:
            continue
        size = int(fields[3]) if fields[3].isdigit() else 0
        blobs.append(
            TreeBlob(
                fields[2].decode("ascii"), name.decode("utf-8", errors="surrogateescape"), size
            )
        )
    return blobs


def text_lines(content: bytes) -> list[str] | None:
    """A blob's lines as git's diff shows them (split at LF only: Python's splitlines would
    also split at VT, FF, NEL, U+2028, ...), or None for a file git treats as binary."""
    if b"\x00" in content[:GIT_BINARY_SNIFF]:
        return None
    lines = content.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return [line.decode("utf-8", errors="replace") for line in lines]


def scan_blob(engine: Engine, path: str, content: bytes) -> list[HeadPlace]:
    """Every secret detect-secrets finds in this file, with real previous lines (pragmas),
    judging only the lines the pre-filter passes."""
    lines = text_lines(content)
    if lines is None or not engine.path_is_scanned(path):
        return []
    starts = sorted(candidate_lines(content, engine.prefilter))
    indexes: list[int] = []
    line_index, position = 0, 0
    for start in starts:
        line_index += content.count(b"\n", position, start)
        position = start
        indexes.append(line_index)
    places = []
    for line_no, hit, allowlisted in engine.scan_lines_with_pragmas(path, lines, indexes):
        if hit.noise:
            continue
        value_id = place_value_id(
            hit.type, hit.value_id, lines[line_no - 1], islice(lines, line_no, None)
        )
        places.append(HeadPlace(path, line_no, hit.type, hit.hashed_secret, value_id, allowlisted))
    return places


def read_objects(repo: str, oids: Iterable[str]) -> Iterator[tuple[str, bytes | None]]:
    """(oid, content) for each object id, via one `git cat-file --batch`."""
    wanted = list(oids)
    if not wanted:
        return
    proc = subprocess.run(
        ["git", "-C", repo, "cat-file", "--batch"],
        input="".join(f"{oid}\n" for oid in wanted).encode(),
        capture_output=True,
        check=False,
    )
    out, pos = proc.stdout, 0
    for oid in wanted:
        end = out.find(b"\n", pos)
        if end < 0:
            yield oid, None
            continue
        header = out[pos:end].split()
        pos = end + 1
        if len(header) == 3 and header[2].isdigit():
            size = int(header[2])
            yield oid, out[pos : pos + size] if header[1] == b"blob" else None
            pos += size + 1
        else:
            yield oid, None


def read_blobs(repo: str, specs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], bytes | None]:
    """The blob at each (revision, path) (None when there is none): `git cat-file --batch`,
    whose input is one `rev:path` per line. A path that a line cannot carry (a newline, or a
    trailing CR that git strips) is asked for on its own command line instead."""
    ordered = sorted(set(specs))
    blobs: dict[tuple[str, str], bytes | None] = {}
    batch = [spec for spec in ordered if "\n" not in spec[1] and not spec[1].endswith("\r")]
    for spec in ordered:
        if spec not in batch:
            proc = subprocess.run(
                [
                    "git",
                    "-C",
                    repo,
                    "cat-file",
                    "blob",
                    spec[0].encode() + b":" + path_bytes(spec[1]),
                ],
                capture_output=True,
                check=False,
            )
            blobs[spec] = proc.stdout if proc.returncode == 0 else None
    names = {f"{rev}:{path}": (rev, path) for rev, path in batch}
    for name, content in read_objects(repo, names):
        blobs[names[name]] = content
    return blobs


def scan_tree(
    repo: str, commit: str, engine: Engine, known: dict[str, list[HeadPlace]]
) -> tuple[list[HeadPlace], dict[str, list[HeadPlace]]]:
    """(every secret in `commit`'s files, the per-blob results to cache). `known`: results
    of an earlier run by TreeBlob.key; only the other files are read."""
    blobs = tree_blobs(repo, commit)
    results: dict[str, list[HeadPlace]] = {}
    todo: list[TreeBlob] = []
    for blob in blobs:
        if blob.key in known:
            results[blob.key] = known[blob.key]
        elif engine.path_is_scanned(blob.path):
            todo.append(blob)
    for batch in _batches(todo):
        by_oid: dict[str, list[TreeBlob]] = {}
        for blob in batch:
            by_oid.setdefault(blob.oid, []).append(blob)
        for oid, content in read_objects(repo, by_oid):
            for blob in by_oid[oid]:
                results[blob.key] = [] if content is None else scan_blob(engine, blob.path, content)
    places = [p for blob in blobs for p in results.get(blob.key, ())]
    return places, results


def _batches(blobs: list[TreeBlob]) -> Iterator[list[TreeBlob]]:
    batch: list[TreeBlob] = []
    size = 0
    for blob in blobs:
        batch.append(blob)
        size += blob.size
        if size >= _BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
