"""Dotted paths into JSON answers (docs/auth.md): `access_token`, `data.user.id`, `0.id`,
and `*` to walk a list (`*.id`, `results.*.id`)."""

from __future__ import annotations

from typing import Any

_MISSING = object()


def find(data: Any, path: str) -> list[Any]:
    """Every value at `path` (one for a plain path, several through `*`); [] when absent."""
    values = [data]
    for part in (p for p in path.split(".") if p):
        found: list[Any] = []
        for value in values:
            if part == "*":
                if isinstance(value, list):
                    found += value
                elif isinstance(value, dict):
                    found += list(value.values())
                continue
            child = _child(value, part)
            if child is not _MISSING:
                found.append(child)
        values = found
    return values


def list_before_walk(data: Any, path: str) -> list[Any] | None:
    """The list(s) the path's first `*` walks, joined; None when the path has no `*` or does
    not reach a list there. Tells "an empty list" apart from "a path that matches nothing"."""
    head, star, _ = path.partition("*")
    if not star:
        return None
    lists = find(data, head.rstrip("."))
    if not lists or not all(isinstance(v, list | dict) for v in lists):
        return None
    return [item for v in lists for item in (v if isinstance(v, list) else v.values())]


def first(data: Any, path: str) -> Any:
    """The value at `path`; KeyError when there is none."""
    values = find(data, path)
    if not values:
        raise KeyError(path)
    return values[0]


def _child(value: Any, part: str) -> Any:
    if isinstance(value, dict):
        return value.get(part, _MISSING)
    if isinstance(value, list) and part.lstrip("-").isdigit():
        index = int(part)
        return value[index] if -len(value) <= index < len(value) else _MISSING
    return _MISSING
