"""The load test behind `checks.load`: a Locust child process (never imported into the gate),
the plan it runs, raw per-request samples streamed back, and exact statistics over them.

- `plan.py`          the JSON plan the gate hands the child (target, routes, timing), on stdin
- `child.py`         `python -m launchgate.load.child ROLE`: patches gevent, then runs...
- `generator.py`     ...Locust as a library: local, master or worker; ships raw samples
- `answers.py`       what an answer means beyond its status (expected status, the login page)
- `logins.py`        logged-in load (`load.as`): each user logs in once, in the child
- `process.py`       the gate's side: start the child(ren), tail the samples, report progress
- `readiness.py`     wait (bounded) until the preview answers
- `target.py`        the vetted address and the plan, from the config (check and remote worker)
- `stats.py`         exact (nearest-rank) percentiles, per-route summaries, collapse detection
- `remote_worker.py` a worker on another runner joining the gate's master (docs/load.md)
"""
