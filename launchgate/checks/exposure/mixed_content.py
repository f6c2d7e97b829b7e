"""Mixed content on the https page: http:// scripts, stylesheets, frames and forms are
blockers; http:// images and media are important."""

from __future__ import annotations

from launchgate.checks.exposure.probe import finding
from launchgate.http.pages import Page, PageLinks
from launchgate.report import Finding, Severity

ACTIVE_TAGS = {"script", "iframe", "object", "embed", "form"}
PASSIVE_TAGS = {"img", "audio", "video", "source", "track"}


def mixed_content(page: Page, links: PageLinks) -> list[Finding]:
    if not page.url.startswith("https:"):
        return []
    active = sorted(
        {
            r.url
            for r in links.refs
            if r.url.startswith("http:")
            and (r.tag in ACTIVE_TAGS or (r.tag == "link" and "stylesheet" in r.rel))
        }
    )
    passive = sorted(
        {r.url for r in links.refs if r.url.startswith("http:") and r.tag in PASSIVE_TAGS}
    )
    findings: list[Finding] = []
    if active:
        findings.append(
            finding(
                "mixed-content-active",
                Severity.BLOCKER,
                f"https page loads {len(active)} script(s)/frame(s)/form(s) over http",
                "Browsers block them (the page breaks), and where they load, a network attacker "
                "controls the page: " + ", ".join(active[:5]),
                "Load every script, stylesheet, frame and form target over https.",
                page.url,
            )
        )
    if passive:
        findings.append(
            finding(
                "mixed-content-passive",
                Severity.IMPORTANT,
                f"https page loads {len(passive)} image(s)/media over http",
                "The padlock degrades and the content can be swapped: " + ", ".join(passive[:5]),
                "Serve images and media over https.",
                page.url,
            )
        )
    return findings
