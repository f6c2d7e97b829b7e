"""Secrets in client-side code (`scan_bundles`): the page's inline scripts, its same-site
scripts and their source maps, bounded in count and size, scanned with the secrets engine.
Entropy-only detectors are ignored: minified bundles are full of random-looking hashes."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from launchgate.checks.exposure.probe import finding
from launchgate.http.pages import Page, PageLinks, absolute_url, fetch_page, same_site
from launchgate.report import Finding, Severity
from launchgate.secrets.textscan import SecretHit, scan_text

ENTROPY_TYPES = {"Base64 High Entropy String", "Hex High Entropy String"}
MAX_BUNDLE_FILES = 25
MAX_BUNDLE_BYTES = 5_000_000
MAX_TOTAL_BYTES = 30_000_000
_SOURCE_MAP = re.compile(r"[#@]\s*sourceMappingURL\s*=\s*(\S+)")


@dataclass
class _Budget:
    files: int = 0
    bytes: int = 0

    def take(self, size: int) -> bool:
        if self.files >= MAX_BUNDLE_FILES or self.bytes + size > MAX_TOTAL_BYTES:
            return False
        self.files += 1
        self.bytes += size
        return True


def scan_bundles(
    client_for: Callable[[str], httpx.Client], page: Page, links: PageLinks, site_hosts: set[str]
) -> tuple[int, list[Finding]]:
    findings = _scan(page.text, "page.html", page.url)  # inline scripts included
    budget = _Budget(files=1, bytes=len(page.body))
    scripts = [r.url for r in links.refs if r.tag == "script" and same_site(r.url, site_hosts)]
    for script_url in dict.fromkeys(scripts):
        if not budget.take(0):
            break
        script = _fetch_text(client_for(script_url), script_url)
        if script is None:
            continue
        text, response = script
        budget.bytes += len(text)
        findings += _scan(text, _filename(script_url, ".js"), script_url)
        map_url = _source_map_url(text, response, script_url)
        if map_url and same_site(map_url, site_hosts) and budget.take(0):
            source_map = _fetch_text(client_for(map_url), map_url)
            if source_map is not None:
                budget.bytes += len(source_map[0])
                findings += _scan_source_map(source_map[0], map_url)
    return budget.files, findings


def _fetch_text(client: httpx.Client, url: str) -> tuple[str, httpx.Response] | None:
    try:
        page = fetch_page(client, url, max_hops=3, limit=MAX_BUNDLE_BYTES)
    except httpx.HTTPError:
        return None
    if page.response.status_code != 200:
        return None
    return page.text, page.response


def _filename(url: str, default_suffix: str) -> str:
    name = urllib.parse.urlsplit(url).path.rsplit("/", 1)[-1]
    return name if "." in name else name + default_suffix


def _source_map_url(text: str, response: httpx.Response, script_url: str) -> str | None:
    header = response.headers.get("sourcemap") or response.headers.get("x-sourcemap")
    matches = _SOURCE_MAP.findall(text[-4096:])
    ref = header or (matches[-1] if matches else None)
    if not ref or ref.startswith("data:"):
        return None
    return absolute_url(script_url, ref)  # None for a malformed reference: nothing to fetch


def _scan_source_map(text: str, map_url: str) -> list[Finding]:
    try:
        data = json.loads(text)
    except ValueError:
        return _scan(text, "map.json", map_url)
    if not isinstance(data, dict):
        return []
    sources = data.get("sources") or []
    contents = data.get("sourcesContent") or []
    findings: list[Finding] = []
    for index, content in enumerate(contents):
        if isinstance(content, str) and content:
            source = (
                sources[index]
                if index < len(sources) and isinstance(sources[index], str)
                else f"source-{index}.js"
            )
            findings += _scan(content, _filename(source, ".js"), map_url, source)
    return findings


def _scan(text: str, filename: str, url: str, source: str | None = None) -> list[Finding]:
    hits: tuple[SecretHit, ...] = scan_text(text, filename)
    findings: list[Finding] = []
    for hit in hits:
        if hit.type in ENTROPY_TYPES:
            continue
        where = f"{url}, original source {source}" if source else url
        findings.append(
            finding(
                "secret-in-bundle",
                Severity.BLOCKER,
                f"{hit.type} in client-side code",
                f"Found in {where} at line {hit.line} (fingerprint {hit.hashed_secret[:12]}). "
                "Everything shipped to the browser is public: anyone can read this key.",
                "Revoke and rotate the key now; keep it on the server (call the provider from "
                "your backend), and never put it in build-time env vars exposed to the front end "
                "(NEXT_PUBLIC_*, VITE_*, REACT_APP_*).",
                url,
                key=hit.hashed_secret + (source or ""),
                line=hit.line,
            )
        )
    return findings
