"""`watch.webhook`: a Slack-compatible incoming webhook gets `{"text": ...}` on each state change
of the production watch. The URL is the credential, so no message here ever contains it (nor
any part of it: errors name only the exception type or the HTTP status). A failing webhook is
a warning for the caller, never an exception. The whole post has a total deadline: a server
that drips its answer cannot hold the job."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import httpx

DEADLINE_S = 15.0
MAX_TEXT_CHARS = 3000  # Slack truncates a section's text at 3,000 characters


@dataclass(frozen=True)
class Delivery:
    ok: bool
    problem: str = ""  # why it failed, safe to print (never the URL)


def post_text(url: str, text: str, *, deadline_s: float = DEADLINE_S) -> Delivery:
    """POST `{"text": text}` to `url`, following no redirect (a redirect could carry the
    request elsewhere); a 2xx is delivered."""
    outcome: list[Delivery] = []

    def attempt() -> None:
        try:
            with httpx.Client(
                timeout=httpx.Timeout(deadline_s), follow_redirects=False, trust_env=True
            ) as client:
                answer = client.post(url, json={"text": text[:MAX_TEXT_CHARS]})
            outcome.append(
                Delivery(True)
                if answer.is_success
                else Delivery(False, f"the webhook answered HTTP {answer.status_code}")
            )
        except httpx.HTTPError as exc:
            outcome.append(
                Delivery(False, f"the webhook could not be reached ({type(exc).__name__})")
            )
        except Exception as exc:  # an invalid URL at run time, a TLS library error, ...
            outcome.append(
                Delivery(False, f"the webhook could not be posted ({type(exc).__name__})")
            )

    worker = threading.Thread(target=attempt, name="launchgate-webhook", daemon=True)
    worker.start()
    worker.join(deadline_s)
    if not outcome:
        return Delivery(False, f"the webhook did not answer within {deadline_s:g} s")
    return outcome[0]
