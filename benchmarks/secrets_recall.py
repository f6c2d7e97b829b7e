"""Benchmark: recall and precision per provider and per plugin, launchgate vs detect-secrets 1.5.

The corpus is tests/support/made_up_secrets.py: made-up values in each provider's published format
(generated from a seed; checksums computed), in the places secrets get committed, with hard
negatives (docs examples and placeholders, wrong checksums, publishable keys, hashes, UUIDs,
test fixtures). Both tools judge every line in the same run:

* detect-secrets 1.5.0 alone: its default plugins and filters on the line
  (`_process_line_based_plugins`, the function `scan_file`/`scan_diff` use per line);
* launchgate: its engine (detect-secrets' plugins and filters plus launchgate's own plugins),
  minus what the check does not report (well-known noise such as placeholders and SRI hashes).

A line counts as found when the tool reports any secret on it. Per plugin: the launchgate
plugin's hits on its provider's positives shaped like its format (the lines one of its regexes
matches), and on any negative.

    .venv/bin/python benchmarks/secrets_recall.py --output benchmarks/results/secrets_recall.md
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def detect_secrets_types(path: str, line: str) -> set[str]:
    from detect_secrets.core.scan import _process_line_based_plugins

    return {s.type for s in _process_line_based_plugins([(1, line)], filename=path)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    from detect_secrets.settings import default_settings, get_filters

    from launchgate.secrets.engine import Engine
    from launchgate.secrets.plugins import by_type, plugin_classes
    from tests.support.made_up_secrets import PLUGIN_GROUPS, corpus

    cases = corpus(args.seed)
    own_types = {t: cls.__name__ for t, cls in by_type().items()}
    started = time.perf_counter()
    theirs: list[set[str]] = []
    with default_settings() as settings:
        settings.disable_filters("detect_secrets.filters.common.is_invalid_file")
        get_filters.cache_clear()
        for case in cases:
            theirs.append(detect_secrets_types(case.path, case.line))
    ds_s = time.perf_counter() - started
    engine = Engine()
    started = time.perf_counter()
    ours = [{h.type for h in engine.judge(c.path, c.line) if not h.noise} for c in cases]
    lg_s = time.perf_counter() - started

    groups: dict[str, dict[str, int]] = {}
    for case, ds, lg in zip(cases, theirs, ours, strict=True):
        row = groups.setdefault(case.provider, Counter())
        row["positives" if case.secret else "negatives"] += 1
        for tool, found in (("ds", ds), ("lg", lg)):
            if found:
                row[f"{tool}_tp" if case.secret else f"{tool}_fp"] += 1
    plugins = {}
    instances = {cls.__name__: cls() for cls in plugin_classes()}
    for name, plugin in instances.items():
        group = PLUGIN_GROUPS[name]
        shaped = [
            i
            for i, c in enumerate(cases)
            if c.secret and c.provider == group and any(r.search(c.line) for r in plugin.denylist)
        ]
        hit = [i for i, lg in enumerate(ours) if name in {own_types.get(t) for t in lg}]
        tp = sum(1 for i in hit if cases[i].secret)
        plugins[name] = {
            "group": group,
            "strength": plugin.strength,
            "in_format": len(shaped),
            "found": sum(1 for i in shaped if i in hit),
            "tp": tp,
            "fp": sum(1 for i in hit if not cases[i].secret),
        }
    ds_types = Counter(t for ds in theirs for t in ds)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "seed": args.seed,
        "cases": len(cases),
        "positives": sum(c.secret for c in cases),
        "negatives": sum(not c.secret for c in cases),
        "groups": {g: dict(v) for g, v in groups.items()},
        "plugins": plugins,
        "detect_secrets_types": dict(ds_types.most_common()),
        "detect_secrets_s": round(ds_s, 3),
        "launchgate_s": round(lg_s, 3),
    }
    text = render(result)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        args.output.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.0f} %" if den else "-"


def render(r: dict) -> str:
    rows = []
    total: Counter = Counter()
    for group, v in r["groups"].items():
        total.update(v)
        rows.append(_group_row(group, v))
    rows.append(_group_row("**all**", total))
    plugin_rows = []
    for name, p in r["plugins"].items():
        plugin_rows.append(
            f"| {name} | {p['group']} | {p['strength']} | {p['found']}/"
            f"{p['in_format']} ({_pct(p['found'], p['in_format'])}) | {p['tp']} | "
            f"{p['fp']} | {_pct(p['tp'], p['tp'] + p['fp'])} |"
        )
    ds_types = ", ".join(f"{t}: {n}" for t, n in r["detect_secrets_types"].items())
    return f"""# Secrets recall benchmark: launchgate vs detect-secrets 1.5.0

Run {r["date"]}, corpus seed {r["seed"]}: {r["cases"]} lines, {r["positives"]} secrets and
{r["negatives"]} hard negatives (made-up values in each provider's published format,
`tests/support/made_up_secrets.py`). Both tools judge every line in the same run; a line is
found when the tool reports any secret on it (launchgate: what its check reports, noise
excluded).

## Per provider

{_GROUP_HEADER}
{chr(10).join(rows)}

## Per launchgate plugin

`in format`: the provider's secrets one of the plugin's regexes matches; `TP`/`FP`: the
plugin's hits on secrets / on negatives anywhere in the corpus.

| plugin | provider | strength | found / in format | TP | FP | precision |
|---|---|---|---|---|---|---|
{chr(10).join(plugin_rows)}

detect-secrets' hits by type (all lines): {ds_types}.

Time: detect-secrets {r["detect_secrets_s"]} s, launchgate {r["launchgate_s"]} s
(one line at a time, no pre-filter benefit at this size).
Reproduce: `.venv/bin/python benchmarks/secrets_recall.py --output FILE.md`.
"""


_GROUP_HEADER = (
    "| provider | secrets | negatives | detect-secrets recall | detect-secrets false pos. | "
    "detect-secrets precision | launchgate recall | launchgate false pos. | "
    "launchgate precision |\n|---|---|---|---|---|---|---|---|---|"
)


def _group_row(group: str, v: dict) -> str:
    pos, neg = v.get("positives", 0), v.get("negatives", 0)
    ds_tp, ds_fp, lg_tp, lg_fp = (v.get(k, 0) for k in ("ds_tp", "ds_fp", "lg_tp", "lg_fp"))
    return (
        f"| {group} | {pos} | {neg} | {ds_tp}/{pos} ({_pct(ds_tp, pos)}) | {ds_fp} | "
        f"{_pct(ds_tp, ds_tp + ds_fp)} | {lg_tp}/{pos} ({_pct(lg_tp, pos)}) | {lg_fp} | "
        f"{_pct(lg_tp, lg_tp + lg_fp)} |"
    )


if __name__ == "__main__":
    raise SystemExit(main())
