"""Wait (bounded) until the preview answers: Vercel/Netlify previews come up some time after
the deploy event. Ready means any HTTP answer except a gateway's "not yet" (502, 503, 504)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from launchgate.net import HttpContext, PrivateTargetError, describe_http_error, is_refused

NOT_READY_STATUSES = frozenset({502, 503, 504})
PROBE_INTERVAL_S = 1.0
PROBE_TIMEOUT_S = 5.0


@dataclass(frozen=True)
class Readiness:
    ready: bool
    waited_s: float
    reason: str          # the last answer or error, for the report


def wait_until_ready(http: HttpContext, url: str, timeout_s: float,
                     on_wait: Callable[[float, str], None] | None = None) -> Readiness:
    """Probe `url` until it answers or `timeout_s` passes (at least one probe).

    Raises PrivateTargetError when the guard refuses the target: that is not "not ready yet"."""
    started = time.monotonic()
    deadline = started + timeout_s
    reason = "no answer"
    with http.client(follow_redirects=False) as client:
        while True:
            remaining = deadline - time.monotonic()
            try:
                response = client.get(url, timeout=max(0.5, min(PROBE_TIMEOUT_S, remaining)))
            except httpx.HTTPError as exc:
                if is_refused(exc):
                    raise PrivateTargetError(describe_http_error(exc)) from None
                reason = describe_http_error(exc)
            else:
                if response.status_code not in NOT_READY_STATUSES:
                    return Readiness(True, time.monotonic() - started,
                                     f"answered {response.status_code}")
                reason = f"answered {response.status_code}"
            waited = time.monotonic() - started
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return Readiness(False, waited, reason)
            if on_wait:
                on_wait(waited, reason)
            time.sleep(min(PROBE_INTERVAL_S, remaining))
