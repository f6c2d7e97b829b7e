"""SARIF 2.1.0 for GitHub code scanning (`github/codeql-action/upload-sarif`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/launchgate/launchgate"
CONFIG_URI = ".launchgate.yml"
_LEVELS = {"blocker": "error", "important": "warning", "later": "note"}
# GitHub orders code-scanning alerts by this number (0.0-10.0).
_SECURITY_SEVERITY = {"blocker": "9.0", "important": "6.0", "later": "2.0"}


def render_sarif(report: Mapping[str, Any]) -> dict[str, Any]:
    rules: dict[str, dict[str, Any]] = {}
    results = []
    for finding in report["findings"]:
        rule_id = finding["id"]
        rules.setdefault(rule_id, _rule(finding))
        results.append(_result(finding, list(rules).index(rule_id)))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "launchgate",
                        "version": report["tool"]["version"],
                        "semanticVersion": report["tool"]["version"],
                        "informationUri": INFORMATION_URI,
                        "rules": list(rules.values()),
                    }
                },
                "results": results,
                "invocations": [{"executionSuccessful": report["verdict"] != "error"}],
                "properties": {"verdict": report["verdict"], "counts": report["counts"]},
            }
        ],
    }


def _rule(finding: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": finding["id"],
        "name": "".join(part.title() for part in finding["id"].replace(".", "-").split("-")),
        "shortDescription": {"text": finding["title"][:1000]},
        "help": {"text": finding["remedy"] or finding["title"]},
        "defaultConfiguration": {"level": _LEVELS[finding["severity"]]},
        "properties": {
            "tags": ["launchgate", finding["check"]],
            "security-severity": _SECURITY_SEVERITY[finding["severity"]],
        },
    }


def _result(finding: Mapping[str, Any], rule_index: int) -> dict[str, Any]:
    location = finding["location"]
    text = finding["title"] + (f". {finding['detail']}" if finding["detail"] else "")
    result: dict[str, Any] = {
        "ruleId": finding["id"],
        "ruleIndex": rule_index,
        "level": _LEVELS[finding["severity"]],
        "message": {"text": text},
        "partialFingerprints": {"launchgateFingerprint/v1": finding["fingerprint"]},
        "properties": {"severity": finding["severity"]},
    }
    if finding.get("new") is not None:  # with a comparison: SARIF's own word for it
        result["baselineState"] = "new" if finding["new"] else "unchanged"
    if location.get("path") and location.get("line") and not location.get("url"):
        result["locations"] = [
            {
                "physicalLocation": {
                    # a file name may hold spaces, `#`, `%` or control characters:
                    # a URI escapes them
                    "artifactLocation": {"uri": quote(location["path"].lstrip("/"), safe="/")},
                    "region": {"startLine": int(location["line"])},
                }
            }
        ]
    else:
        # GitHub code scanning refuses a result without a file location; a finding about the
        # deployment is anchored to the gate's config, and names the URL or host logically.
        anchor: dict[str, Any] = {
            "physicalLocation": {
                "artifactLocation": {"uri": CONFIG_URI},
                "region": {"startLine": 1},
            }
        }
        if location.get("url") or location.get("host"):
            anchor["logicalLocations"] = [
                {
                    "name": location.get("host") or location.get("url"),
                    "fullyQualifiedName": location.get("url") or location.get("host"),
                    "kind": "resource",
                }
            ]
        result["locations"] = [anchor]
    return result
