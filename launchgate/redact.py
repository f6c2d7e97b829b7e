"""Removes configured secret values (headers, `${VAR}` values, URL credentials, and what a
login yields at run time: session cookies, tokens) from every string of a report before
anything renders it, and from progress lines. Each value is also matched in the forms a
server reflects it in: URL-encoded (`quote`, `quote_plus`) and base64."""

from __future__ import annotations

import base64
import dataclasses
import re
import urllib.parse
from collections.abc import Iterable
from typing import Any

from launchgate.report import (
    BaseRef,
    CheckResult,
    Comparison,
    Finding,
    FixedFinding,
    Location,
    Report,
    Target,
)

REDACTED = "[redacted]"
# Shorter values would mangle ordinary text; such values are not credentials anyway.
MIN_SECRET_LENGTH = 4
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")


def encoded_forms(secret: str) -> set[str]:
    """The value as written and as it shows up when a server reflects it in a URL or a
    header: percent-encoded (path and query styles), form-encoded (`+` for space) and
    base64 (a token echoed in a Basic-style header or a cookie)."""
    forms = {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote(secret),
             urllib.parse.quote_plus(secret)}
    forms |= {f.lower() for f in forms if "%" in f}  # %2f as well as %2F
    raw = secret.encode("utf-8", errors="surrogateescape")
    forms |= {base64.b64encode(raw).decode("ascii").rstrip("="),
              base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")}
    return forms


class Redactor:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Learn secrets found at run time (session cookies and tokens a login yields); every
        later `text`/`value`/`report` call redacts them too. One Redactor is shared by the
        run's progress output and its report, so both learn them at once."""
        values = {form for s in secrets if s and len(s) >= MIN_SECRET_LENGTH
                  for form in encoded_forms(s)}
        merged = set(self._values) | {v for v in values if len(v) >= MIN_SECRET_LENGTH}
        # Replaced whole (never mutated in place) so a reader in another thread sees one list.
        self._values = sorted(merged, key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._values:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return _URL_CREDENTIALS.sub(rf"\g<scheme>{REDACTED}@", value)

    def value(self, value: Any) -> Any:
        """Redact every string inside nested JSON-like data."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value

    def report(self, report: Report) -> Report:
        return dataclasses.replace(
            report,
            target=_redact_fields(self, report.target, Target),
            checks=tuple(_redact_fields(self, c, CheckResult) for c in report.checks),
            findings=tuple(self._finding(f) for f in report.findings),
            metrics=self.value(dict(report.metrics)),
            comparison=None if report.comparison is None
            else self._comparison(report.comparison),
        )

    def _comparison(self, comparison: Comparison) -> Comparison:
        return dataclasses.replace(
            comparison, base=_redact_fields(self, comparison.base, BaseRef),
            fixed=tuple(_redact_fields(self, f, FixedFinding) for f in comparison.fixed),
            notes=tuple(self.text(n) for n in comparison.notes))

    def _finding(self, finding: Finding) -> Finding:
        return dataclasses.replace(
            finding, title=self.text(finding.title), detail=self.text(finding.detail),
            remedy=self.text(finding.remedy),
            location=_redact_fields(self, finding.location, Location))


def _redact_fields(redactor: Redactor, obj: Any, cls: type) -> Any:
    changes = {f.name: redactor.text(getattr(obj, f.name)) for f in dataclasses.fields(cls)
               if type(getattr(obj, f.name)) is str}
    return dataclasses.replace(obj, **changes)
