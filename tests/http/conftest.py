"""Fixtures for the HTTP building block's tests: the hostile server on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.hostile_server import HostileServer


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileServer]:
    """A loopback server that drips, bombs and answers with malformed URLs, one per module."""
    with HostileServer() as server:
        yield server
