"""A Locust worker on another runner, joining the gate's master:

    python -m launchgate.load.remote_worker --config .launchgate.yml --master-host GATE_HOST \\
        [--master-port 5557] [--url URL]

It builds the same plan as the gate from the same config (and the same environment variables
for `${VAR}` headers and the `load.as` identities' credentials), resolves and vets the target
itself (private-target guard, connect_to), then runs `launchgate.load.child worker`, whose
samples travel to the master like a local worker's. The gate's side is enabled with
LAUNCHGATE_LOAD_MASTER_BIND (see docs/load.md).
"""

from __future__ import annotations

import argparse
import sys
import urllib.parse

from launchgate.address import connect_target
from launchgate.config import load_config
from launchgate.errors import ConfigError
from launchgate.http.transport import http_context_from_config
from launchgate.load.process import spawn_child
from launchgate.load.target import TargetRefused, build_plan, vetted_endpoint


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m launchgate.load.remote_worker")
    parser.add_argument("--config", default=".launchgate.yml")
    parser.add_argument("--url", help="the app under test (overrides the config's url)")
    parser.add_argument("--master-host", required=True)
    parser.add_argument("--master-port", type=int, default=5557)
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config, overrides={"url": args.url} if args.url else None)
    except ConfigError as exc:
        print(f"launchgate: {exc}", file=sys.stderr)
        return 2
    if not config.url:
        print("launchgate: no url configured (set url: or pass --url)", file=sys.stderr)
        return 2
    http = http_context_from_config(config)
    parts = urllib.parse.urlsplit(config.url)
    try:
        endpoint = vetted_endpoint(http, *connect_target(config.url))
    except TargetRefused as exc:
        print(f"launchgate: {exc}", file=sys.stderr)
        return 2
    for name in config.checks.load.as_:
        why = config.unavailable_identities.get(name)
        if why is not None:  # never log in with empty credentials
            print(f"launchgate: identity {name} has no credentials here ({why})", file=sys.stderr)
            return 2
    # The identities' credentials come from this runner's own config and environment, like
    # the target: never from the master, never on a command line.
    plan = build_plan(config.checks.load, http, parts, endpoint, config.identities)
    proc = spawn_child(
        ["worker", "--master-host", args.master_host, "--master-port", str(args.master_port)],
        plan.dumps(),
        None,
    )
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        return proc.wait()
    finally:
        if proc.stdin is not None:
            proc.stdin.close()


if __name__ == "__main__":
    sys.exit(main())
