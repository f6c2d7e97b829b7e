"""Dotted JSON paths: values found, and telling an empty list from a path that misses."""

from __future__ import annotations

import pytest

from launchgate.http.jsonpath import find, list_before_walk

DATA = {"count": 2, "results": [{"id": 1}, {"id": 2}], "empty": [], "by_id": {"a": {"id": 3}}}


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("results.*.id", [1, 2]),
        ("results.0.id", [1]),
        ("results.-1.id", [2]),
        ("by_id.*.id", [3]),
        ("count", [2]),
        ("missing.*.id", []),
        ("results.id", []),
    ],
)
def test_find(path, values):
    assert find(DATA, path) == values


@pytest.mark.parametrize(
    ("path", "walked"),
    [
        ("results.*.id", [{"id": 1}, {"id": 2}]),
        ("empty.*.id", []),
        ("*.id", list(DATA.values())),
        ("data.*.id", None),
        ("results.id", None),
        ("count.*", None),
    ],
)
def test_list_before_walk(path, walked):
    assert list_before_walk(DATA, path) == walked
