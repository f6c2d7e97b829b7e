"""CORS on `cors_paths`: a foreign Origin reflected with credentials is a blocker; reflected
without them, or `*`, is important."""

from __future__ import annotations

import httpx

from launchgate.checks.exposure.probe import Tally, finding, get, probe_failed
from launchgate.report import Finding, Severity

PROBE_ORIGIN = "https://launchgate-cors-probe.invalid"


def probe_cors(client: httpx.Client, url: str, path: str, tally: Tally) -> list[Finding]:
    page = get(client, url, tally, max_hops=0, headers={"Origin": PROBE_ORIGIN})
    if page is None:
        return probe_failed(url, tally, f"the CORS policy of {path}")
    allow = page.response.headers.get("access-control-allow-origin", "").strip()
    credentials = (
        page.response.headers.get("access-control-allow-credentials", "").strip().lower() == "true"
    )
    remedy = (
        "Allow only your own front-end origins (an explicit list), never reflect the "
        "request's Origin, and allow credentials only for those origins."
    )
    if allow == PROBE_ORIGIN and credentials:
        return [
            finding(
                "cors-reflected-with-credentials",
                Severity.BLOCKER,
                f"{path} lets any website read it with the visitor's cookies",
                f"A request with Origin: {PROBE_ORIGIN} got it back in "
                "Access-Control-Allow-Origin together with "
                "Access-Control-Allow-Credentials: true: any site a logged-in user "
                "visits can read this API as that user.",
                remedy,
                url,
            )
        ]
    if allow == PROBE_ORIGIN:
        return [
            finding(
                "cors-reflected-origin",
                Severity.IMPORTANT,
                f"{path} reflects any Origin in CORS",
                f"Origin: {PROBE_ORIGIN} was echoed in Access-Control-Allow-Origin.",
                remedy,
                url,
            )
        ]
    if allow == "*":
        return [
            finding(
                "cors-wildcard",
                Severity.IMPORTANT,
                f"{path} allows every origin (Access-Control-Allow-Origin: *)",
                "Any website can read these API responses from a visitor's browser "
                "(without cookies); fine for public data only.",
                remedy,
                url,
            )
        ]
    return []
