"""The pre-filter never hides a line detect-secrets would flag.

The engine's module docstring gives the argument (each core is necessary for its plugin);
these tests pin the premises (plugin/filter set, case-folding table) and check the property
with strings generated from every plugin's own regexes, placed in varied lines and files.
"""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launchgate.secrets.engine import (
    PREFILTERED_PLUGINS,
    Engine,
    Prefilter,
    could_contain_secret,
    plugins_for_line,
)

ENGINE = Engine()
FILENAMES = (
    "app.py",
    "main.go",
    "config.yaml",
    "settings.ini",
    "index.js",
    "notes.txt",
    "Dockerfile",
    "App.java",
    "site.php",
    "data.json",
    "deploy.sh",
    "x.cs",
)
FILLER = st.text(
    alphabet=string.printable.replace("\n", "")
    .replace("\r", "")
    .replace("\x0b", "")
    .replace("\x0c", "")
    + "éü€ſİ",
    max_size=12,
)


def _plugins():
    from detect_secrets.settings import get_plugins

    return get_plugins()


def _regexes(plugin):
    from detect_secrets.plugins import keyword

    if type(plugin).__name__ == "KeywordDetector":
        return [r for table in keyword.REGEX_BY_FILETYPE.values() for r in table] + list(
            keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP
        )
    return list(getattr(plugin, "denylist", ()))


def test_plugin_and_filter_set_is_the_one_the_prefilter_was_derived_for():
    from detect_secrets.settings import get_filters

    names = {type(p).__name__ for p in _plugins()}
    assert names == PREFILTERED_PLUGINS
    assert len(names) == 27
    filters = {f.path.rsplit(".", 1)[-1]: set(f.injectable_variables) for f in get_filters()}
    assert "is_invalid_file" not in filters
    # Only the allowlist filter looks at context (the previous line), which the engine
    # supplies separately; nothing else depends on neighbouring lines.
    assert [n for n, params in filters.items() if "context" in params] == ["is_line_allowlisted"]


def test_case_folding_table_is_complete():
    """Every non-ASCII character re.IGNORECASE equates with a letter of a case-insensitive
    core is in the engine's special table (or is ñ/Ñ, spelled out in the keyword core)."""
    letter = re.compile("[a-zñ]", re.IGNORECASE)
    odd = {
        chr(cp)
        for cp in range(0x80, 0x110000)
        if not 0xD800 <= cp < 0xE000 and letter.fullmatch(chr(cp))
    }
    assert odd == {"\u0130", "\u0131", "\u017f", "\u212a", "ñ", "Ñ"}


def _check(plugin, filename: str, line: str) -> None:
    found = plugin.analyze_line(filename=filename, line=line.rstrip(), line_number=1)
    if found:
        assert type(plugin).__name__ in plugins_for_line(line), (type(plugin).__name__, line)
        assert could_contain_secret(line)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_regex_plugin_hit_passes_the_prefilter(data):
    plugins = [p for p in _plugins() if _regexes(p)]
    plugin = data.draw(st.sampled_from(plugins))
    regex = data.draw(st.sampled_from(_regexes(plugin)))
    core = data.draw(st.from_regex(regex, fullmatch=False).filter(lambda s: "\n" not in s))
    line = data.draw(FILLER) + core + data.draw(FILLER)
    _check(plugin, data.draw(st.sampled_from(FILENAMES)), line)


def _entropy_plugins(limits=None):
    from detect_secrets.plugins.high_entropy_strings import (
        Base64HighEntropyString,
        HexHighEntropyString,
    )

    limits = limits or {}
    return [
        cls(**({"limit": limits[cls.__name__]} if cls.__name__ in limits else {}))
        for cls in (Base64HighEntropyString, HexHighEntropyString)
    ]


# Every character each entropy plugin accepts, read from the plugin itself (a charset typed
# here by hand is how the backslash went missing once).
CHARSETS = [p.charset for p in _entropy_plugins()]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_every_entropy_hit_passes_the_prefilter(data):
    alphabet = data.draw(st.sampled_from([*CHARSETS, string.digits + "abcdef"]))
    value = data.draw(st.text(alphabet=alphabet, min_size=8, max_size=60))
    quote = data.draw(st.sampled_from(["'", '"']))
    line = data.draw(FILLER) + quote + value + quote + data.draw(FILLER)
    for plugin in _plugins():
        if "HighEntropy" in type(plugin).__name__:
            _check(plugin, "app.py", line)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_entropy_prefilter_is_sound_for_any_limit_a_baseline_sets(data):
    limits = {
        "Base64HighEntropyString": data.draw(st.floats(0.5, 5.5)),
        "HexHighEntropyString": data.draw(st.floats(0.5, 4.0)),
    }
    plugins = _entropy_plugins(limits)
    prefilter = Prefilter.for_plugins(plugins)
    plugin = data.draw(st.sampled_from(plugins))
    value = data.draw(st.text(alphabet=plugin.charset, min_size=1, max_size=40))
    quote = data.draw(st.sampled_from(["'", '"']))
    line = data.draw(FILLER) + quote + value + quote + data.draw(FILLER)
    if plugin.analyze_line(filename="app.py", line=line.rstrip(), line_number=1):
        assert type(plugin).__name__ in plugins_for_line(line, prefilter), limits


