"""A local Debian base image for the container test, built without Docker or Docker Hub.

debootstrap makes a minbase bookworm rootfs (python3, venv, pip, git, CA certificates); buildah
turns its tarball into an image with `FROM scratch` + `ADD`. Both the tarball and the image are
cached under CACHE_DIR, keyed by a hash of the recipe, so only the first run pays for them.
buildah uses its own storage root there (vfs driver, chroot isolation: no daemon, no overlay).

debootstrap downloads from the Debian mirror this machine's apt already uses (read from its
sources, see apt_mirror), or from $LAUNCHGATE_TEST_MIRROR when that is set: no mirror's host
name is written in this repository.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CACHE_DIR = Path(os.environ.get("LAUNCHGATE_TEST_CACHE", "/var/cache/launchgate-test"))
SUITE = "bookworm"
MIRROR_ENV = "LAUNCHGATE_TEST_MIRROR"
APT_ETC = Path("/etc/apt")
PACKAGES = ("python3", "python3-venv", "python3-pip", "python-is-python3", "git", "ca-certificates")


@dataclass(frozen=True)
class AptSource:
    """One `deb` source: where it downloads from, which suites and components."""

    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]


def _one_line_sources(text: str) -> Iterator[AptSource]:
    """`deb [options] URI SUITE COMPONENT...` lines of a sources.list file."""
    for raw in text.splitlines():
        line = re.sub(r"\[[^\]]*\]", " ", raw.split("#", 1)[0])  # options may hold spaces
        fields = line.split()
        if len(fields) >= 3 and fields[0] == "deb":
            yield AptSource(fields[1], (fields[2],), tuple(fields[3:]))


def _deb822_sources(text: str) -> Iterator[AptSource]:
    """The stanzas of a deb822 `.sources` file (fields, continuation lines, comments)."""
    for stanza in re.split(r"\n[ \t]*\n", text):
        fields: dict[str, str] = {}
        key = None
        for line in stanza.splitlines():
            if line.startswith("#"):
                continue
            if line[:1] in (" ", "\t") and key is not None:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, value = line.split(":", 1)
                key = key.strip().lower()
                fields[key] = value.strip()
        if "deb" not in fields.get("types", "").split():
            continue
        if fields.get("enabled", "yes").strip().lower() == "no":
            continue
        suites = tuple(fields.get("suites", "").split())
        components = tuple(fields.get("components", "").split())
        for uri in fields.get("uris", "").split():
            yield AptSource(uri, suites, components)


def apt_sources(etc: Path = APT_ETC) -> list[AptSource]:
    """Every `deb` source in apt's order: sources.list, then sources.list.d/ by name."""
    found: list[AptSource] = []
    main_list = etc / "sources.list"
    if main_list.is_file():
        found += _one_line_sources(main_list.read_text(encoding="utf-8", errors="replace"))
    parts = etc / "sources.list.d"
    for path in sorted(parts.iterdir()) if parts.is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
        if path.suffix == ".list":
            found += _one_line_sources(text)
        elif path.suffix == ".sources":
            found += _deb822_sources(text)
    return found


def apt_mirror(
    suite: str = SUITE, etc: Path = APT_ETC, environ: dict[str, str] | None = None
) -> str:
    """The mirror to debootstrap SUITE from: $LAUNCHGATE_TEST_MIRROR, else the first apt source
    that serves SUITE's main component."""
    override = (os.environ if environ is None else environ).get(MIRROR_ENV, "").strip()
    if override:
        return override
    for source in apt_sources(etc):
        if suite in source.suites and "main" in source.components:
            return source.uri.rstrip("/")
    raise RuntimeError(
        f"no apt source under {etc} serves '{suite} main'; set {MIRROR_ENV} to a Debian mirror URL"
    )


def recipe_key(mirror: str) -> str:
    recipe = f"debootstrap --variant=minbase --include={','.join(PACKAGES)} {SUITE} {mirror}; v1"
    return hashlib.sha256(recipe.encode()).hexdigest()[:12]


def buildah_args() -> list[str]:
    """Global buildah options: a private vfs store under the cache dir."""
    return [
        "buildah",
        "--root",
        str(CACHE_DIR / "storage"),
        "--runroot",
        str(CACHE_DIR / "run"),
        "--storage-driver",
        "vfs",
    ]


def buildah(
    *args: str, timeout: float = 900, check: bool = True, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*buildah_args(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )  # type: ignore[call-overload]


def image_exists(name: str) -> bool:
    return buildah("inspect", "--type", "image", name, check=False, timeout=120).returncode == 0


def ensure_rootfs_tarball(mirror: str) -> Path:
    tarball = CACHE_DIR / f"rootfs-{recipe_key(mirror)}.tar.gz"
    if tarball.is_file():
        return tarball
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE_DIR, prefix="debootstrap-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(PACKAGES)}",
                SUITE,
                str(rootfs),
                mirror,
            ],
            check=True,
            capture_output=True,
            timeout=1800,
            stdin=subprocess.DEVNULL,
        )
        shutil.rmtree(rootfs / "var/cache/apt/archives", ignore_errors=True)
        partial = tarball.with_suffix(".partial")
        subprocess.run(
            ["tar", "-C", str(rootfs), "--numeric-owner", "-czf", str(partial), "."],
            check=True,
            capture_output=True,
            timeout=900,
        )
        partial.rename(tarball)  # atomic: an interrupted run never leaves a broken cache
    return tarball


def ensure_base_image() -> str:
    """The cached base image's name, building it (and its rootfs) on first use."""
    mirror = apt_mirror()
    base_image = f"localhost/launchgate-test-base:{recipe_key(mirror)}"
    if image_exists(base_image):
        return base_image
    tarball = ensure_rootfs_tarball(mirror)
    with tempfile.TemporaryDirectory(prefix="lg-base-") as ctx:
        shutil.copy(tarball, Path(ctx) / "rootfs.tar.gz")
        (Path(ctx) / "Containerfile").write_text(
            'FROM scratch\nADD rootfs.tar.gz /\nCMD ["/bin/bash"]\n', encoding="utf-8"
        )
        buildah("bud", "--isolation", "chroot", "-t", base_image, ctx, timeout=1800)
    return base_image


if __name__ == "__main__":
    print(ensure_base_image())
