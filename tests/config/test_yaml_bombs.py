"""Issue 12 item 6: a hostile `.launchgate.yml` is a config error (exit 2) within a second.

A billion-laughs file used to run for a minute and 4 GB (then `MemoryError`, exit 3); a recursive
alias or 20,000-deep nesting ended in `RecursionError`. Each bomb is loaded in a child process
capped at 1 GB of memory and 20 s, so a regression fails the test instead of the machine."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from launchgate.config import load_config, parse_set_option
from launchgate.errors import ConfigError
from tests.conftest import ROOT

pytestmark = pytest.mark.timeout(120)


def _laughs(levels: int = 9) -> str:
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels + 1):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def _many_anchors() -> str:
    return "checks:\n  smoke:\n    steps:\n" + "".join(
        f"      - &s{i} {{name: s{i}, path: /p{i}}}\n" for i in range(40)
    )


def _nested_blocks(depth: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"


BOMBS = {
    "billion laughs": (_laughs(), "expands to more than 10,000 values"),
    "recursive alias in a list": ("a: &a [1, *a]\n", "recursive alias"),
    "recursive alias in a mapping": ("a: &a {b: {c: *a}}\n", "recursive alias"),
    "20,000-deep flow nesting": (
        "a: " + "[" * 20_000 + "]" * 20_000 + "\n",
        "nested more than 50 levels",
    ),
    "1,000,000-deep flow nesting": (
        "a: " + "{x: " * 1_000_000 + "1" + "}" * 1_000_000,
        "larger than 1 MB",
    ),
    "600-deep block nesting": (_nested_blocks(600), "nested more than 50 levels"),
    "too many anchors": (_many_anchors(), "more than 32 anchors"),
}

_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    sys.path.insert(0, sys.argv[2])
    from launchgate.config import load_config
    started = time.monotonic()
    try:
        load_config(sys.argv[1], env={})
        outcome = "loaded"
    except BaseException as exc:
        outcome = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"outcome": outcome, "seconds": time.monotonic() - started}))
""")


def _load_in_child(path: Path) -> dict:
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), str(ROOT)],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading {path.name} ran for more than 20 s", pytrace=False)
    lines = proc.stdout.strip().splitlines()
    assert lines, f"the loader died: {proc.stderr[-500:]}"
    return json.loads(lines[-1])


@pytest.mark.parametrize("case", sorted(BOMBS))
def test_a_yaml_bomb_is_a_config_error_within_a_second(tmp_path, case):
    text, expected = BOMBS[case]
    path = tmp_path / ".launchgate.yml"
    path.write_text(text)
    result = _load_in_child(path)
    assert result["outcome"].startswith("ConfigError: "), result["outcome"][:300]
    assert expected in result["outcome"]
    assert "\n" not in result["outcome"]
    assert result["seconds"] < 1.0, result


def test_the_cli_exits_2_on_a_billion_laughs(tmp_path, cli):
    config = tmp_path / ".launchgate.yml"
    config.write_text(_laughs())
    result = cli("check", "--config", str(config), timeout=30)
    assert result.code == 2, result.output[-500:]
    assert "expands to more than 10,000 values" in result.output
    assert "Traceback" not in result.output and "MemoryError" not in result.output


def test_a_bomb_in_set_is_refused():
    bomb = (
        "[&a [x, x, x, x, x, x, x, x, x, x], &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a], "
        "&c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b], "
        "&d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c], "
        "&e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]]"
    )
    with pytest.raises(ConfigError, match="expands to more than"):
        parse_set_option(f"checks.smoke.steps={bomb}")
    assert parse_set_option("checks.load.users=5") == ("checks.load.users", 5)


def test_merge_keys_work_and_the_mapping_s_own_keys_win(tmp_path):
    path = tmp_path / ".launchgate.yml"
    path.write_text(
        textwrap.dedent("""\
        url: https://app.example.com
        checks:
          smoke:
            steps:
              - &home {name: home, path: /, expect_status: 200}
              - <<: *home
                name: dashboard
                path: /dashboard
              - <<: [{name: login, path: /login}, *home]
                expect_status: 302
    """)
    )
    steps = load_config(path, env={}).checks.smoke.steps
    assert [(s.name, s.path, s.expect_status) for s in steps] == [
        ("home", "/", 200),
        ("dashboard", "/dashboard", 200),
        ("login", "/login", 302),
    ]


def test_a_merge_key_without_a_mapping_is_a_plain_error(tmp_path):
    path = tmp_path / ".launchgate.yml"
    path.write_text("url: https://app.example.com\nchecks:\n  load:\n    <<: 5\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert str(info.value) == (
        f"{path}:4: checks.load: a merge key `<<` takes a mapping, an "
        "alias to one (`<<: *defaults`) or a list of them"
    )


def test_a_few_anchors_and_aliases_still_load(tmp_path):
    path = tmp_path / ".launchgate.yml"
    path.write_text(
        textwrap.dedent("""\
        url: https://app.example.com
        checks:
          exposure:
            protected_paths: &admin [/admin, /api/admin]
          load:
            routes:
              - {name: admin, path: /admin}
    """)
    )
    assert load_config(path, env={}).checks.exposure.protected_paths == ("/admin", "/api/admin")


@pytest.mark.parametrize(
    "text",
    [
        "checks:\n  smoke:\n    steps:\n      - {name: search, path: /search?q=x}\n",
        "checks:\n  exposure:\n    protected_paths: [/api?admin=1]\n",
    ],
)
def test_an_unquoted_question_mark_in_a_flow_path_says_to_quote_it(tmp_path, text):
    path = tmp_path / ".launchgate.yml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert "a `?` starts a key: quote the value" in str(info.value)
