"""A logged-in flow (docs/auth.md): steps that share one identity's session (a `Browser`),
stop at the first step that fails, and say what came back and what the flow wrote before it.

Each step is a request (`path` + `method`, with `json:` or `form:`) or an HTML form on a page
(`submit:`: hidden inputs, CSRF tokens included, kept). Values captured from a JSON answer
(`capture: {id: id}`, `*` walks a list) fill `{{id}}` in later paths and bodies. A redirect
to the login page or a 401 after logging in is "the session ended", never a vague mismatch;
after a `logout: true` step it is what the flow expects.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import httpx

from launchgate.config.schema import SECRET_FIELD, FlowStep, SmokeFlow
from launchgate.http import jsonpath
from launchgate.http.browser import Browser, Exchange
from launchgate.http.forms import choose_form, parse_forms, well_formed
from launchgate.http.login import exchange_is_login_page
from launchgate.http.transport import describe_http_error, is_refused

EXCERPT_CHARS = 200
_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
DENIED_STATUSES = frozenset({401, 403, 404})


@dataclass(frozen=True)
class FlowFailure:
    step_index: int
    step: str  # the step's name, or "step N"
    method: str
    path: str  # as sent (placeholders filled), without the query string
    problem: str  # one line: what did not match
    status: int | None = None
    final_url: str = ""
    excerpt: str = ""  # the start of the answer, tags stripped (redacted by the report)
    session_ended: bool = False
    unreachable: bool = False
    refused: bool = False  # the private-target guard refused the address


@dataclass(frozen=True)
class FlowResult:
    flow: str
    identity: str
    steps_run: int
    failure: FlowFailure | None
    captured: Mapping[str, str] = field(default_factory=dict)
    writes: tuple[str, ...] = ()  # what the flow changed, in order ("POST /api/clients -> 201")
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        return self.failure is None


class _StepFailed(Exception):
    def __init__(self, failure: FlowFailure) -> None:
        super().__init__(failure.problem)
        self.failure = failure


def run_flow(
    browser: Browser, flow: SmokeFlow, *, logged_in: bool, login_paths: Collection[str] = ()
) -> FlowResult:
    """Run `flow`'s steps through `browser` (which carries the identity's session)."""
    started = time.monotonic()
    captured: dict[str, Any] = {}
    writes: list[str] = []
    logged_out = False
    for index, step in enumerate(flow.steps):
        try:
            method, path, answer = _send(browser, step, index, captured)
            _check(
                step,
                index,
                method,
                path,
                answer,
                flow.as_,
                captured,
                session_live=logged_in and not logged_out,
                login_paths=login_paths,
            )
            newly = _capture(step, index, method, path, answer)
        except _StepFailed as failed:
            return FlowResult(
                flow.name,
                flow.as_,
                index + 1,
                failed.failure,
                _shown(captured),
                tuple(writes),
                time.monotonic() - started,
            )
        captured.update(newly)
        if browser.learn is not None:  # a captured token or key is a secret from now on
            browser.learn([str(v) for k, v in newly.items() if SECRET_FIELD.search(k)])
        if step.writes:
            writes.append(_write_note(method, path, answer, newly))
        logged_out = logged_out or step.logout
    return FlowResult(
        flow.name,
        flow.as_,
        len(flow.steps),
        None,
        _shown(captured),
        tuple(writes),
        time.monotonic() - started,
    )


def _shown(captured: Mapping[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in captured.items()}


def placeholders(text: str) -> list[str]:
    """The `{{name}}` placeholders in `text`."""
    return _TEMPLATE.findall(text)


def fill(text: str, captured: Mapping[str, Any]) -> str:
    """`/api/clients/{{id}}` -> `/api/clients/17` (values URL-quoted in paths by the caller)."""
    return _TEMPLATE.sub(lambda m: str(captured[m.group(1)]), text)


def fill_json(value: Any, captured: Mapping[str, Any]) -> Any:
    """Placeholders inside a JSON body; a string that is only `{{id}}` keeps the captured
    value's own type (an id stays a number)."""
    if isinstance(value, str):
        whole = _TEMPLATE.fullmatch(value.strip())
        return captured[whole.group(1)] if whole else fill(value, captured)
    if isinstance(value, dict):
        return {fill(str(k), captured): fill_json(v, captured) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_json(v, captured) for v in value]
    return value


def _fill_path(text: str, captured: Mapping[str, Any]) -> str:
    return _TEMPLATE.sub(lambda m: urllib.parse.quote(str(captured[m.group(1)]), safe=""), text)


def _send(
    browser: Browser, step: FlowStep, index: int, captured: Mapping[str, Any]
) -> tuple[str, str, Exchange]:
    label = step.label(index)
    if step.submit is not None:
        page_path = _fill_path(step.submit.page, captured)
        page = _request(browser, label, index, "GET", page_path)
        fields = {k: fill(str(v), captured) for k, v in step.submit.fields.items()}
        action = _fill_path(step.submit.action, captured) if step.submit.action else None
        form = choose_form(
            parse_forms(page.text, page.url), fields, action=browser.url(action) if action else None
        )
        if form is None or not 200 <= page.status < 300:
            what = f" with action {action}" if action else ""
            raise _StepFailed(
                _failure(
                    index, label, "GET", page_path, page, f"no form{what} on the page to submit"
                )
            )
        refusal = browser.refusal(form.action)
        if refusal:
            raise _StepFailed(
                _failure(
                    index, label, "GET", page_path, page, f"the form posts off the app: {refusal}"
                )
            )
        path = _path(form.action)
        if form.method == "GET":
            query = urllib.parse.urlencode(form.filled(fields))
            return (
                "GET",
                path,
                _request(
                    browser,
                    label,
                    index,
                    "GET",
                    f"{form.action.split('?', 1)[0]}?{query}",
                    shown=path,
                    referer=page.url,
                ),
            )
        return (
            "POST",
            path,
            _request(
                browser,
                label,
                index,
                "POST",
                form.action,
                data=form.filled(fields),
                shown=path,
                referer=page.url,
            ),
        )
    assert step.path is not None
    path = _fill_path(step.path, captured)
    body_json = fill_json(step.json, captured) if step.json is not None else None
    data = (
        {k: fill(str(v), captured) for k, v in step.form.items()} if step.form is not None else None
    )
    return (
        step.method,
        path,
        _request(
            browser,
            label,
            index,
            step.method,
            path,
            json=body_json,
            data=data,
            headers=step.headers,
        ),
    )


