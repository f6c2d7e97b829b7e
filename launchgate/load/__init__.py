"""The load test behind `checks.load`: a Locust child process (never imported into the gate),
the plan it runs, raw per-request samples streamed back, and exact statistics over them.

- `plan.py`      the JSON plan the gate hands the child (target, routes, timing), on stdin
- `child.py`     runs in `python -m launchgate.load.child`: Locust local, master or worker
- `process.py`   the gate's side: start the child(ren), tail the samples, report progress
- `readiness.py` wait (bounded) until the preview answers
- `stats.py`     exact (nearest-rank) percentiles, per-route summaries, collapse detection
"""
