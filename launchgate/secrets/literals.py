"""Necessary literals of a regex: a set of strings one of which every match contains.

The pre-filter's cores for launchgate's own plugins are derived here from the plugins' regexes
(read from the compiled patterns with Python's own regex parser, never retyped), so a rule
change cannot make the pre-filter unsound. The derivation walks the parse tree:

* a node whose matches are a small finite set of strings (a literal, a small character class,
  a group or alternation of those, a short repeat such as `x?`) is *exact*; consecutive exact
  nodes multiply into one set of strings, and every match contains one of them;
* a group, or a repeat of at least once, passes on what its body needs; an alternation needs
  the union of what each branch needs (when each branch needs something);
* anything else (open classes, optional parts) needs nothing, which is always sound.

Of the candidate sets found, the one with the longest shortest string is kept (a set of only
URL scheme prefixes, which every file has, comes last). Case-insensitive
parts are lowered, and the set is then marked `folded`: it is searched in ASCII-lower-cased
text (the engine also passes lines with non-ASCII letters that fold to ASCII ones).
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MAX_STRINGS = 64  # a bigger set is not worth an alternation
MAX_CLASS = 16  # a character class with more members is "open"
MIN_USEFUL = 3  # a shorter necessary string would pass almost every line


@dataclass(frozen=True)
class Literals:
    """Strings one of which every match contains (`folded`: in lower-cased text)."""

    strings: frozenset[str]
    folded: bool

    @property
    def shortest(self) -> int:
        return min((len(s) for s in self.strings), default=0)


class NoLiteral(ValueError):
    """The regex has no necessary literal of MIN_USEFUL characters or more."""


def necessary_literals(pattern: re.Pattern[str]) -> Literals:
    """The best necessary literal set of `pattern` (NoLiteral when there is none)."""
    folded = bool(pattern.flags & re.IGNORECASE) or "(?i" in pattern.pattern
    tree = sre_parse.parse(
        pattern.pattern,
        pattern.flags & ~re.VERBOSE if not pattern.flags & re.VERBOSE else pattern.flags,
    )
    candidates = _necessary(list(tree), folded)
    best = max(candidates, key=_score, default=None)
    if best is None or min(len(s) for s in best) < MIN_USEFUL:
        raise NoLiteral(f"no necessary literal in {pattern.pattern!r}")
    # a string that contains a shorter member of the set adds nothing to the search
    kept = {s for s in best if not any(o != s and o in s for o in best)}
    return Literals(frozenset(kept), folded)


# Literals that are everywhere in code: a set made only of them is a last resort.
COMMON = frozenset({"http://", "https://", "://", "http", "https"})


def _score(strings: Set[str]) -> tuple[bool, int, int]:
    return not set(strings) <= COMMON, min(len(s) for s in strings), -len(strings)


def search_patterns(strings: Set[str]) -> list[bytes]:
    """Regexes (bytes) that together find every string of the set: one per first character,
    each a trie of the strings, so each starts with a literal prefix Python's regex engine
    scans for quickly (an alternation of unrelated literals is scanned character by
    character)."""
    by_first: dict[str, list[str]] = {}
    for text in sorted(strings):
        by_first.setdefault(text[:1], []).append(text)
    return [_trie(group).encode("utf-8") for _first, group in sorted(by_first.items())]


def _trie(strings: list[str]) -> str:
    if len(strings) == 1:
        return re.escape(strings[0])
    prefix = strings[0]
    for text in strings[1:]:
        while not text.startswith(prefix):
            prefix = prefix[:-1]
    rests = [t[len(prefix) :] for t in strings]
    optional = "" in rests
    groups: dict[str, list[str]] = {}
    for rest in (r for r in rests if r):
        groups.setdefault(rest[0], []).append(rest)
    body = "|".join(_trie(g) for _k, g in sorted(groups.items()))
    return re.escape(prefix) + "(?:" + body + ")" + ("?" if optional else "")


def _fold(text: str, folded: bool) -> str:
    return text.lower() if folded else text


def _product(left: set[str], right: set[str]) -> set[str] | None:
    if len(left) * len(right) > MAX_STRINGS:
        return None
    return {a + b for a in left for b in right}


def _exact_seq(items: list[tuple[Any, Any]], folded: bool) -> set[str] | None:
    result: set[str] | None = {""}
    for op, av in items:
        strings = _exact(op, av, folded)
        if strings is None or result is None:
            return None
        result = _product(result, strings)
    return result


def _exact(op: Any, av: Any, folded: bool) -> set[str] | None:
    """The finite set of strings a node matches, or None when it is open or too big."""
    if op is sre.LITERAL:
        return {_fold(chr(av), folded)}
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre.LITERAL:
                chars.add(_fold(chr(value), folded))
            elif kind is sre.RANGE and value[1] - value[0] < MAX_CLASS:
                chars.update(_fold(chr(c), folded) for c in range(value[0], value[1] + 1))
            else:  # NEGATE, CATEGORY, a wide RANGE
                return None
        return chars if len(chars) <= MAX_CLASS else None
    if op is sre.SUBPATTERN:
        return _exact_seq(list(av[3]), folded)
    if op is sre.BRANCH:
        alternatives: set[str] = set()
        for branch in av[1]:
            strings = _exact_seq(list(branch), folded)
            if strings is None:
                return None
            alternatives |= strings
        return alternatives if len(alternatives) <= MAX_STRINGS else None
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, high, body = av
        strings = _exact_seq(list(body), folded)
        if strings is None or high > 4 or high - low > 2:  # open, or too many counts
            return None
        union: set[str] = set()
        for count in range(low, high + 1):  # `x?` is {"", "x"}
            repeated: set[str] | None = {""}
            for _ in range(count):
                repeated = None if repeated is None else _product(repeated, strings)
            if repeated is None:
                return None
            union |= repeated
        return union if len(union) <= MAX_STRINGS else None
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return {""}  # zero-width: adds nothing to the text around it
    return None


def _necessary(items: list[tuple[Any, Any]], folded: bool) -> list[set[str]]:
    """Candidate sets for a sequence: each is necessary for every match of the sequence."""
    candidates: list[set[str]] = []
    run: set[str] = {""}

    def flush() -> None:
        if run != {""} and all(run):
            candidates.append(set(run))

    for op, av in items:
        strings = _exact(op, av, folded)
        if strings is not None:
            joined = _product(run, strings)
            if joined is None:
                flush()
                run = strings
            else:
                run = joined
            continue
        flush()
        run = {""}
        candidates.extend(_necessary_node(op, av, folded))
    flush()
    return candidates


def _necessary_node(op: Any, av: Any, folded: bool) -> list[set[str]]:
    if op is sre.SUBPATTERN:
        return _necessary(list(av[3]), folded)
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return _necessary(list(av), folded)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        low, _high, body = av
        return _necessary(list(body), folded) if low >= 1 else []
    if op is sre.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            options = _necessary(list(branch), folded)
            if not options:
                return []
            union |= max(options, key=_score)
        return [union] if len(union) <= MAX_STRINGS else []
    return []
