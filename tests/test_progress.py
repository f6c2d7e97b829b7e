"""Progress lines: live and rewritten on a terminal, throttled plain lines in CI logs, always
redacted, silent when quiet."""

from __future__ import annotations

import io

from launchgate.progress import Progress
from launchgate.redact import Redactor


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_are_throttled_and_redacted():
    stream = io.StringIO()
    progress = Progress(stream, redactor=Redactor(["tok-123456"]), plain_interval_s=3600)
    progress.update("scanning with tok-123456: 1%")
    progress.update("scanning: 2%")  # within the interval: dropped
    progress.update("scanning: done", force=True)
    progress.info("history: 10 commits")
    assert stream.getvalue() == (
        "scanning with [redacted]: 1%\nscanning: done\nhistory: 10 commits\n"
    )
    assert not progress.is_tty


def test_tty_line_is_rewritten_and_cleared_before_info():
    stream = Tty()
    progress = Progress(stream)
    progress.update("load: 10 users, 3s")
    progress.update("load: 10 users, 4s")
    progress.info("load: done")
    assert stream.getvalue() == (
        "\r\x1b[2Kload: 10 users, 3s\r\x1b[2Kload: 10 users, 4s\r\x1b[2Kload: done\n"
    )


def test_quiet_prints_nothing():
    stream = Tty()
    progress = Progress(stream, quiet=True)
    progress.update("x")
    progress.info("y")
    progress.done()
    assert stream.getvalue() == ""
