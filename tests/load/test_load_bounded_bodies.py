"""A compression bomb during the load test must not grow the Locust child (issue 12, item 5: it
grew to 2.15 GB and the check timed out). A real Locust child against a real hostile server on
loopback; its peak RSS is read from /proc while it runs (tests/support/loadprobe.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tests.support.hostile_server import HostileServer

pytestmark = pytest.mark.slow  # a real Locust child against compression bombs

PROBE = ROOT / "tests" / "support" / "loadprobe.py"


def test_compression_bombs_keep_the_load_generator_small():
    """200 MB of zeros per answer, gzip and brotli, 3 users for 2 s: before the fix the child
    inflated each answer whole (439 MB peak, 15 requests in the run); now it reads every byte
    sent but keeps 64 KB decoded."""
    with HostileServer(bomb_bytes=200_000_000) as server:
        result = subprocess.run(
            [
                sys.executable,
                str(PROBE),
                server.url,
                "/bomb-gzip",
                "/bomb-br",
                "--users",
                "3",
                "--duration",
                "2",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
        asked = {headers.get("accept-encoding") for _path, headers in server.seen}
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout)
    assert measured["rss_mb"] < 120, measured
    assert measured["requests"] > 100 and measured["failures"] == 0, measured
    assert asked == {"gzip, deflate"}  # brotli (no bounded decoder here) is not asked for
