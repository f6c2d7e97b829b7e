"""No package registry's host name is written in the repository: tools find their mirrors and
indexes from the machine's own configuration (apt's sources, pip's config), never from here.
This file is the one place the names appear, to look for them."""

from __future__ import annotations

import re
import subprocess

from tests.conftest import ROOT

REGISTRY_HOSTS = (
    "deb.debian.org",
    "security.debian.org",
    "archive.ubuntu.com",
    "security.ubuntu.com",
    "pypi.org",
    "pypi.python.org",
    "files.pythonhosted.org",
    "registry.npmjs.org",
    "registry.yarnpkg.com",
    "proxy.golang.org",
    "crates.io",
    "rubygems.org",
    "repo.maven.apache.org",
    "repo1.maven.org",
    "dl-cdn.alpinelinux.org",
    "registry-1.docker.io",
    "index.docker.io",
)
_PATTERN = re.compile("|".join(re.escape(h) for h in REGISTRY_HOSTS).encode(), re.I)


def test_no_committed_file_names_a_package_registry_host():
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60
    ).stdout.split(b"\0")
    files = [name.decode() for name in listed if name]
    assert "tests/support/containerbase.py" in files  # the listing is this repository's
    this = f"tests/{__name__.rsplit('.', 1)[-1]}.py"
    found = []
    for name in files:
        path = ROOT / name
        if name == this or not path.is_file():
            continue
        for number, line in enumerate(path.read_bytes().splitlines(), 1):
            match = _PATTERN.search(line)
            if match:
                found.append(f"{name}:{number}: {match.group().decode()}")
    assert found == [], "package registry host names in the repository:\n" + "\n".join(found)
