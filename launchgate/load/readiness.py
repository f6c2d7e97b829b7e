"""Wait (bounded) until the preview answers: Vercel/Netlify previews come up some time after
the deploy event. Ready means any HTTP answer except a gateway's "not yet" (502, 503, 504).

Each probe reads the status line and headers only (never the body, asked for uncompressed) and
is bounded by the time left as a whole, not per connect/read phase: it runs in a daemon thread
that the wait abandons at the deadline (its own per-phase timeouts then end it). A certificate
that does not verify is final: waiting will not fix it, so it is reported at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from launchgate.http.transport import (
    HttpContext,
    PrivateTargetError,
    describe_http_error,
    is_certificate_failure,
    is_refused,
)

NOT_READY_STATUSES = frozenset({502, 503, 504})
PROBE_INTERVAL_S = 1.0
PROBE_TIMEOUT_S = 5.0
MIN_PROBE_S = 0.5  # the first probe gets at least this long, even with ready_timeout 0


@dataclass(frozen=True)
class Readiness:
    ready: bool
    waited_s: float
    reason: str  # the last answer or error, for the report
    final: bool = False  # an error that waiting cannot fix (certificate verification)


@dataclass
class _Probe:
    """One GET, status only; `status` or `error` is set when it finished."""

    status: int | None = None
    error: Exception | None = None


def _probe(http: HttpContext, url: str, timeout_s: float, out: _Probe) -> None:
    try:
        with (
            http.client(follow_redirects=False, timeout_s=timeout_s) as client,
            client.stream("GET", url, headers={"Accept-Encoding": "identity"}) as response,
        ):
            out.status = response.status_code  # leaving the block closes, body unread
    except Exception as exc:  # handed to the waiting thread, which decides
        out.error = exc


def probe_once(http: HttpContext, url: str, budget_s: float) -> _Probe | None:
    """One probe bounded by `budget_s` of wall time; None when it did not finish in time."""
    out = _Probe()
    thread = threading.Thread(
        target=_probe,
        args=(http, url, min(PROBE_TIMEOUT_S, budget_s), out),
        name="launchgate-readiness",
        daemon=True,
    )
    thread.start()
    thread.join(budget_s)
    return None if thread.is_alive() else out


def wait_until_ready(
    http: HttpContext,
    url: str,
    timeout_s: float,
    on_wait: Callable[[float, str], None] | None = None,
) -> Readiness:
    """Probe `url` until it answers or `timeout_s` passes (at least one probe).

    Raises PrivateTargetError when the guard refuses the target: that is not "not ready yet"."""
    started = time.monotonic()
    deadline = started + max(timeout_s, MIN_PROBE_S)
    reason = "no answer"
    while True:
        got = probe_once(http, url, max(0.05, deadline - time.monotonic()))
        if got is None:
            pass  # cut short by the deadline: keep the last reason, an earlier error says more
        elif got.error is not None:
            if is_refused(got.error):
                raise PrivateTargetError(describe_http_error(got.error)) from None
            reason = describe_http_error(got.error)
            if is_certificate_failure(got.error):
                return Readiness(False, time.monotonic() - started, reason, final=True)
        elif got.status is not None and got.status not in NOT_READY_STATUSES:
            return Readiness(True, time.monotonic() - started, f"answered {got.status}")
        else:
            reason = f"answered {got.status}"
        waited = time.monotonic() - started
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Readiness(False, waited, reason)
        if on_wait:
            on_wait(waited, reason)
        time.sleep(min(PROBE_INTERVAL_S, remaining))