def _request(
    browser: Browser,
    label: str,
    index: int,
    method: str,
    target: str,
    *,
    shown: str | None = None,
    **kwargs: Any,
) -> Exchange:
    shown = shown or _path(target)
    try:
        return browser.request(method, target, **kwargs)
    except ValueError as exc:
        raise _StepFailed(FlowFailure(index, label, method, shown, str(exc))) from None
    except httpx.HTTPError as exc:
        raise _StepFailed(
            FlowFailure(
                index,
                label,
                method,
                shown,
                f"the request failed: {describe_http_error(exc)}",
                unreachable=True,
                refused=is_refused(exc),
            )
        ) from None


def _check(
    step: FlowStep,
    index: int,
    method: str,
    path: str,
    answer: Exchange,
    identity: str,
    captured: Mapping[str, Any],
    *,
    session_live: bool,
    login_paths: Collection[str],
) -> None:
    label = step.label(index)

    def fail(problem: str, **extra: Any) -> _StepFailed:
        return _StepFailed(_failure(index, label, method, path, answer, problem, **extra))

    on_login_page = exchange_is_login_page(answer, login_paths)
    if step.expect_denied:
        if answer.status in DENIED_STATUSES or on_login_page:
            return
        raise fail(
            f"expected to be denied (401, 403, 404 or the login page), answered {answer.status}"
        )
    expected_login_answer = step.expect_status == 401 or step.logout
    if session_live and not expected_login_answer and (answer.status == 401 or on_login_page):
        how = "answered 401" if answer.status == 401 else "led to the login page"
        if answer.not_followed:  # an SSO login on another host: nothing was sent there
            how += f" (not followed: {answer.not_followed})"
        raise fail(
            f"the session of identity {identity} ended: {method} {path} {how}", session_ended=True
        )
    if answer.not_followed and step.expect_status != answer.status:
        raise fail(
            f"answered {answer.status}, a redirect that was not followed: {answer.not_followed}"
        )
    if step.expect_status is not None:
        if answer.status != step.expect_status:
            raise fail(f"answered {answer.status}, expected {step.expect_status}")
    elif not 200 <= answer.status < 300:
        raise fail(f"answered {answer.status}, expected a 2xx answer")
    expect_text = fill(step.expect_text, captured) if step.expect_text else None
    if expect_text and expect_text not in answer.text:
        raise fail(f"the answer does not contain the expected text {expect_text!r}")
    if step.expect_json:
        data = _json(answer, fail)
        for dotted, expected in step.expect_json.items():
            wanted = fill_json(expected, captured)
            found = jsonpath.find(data, dotted)
            if not found:
                raise fail(f"expect_json: the JSON answer has no `{dotted}`")
            if wanted not in found:
                shown = found[0] if len(found) == 1 else found[:5]
                raise fail(f"expect_json: `{dotted}` is {_short(shown)}, expected {_short(wanted)}")


def _capture(
    step: FlowStep, index: int, method: str, path: str, answer: Exchange
) -> dict[str, Any]:
    if not step.capture:
        return {}

    def fail(problem: str) -> _StepFailed:
        return _StepFailed(_failure(index, step.label(index), method, path, answer, problem))

    data = _json(answer, fail)
    out: dict[str, Any] = {}
    for name, dotted in step.capture.items():
        found = jsonpath.find(data, dotted)
        if not found or isinstance(found[0], dict | list) or found[0] is None:
            raise fail(f"capture {name}: the JSON answer has no value at `{dotted}`")
        out[name] = found[0]
    return out


def _json(answer: Exchange, fail: Any) -> Any:
    try:
        return answer.json()
    except ValueError:
        raise fail(
            f"the answer ({answer.headers.get('content-type', 'no content type')}) is not JSON"
        ) from None


def _write_note(method: str, path: str, answer: Exchange, captured: Mapping[str, Any]) -> str:
    note = f"{method} {path} -> {answer.status}"
    if answer.status == 201 and answer.location:
        note += f" (created {_path(answer.location)})"
    if captured:
        note += " (captured " + ", ".join(f"{k}={v}" for k, v in captured.items()) + ")"
    return note


def _failure(
    index: int, label: str, method: str, path: str, answer: Exchange, problem: str, **extra: Any
) -> FlowFailure:
    return FlowFailure(
        index,
        label,
        method,
        path,
        problem,
        answer.status,
        answer.url,
        excerpt(answer.text),
        **extra,
    )


def _path(url: str) -> str:
    """The path alone: a query string may carry what a form just submitted."""
    return urllib.parse.urlsplit(url).path or "/"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of an answer as one short line: HTML tags, scripts and styles dropped."""
    sample = text[:20_000]
    if "<" in sample:
        parser = _Text()
        try:
            parser.feed(well_formed(sample))
        except Exception:
            parser.parts = [sample]
        sample = " ".join(parser.parts)
    line = " ".join(sample.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."
