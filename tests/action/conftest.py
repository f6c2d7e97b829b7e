"""Fixtures for the Action tests: the fake GitHub server, which accepts only TOKEN."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.actionharness import TOKEN
from tests.support.fakegithub.server import FakeGitHub


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """Five comments per page, so a few comments already make the sticky-comment lookup page."""
    with FakeGitHub(token=TOKEN, max_per_page=5) as fake:
        yield fake
