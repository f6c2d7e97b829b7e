"""The load plan the workers receive: the base URL they share carries no credentials."""

from __future__ import annotations

from launchgate.load.plan import Plan


def test_the_master_host_is_shared_without_credentials():
    plan = Plan(
        base_url="https://alice:pw@app.example.test:8443",
        host="app.example.test",
        port=8443,
        connect_host="127.0.0.1",
        connect_port=1,
        users=1,
        spawn_rate=1,
        duration_s=1,
        headers={},
        routes=(),
    )
    assert plan.shared_base_url == "https://app.example.test:8443"
