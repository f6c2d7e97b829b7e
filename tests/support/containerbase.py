"""A local Debian base image for the container test, built without Docker or Docker Hub.

debootstrap makes a minbase bookworm rootfs (python3, venv, pip, git, CA certificates); buildah
turns its tarball into an image with `FROM scratch` + `ADD`. Both the tarball and the image are
cached under CACHE_DIR, keyed by a hash of the recipe, so only the first run pays for them.
buildah uses its own storage root there (vfs driver, chroot isolation: no daemon, no overlay).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CACHE_DIR = Path(os.environ.get("LAUNCHGATE_TEST_CACHE", "/var/cache/launchgate-test"))
SUITE = "bookworm"
MIRROR = os.environ.get("LAUNCHGATE_TEST_MIRROR", "http://deb.debian.org/debian")
PACKAGES = ("python3", "python3-venv", "python3-pip", "python-is-python3", "git",
            "ca-certificates")
RECIPE = f"debootstrap --variant=minbase --include={','.join(PACKAGES)} {SUITE} {MIRROR}; v1"
RECIPE_KEY = hashlib.sha256(RECIPE.encode()).hexdigest()[:12]
BASE_IMAGE = f"localhost/launchgate-test-base:{RECIPE_KEY}"


def buildah_args() -> list[str]:
    """Global buildah options: a private vfs store under the cache dir."""
    return ["buildah", "--root", str(CACHE_DIR / "storage"), "--runroot",
            str(CACHE_DIR / "run"), "--storage-driver", "vfs"]


def buildah(*args: str, timeout: float = 900, check: bool = True,
            **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*buildah_args(), *args], capture_output=True, text=True,
                          timeout=timeout, check=check, stdin=subprocess.DEVNULL,
                          **kwargs)  # type: ignore[call-overload]


def image_exists(name: str) -> bool:
    return buildah("inspect", "--type", "image", name, check=False, timeout=120).returncode == 0


def ensure_rootfs_tarball() -> Path:
    tarball = CACHE_DIR / f"rootfs-{RECIPE_KEY}.tar.gz"
    if tarball.is_file():
        return tarball
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE_DIR, prefix="debootstrap-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}",
                        SUITE, str(rootfs), MIRROR], check=True, capture_output=True,
                       timeout=1800, stdin=subprocess.DEVNULL)
        shutil.rmtree(rootfs / "var/cache/apt/archives", ignore_errors=True)
        partial = tarball.with_suffix(".partial")
        subprocess.run(["tar", "-C", str(rootfs), "--numeric-owner", "-czf", str(partial), "."],
                       check=True, capture_output=True, timeout=900)
        partial.rename(tarball)  # atomic: an interrupted run never leaves a broken cache
    return tarball


def ensure_base_image() -> str:
    """The cached base image's name, building it (and its rootfs) on first use."""
    if image_exists(BASE_IMAGE):
        return BASE_IMAGE
    tarball = ensure_rootfs_tarball()
    with tempfile.TemporaryDirectory(prefix="lg-base-") as ctx:
        shutil.copy(tarball, Path(ctx) / "rootfs.tar.gz")
        (Path(ctx) / "Containerfile").write_text(
            "FROM scratch\nADD rootfs.tar.gz /\nCMD [\"/bin/bash\"]\n", encoding="utf-8")
        buildah("bud", "--isolation", "chroot", "-t", BASE_IMAGE, ctx, timeout=1800)
    return BASE_IMAGE


if __name__ == "__main__":
    print(ensure_base_image())
