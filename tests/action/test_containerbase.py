"""The container test's base image downloads from the Debian mirror apt already uses: the
sources are parsed from sample deb822 and one-line files in a tmp dir, and the environment
variable overrides them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.containerbase import MIRROR_ENV, AptSource, apt_mirror, apt_sources

DEB822 = """\
# written by the image build
Types: deb-src
URIs: http://src-only.example/debian
Suites: bookworm
Components: main

Types: deb
# a comment inside a stanza
URIs: http://security.mirror.example/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://disabled.example/debian
Suites: bookworm
Components: main
Enabled: no

Types: deb deb-src
URIs: http://mirror.example/debian/
 http://second.mirror.example/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 -----END PGP PUBLIC KEY BLOCK-----
"""

ONE_LINE = """\
# deb http://commented.example/debian bookworm main
deb-src http://src.example/debian bookworm main
deb [arch=amd64 signed-by=/a key.gpg] http://one.mirror.example/debian bookworm main  # why
deb http://one.mirror.example/debian-security bookworm-security main
"""


def _etc(tmp_path: Path, files: dict[str, str]) -> Path:
    etc = tmp_path / "apt"
    (etc / "sources.list.d").mkdir(parents=True)
    for name, text in files.items():
        (etc / name).write_text(text, encoding="utf-8")
    return etc


def test_deb822_sources_are_parsed_and_the_suites_mirror_chosen(tmp_path):
    etc = _etc(tmp_path, {"sources.list.d/debian.sources": DEB822})
    assert apt_sources(etc) == [
        AptSource(
            "http://security.mirror.example/debian-security", ("bookworm-security",), ("main",)
        ),
        AptSource(
            "http://mirror.example/debian/", ("bookworm", "bookworm-updates"), ("main", "contrib")
        ),
        AptSource(
            "http://second.mirror.example/debian",
            ("bookworm", "bookworm-updates"),
            ("main", "contrib"),
        ),
    ]
    assert apt_mirror("bookworm", etc, environ={}) == "http://mirror.example/debian"


def test_one_line_sources_list_with_options_and_comments(tmp_path):
    etc = _etc(tmp_path, {"sources.list": ONE_LINE})
    assert [s.uri for s in apt_sources(etc)] == [
        "http://one.mirror.example/debian",
        "http://one.mirror.example/debian-security",
    ]
    assert apt_mirror("bookworm", etc, environ={}) == "http://one.mirror.example/debian"


def test_sources_list_comes_first_then_the_directory_by_name(tmp_path):
    etc = _etc(
        tmp_path,
        {
            "sources.list": "deb http://first.example/debian bookworm main\n",
            "sources.list.d/b.sources": "Types: deb\nURIs: http://third.example/debian\n"
            "Suites: bookworm\nComponents: main\n",
            "sources.list.d/a.list": "deb http://second.example/debian bookworm main\n",
            "sources.list.d/c.list.disabled": "deb http://ignored.example/debian bookworm main\n",
        },
    )
    assert [s.uri for s in apt_sources(etc)] == [
        "http://first.example/debian",
        "http://second.example/debian",
        "http://third.example/debian",
    ]


def test_the_environment_variable_overrides_the_sources(tmp_path):
    etc = _etc(tmp_path, {"sources.list.d/debian.sources": DEB822})
    chosen = apt_mirror("bookworm", etc, environ={MIRROR_ENV: "http://local.cache.example/debian"})
    assert chosen == "http://local.cache.example/debian"
    assert apt_mirror("bookworm", etc, environ={MIRROR_ENV: "  "}) == "http://mirror.example/debian"


def test_no_source_for_the_suite_is_a_clear_error(tmp_path):
    etc = _etc(tmp_path, {"sources.list": ONE_LINE})
    with pytest.raises(
        RuntimeError, match=f"no apt source under .* serves 'trixie main'; set {MIRROR_ENV}"
    ):
        apt_mirror("trixie", etc, environ={})
    with pytest.raises(RuntimeError, match=MIRROR_ENV):
        apt_mirror("bookworm", tmp_path / "no-apt-here", environ={})
