"""The yardstick: plain detect-secrets 1.5.0 over the same patches the engine reads.

Used by the parity test and the benchmark only. Each commit's `git log -p -U0` patch goes
through `detect_secrets.core.scan.scan_diff` with the default plugins and filters, minus
`common.is_invalid_file` (history paths are mostly not in the working tree; with it on,
scan_diff silently drops them). Slow by design: this is what the engine must agree with.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

from launchgate.secrets.gitlog import COMMIT_MARK, log_command

Key = tuple[str, str, int, str, str]  # commit, path, line, type, hashed secret


def reference_hits(repo: str, revs: tuple[str, ...] = ("HEAD",)) -> Iterator[Key]:
    from detect_secrets.core.scan import scan_diff
    from detect_secrets.settings import default_settings, get_filters

    proc = subprocess.Popen(log_command(repo, revs), stdout=subprocess.PIPE)
    assert proc.stdout is not None
    with default_settings() as settings:
        settings.disable_filters("detect_secrets.filters.common.is_invalid_file")
        get_filters.cache_clear()
        for sha, patch in _commits(proc.stdout.read().decode("utf-8", errors="replace")):
            if "\n@@ " not in patch:
                continue
            for secret in scan_diff(patch):
                yield (sha, secret.filename, secret.line_number, secret.type, secret.secret_hash)
    proc.wait()


def _commits(text: str) -> Iterator[tuple[str, str]]:
    # a header starts a line: a NUL + "commit" inside a text line is file content
    for part in ("\n" + text).split("\n" + COMMIT_MARK)[1:]:
        header, _, patch = part.partition("\n")
        yield header.split(" ", 1)[0], patch.lstrip("\n")
