"""Renderers: markdown (Jinja2), SARIF 2.1.0 and terminal text. They format a report's v1 JSON
and never compute anything of their own: counts, verdicts and metrics come from the report."""
