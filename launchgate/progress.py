"""Progress for long work (history scan, load test): a live line on a TTY, plain
line-by-line output in CI logs. Everything passes through the redactor first."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from launchgate.redact import Redactor


class Progress:
    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        quiet: bool = False,
        redactor: Redactor | None = None,
        plain_interval_s: float = 5.0,
    ) -> None:
        self._stream = stream or sys.stderr
        self._quiet = quiet
        self._redactor = redactor or Redactor()
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._interval = plain_interval_s
        self._last_plain = float("-inf")  # the first update always shows
        self._live = False
        self._lock = threading.Lock()

    @property
    def redactor(self) -> Redactor:
        return self._redactor

    @property
    def is_tty(self) -> bool:
        return self._tty

    def info(self, message: str) -> None:
        """A line that always stays in the log."""
        if self._quiet:
            return
        with self._lock:
            self._clear_live()
            self._stream.write(self._redactor.text(message) + "\n")
            self._stream.flush()

    def update(self, message: str, *, force: bool = False) -> None:
        """A transient status: rewritten in place on a TTY, throttled plain lines elsewhere."""
        if self._quiet:
            return
        text = self._redactor.text(message)
        with self._lock:
            if self._tty:
                self._stream.write("\r\x1b[2K" + text[:200])
                self._live = True
            else:
                now = time.monotonic()
                if not force and now - self._last_plain < self._interval:
                    return
                self._last_plain = now
                self._stream.write(text + "\n")
            self._stream.flush()

    def done(self) -> None:
        with self._lock:
            self._clear_live()

    def _clear_live(self) -> None:
        if self._live:
            self._stream.write("\r\x1b[2K")
            self._live = False
