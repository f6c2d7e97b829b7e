"""Extract the GitHub REST operations launchgate uses from the official description into
`schemas.json` (committed), so the fake server validates request bodies against GitHub's own
schemas without the 70 MB description in the repository.

The description ships in the npm package `@octokit/openapi`. Run:

    python tests/support/fakegithub/regenerate_schemas.py   # npm install into /tmp
    python tests/support/fakegithub/regenerate_schemas.py --from DIR  # an unpacked package

OpenAPI 3.0's `nullable: true` is rewritten to JSON Schema's `type: [T, "null"]`, and request
bodies get `additionalProperties: false`: GitHub ignores unknown keys, so a misspelt field in our
client would otherwise silently do nothing.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@octokit/openapi"
VERSION = "23.0.2"
OPERATIONS = (
    "repos/get",
    "repos/create-commit-status",
    "repos/list-pull-requests-associated-with-commit",
    "pulls/get",
    "issues/list-comments",
    "issues/create-comment",
    "issues/update-comment",
    "users/get-authenticated",
    "actions/list-workflow-runs-for-repo",
    "actions/list-workflow-run-artifacts",
    "actions/download-artifact",
    "issues/list-for-repo",
    "issues/get",
    "issues/create",
    "issues/update",
)
# Responses the fake server checks its own answers against (so the fields our client reads are
# GitHub's): the 200 body's schema, with a workflow run cut down to its scalar fields (a full
# run embeds two whole repositories, which the client never reads).
RESPONSES = ("actions/list-workflow-runs-for-repo", "actions/list-workflow-run-artifacts")
RUN_FIELDS = (
    "id",
    "node_id",
    "name",
    "head_branch",
    "head_sha",
    "path",
    "display_title",
    "run_number",
    "event",
    "status",
    "conclusion",
    "workflow_id",
    "url",
    "html_url",
    "created_at",
    "updated_at",
    "jobs_url",
    "logs_url",
    "check_suite_url",
    "artifacts_url",
    "cancel_url",
    "rerun_url",
    "workflow_url",
)
OUT = Path(__file__).with_name("schemas.json")


def fetch_package(dest: Path) -> Path:
    (dest / "package.json").write_text('{"name": "schemas", "private": true}\n')
    subprocess.run(
        ["npm", "install", "--no-save", "--ignore-scripts", f"{PACKAGE}@{VERSION}"],
        cwd=dest,
        check=True,
    )
    return dest / "node_modules" / PACKAGE


ANNOTATIONS = ("nullable", "example", "examples", "description")


def to_json_schema(node: Any) -> Any:
    if isinstance(node, list):
        return [to_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: (_properties(v) if k == "properties" else to_json_schema(v))
        for k, v in node.items()
        if k not in ANNOTATIONS
    }
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def _properties(node: dict[str, Any]) -> dict[str, Any]:
    """Property names are data, not annotations: a property may be called `description`."""
    return {name: to_json_schema(schema) for name, schema in node.items()}


def _pruned_runs(schema: dict[str, Any]) -> dict[str, Any]:
    runs = schema["properties"].get("workflow_runs")
    if runs:
        item = runs["items"]
        item["properties"] = {k: v for k, v in item["properties"].items() if k in RUN_FIELDS}
        item["required"] = [k for k in item.get("required", []) if k in RUN_FIELDS]
    return schema


def extract(description: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for path, item in description["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or op.get("operationId") not in OPERATIONS:
                continue
            entry: dict[str, Any] = {"method": method.upper(), "path": path}
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "schema" in body:
                schema = to_json_schema(body["schema"])
                schema["additionalProperties"] = False
                entry["body"] = schema
            query = {
                p["name"]: to_json_schema(p["schema"])
                for p in op.get("parameters", [])
                if p.get("in") == "query"
            }
            if query:
                entry["query"] = query
            entry["statuses"] = sorted(op.get("responses", {}))
            if op["operationId"] in RESPONSES:
                schema = op["responses"]["200"]["content"]["application/json"]["schema"]
                entry["response"] = _pruned_runs(to_json_schema(schema))
            found[op["operationId"]] = entry
    missing = set(OPERATIONS) - set(found)
    if missing:
        raise SystemExit(f"operations not in the description: {sorted(missing)}")
    return {
        "source": f"{PACKAGE}@{VERSION} generated/api.github.com.deref.json",
        "operations": dict(sorted(found.items())),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="an unpacked package dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="octokit-openapi-") as tmp:
        package = args.source or fetch_package(Path(tmp))
        spec = package / "generated" / "api.github.com.deref.json"
        data = extract(json.loads(spec.read_text(encoding="utf-8")))
    OUT.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(data['operations'])} operations)")


if __name__ == "__main__":
    main()