@pytest.mark.parametrize(
    ("line", "limits"),
    [
        # found by the property above: the first quoted run wakes only Base64, the second
        # (sharing its quote) is hex
        ("'0G'01A'", {"Base64HighEntropyString": 1.0, "HexHighEntropyString": 1.0}),
        # default limits: a base64 run first, then a hex secret later on the same line
        (
            'a = "AbCdEfGhIjKlMnOpQrStUvWxYz0123"; b = "' + string.hexdigits[:16] * 2 + '"',
            None,
        ),
    ],
)
def test_a_later_run_on_the_same_line_can_wake_another_entropy_plugin(line, limits):
    plugins = _entropy_plugins(limits) if limits else _entropy_plugins()
    hex_plugin = next(p for p in plugins if type(p).__name__ == "HexHighEntropyString")
    assert hex_plugin.analyze_line(filename="app.py", line=line, line_number=1)
    assert "HexHighEntropyString" in plugins_for_line(line, Prefilter.for_plugins(plugins))


def test_entropy_rules_are_the_plugins_charsets():
    rules = {r.name: r for r in Prefilter.for_plugins(_entropy_plugins()).entropy}
    for plugin in _entropy_plugins():
        assert rules[type(plugin).__name__].charset == frozenset(plugin.charset.encode())
    assert rules["Base64HighEntropyString"].min_distinct <= 23
    assert rules["HexHighEntropyString"].min_distinct <= 9


def test_known_shapes_and_common_code():
    hits = {
        'aws = "AKIAIOSFODNN7EXAMPLE"': "AWSKeyDetector",  # pragma: allowlist secret
        "password: hunter2-Correct-Horse": "KeywordDetector",  # pragma: allowlist secret
        'jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"':  # pragma: allowlist secret
        "JwtTokenDetector",
        "-----BEGIN RSA PRIVATE KEY-----": "PrivateKeyDetector",  # pragma: allowlist secret
        "url = 'https://user:pa55word@example.com/x'":  # pragma: allowlist secret
        "BasicAuthDetector",
        "server = 8.8.8.8": "IPPublicDetector",
        "PASSWORD = 'x'": "KeywordDetector",
        "pa\u017f\u017fword = 'abc'": "KeywordDetector",  # long s: IGNORECASE equates it with s
    }
    for line, plugin in hits.items():
        assert plugin in plugins_for_line(line), line
    for line in (
        "def main():",
        "    return render_template('index.html', user=user)",
        "import os",
        "for i in range(10):",
        "# a comment about caching",
    ):
        assert not could_contain_secret(line), line


def test_judge_matches_detect_secrets_on_a_line():
    from detect_secrets.core.scan import _process_line_based_plugins

    line = 'db_password = "Zq8vK2mN5pR7tW1x"'  # pragma: allowlist secret
    mine = {(h.type, h.hashed_secret) for h in ENGINE.judge("app.py", line)}
    theirs = {
        (s.type, s.secret_hash) for s in _process_line_based_plugins([(1, line)], filename="app.py")
    }
    assert mine == theirs and mine


def test_a_huge_line_finds_a_secret_whose_core_is_not_where_it_starts():
    """A line over MAX_LINE_CHARS is judged in tiles around each core; OpenAI's core
    (`T3BlbkFJ`) sits mid-key, so a tile starting at the core cut the key's start off and
    the key was missed."""
    import random

    from launchgate.secrets.engine import MAX_LINE_CHARS, WINDOW_CHARS, WINDOW_OVERLAP

    rng = random.Random(3)
    alphabet = string.ascii_letters + string.digits

    def part() -> str:
        return "".join(rng.choice(alphabet) for _ in range(40))

    key = f"sk-proj-{part()}T3BlbkFJ{part()}"
    step = WINDOW_CHARS - WINDOW_OVERLAP
    tile = (MAX_LINE_CHARS // step + 1) * step  # a tile boundary past the long-line limit
    for shift in (0, 5, 300):
        start = tile - key.index("T3BlbkFJ") + shift - 1
        line = ("x=1;" * (start // 4 + 1))[:start] + " " + key + " " + "x=1;" * 300
        types = {h.type for h in ENGINE.judge("bundle.min.js", line)}
        assert "OpenAI API Key" in types, shift


def test_prefilter_is_linear_on_one_huge_line():
    """Each core match used to search back to the start of its line: quadratic on one
    huge line (2 MB of `a.eyJ;` took 8 s, 11 MB would take minutes)."""
    import time

    from launchgate.secrets.engine import candidate_lines

    data = b"a.eyJ;" * 350_000
    started = time.perf_counter()
    found = candidate_lines(data, ENGINE.prefilter)
    assert time.perf_counter() - started < 4
    assert list(found) == [0] and "JwtTokenDetector" in found[0]


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet="ab\n", max_size=60),
    positions=st.lists(st.integers(min_value=0, max_value=60), max_size=12),
)
def test_line_starts_are_those_of_a_plain_search(text, positions):
    from launchgate.secrets.engine import _LineStarts

    data = text.encode()
    line_start = _LineStarts(data)
    for position in (min(p, len(data)) for p in positions):
        assert line_start(position) == data.rfind(b"\n", 0, position) + 1
