"""Errors a user can act on. The CLI prints them as one line and exits 2; no traceback."""

from __future__ import annotations

# Exit codes of both faces besides the verdict's own (0 pass, 1 fail): a usage or config
# error, and a gate that could not decide (an internal error, a cancelled run).
EXIT_USAGE = 2
EXIT_ERROR = 3


class LaunchgateError(Exception):
    """Base of every error that is reported to the user as a plain message."""


class UsageError(LaunchgateError):
    """Bad command-line use: unknown check name, unwritable output path, bad flag value."""


class ConfigError(LaunchgateError):
    """A problem in `.launchgate.yml` (or a `--set` override), located by file, line and key."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.key = key
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.file or "config"
        if self.line is not None:
            where = f"{where}:{self.line}"
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return one_line(text)


def one_line(text: str) -> str:
    """Keys and values come from user files: show control characters escaped, so an error
    stays one line whatever the file contains."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)
