"""cheatsheet.measure.bases.debian: debian-slim bootstrapped with mmdebstrap runs offline, without apt
sources or man pages."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest

from cheatsheet.measure.bases.images import ensure_base
from cheatsheet.recipes import load_recipes


@pytest.mark.docker
@pytest.mark.slow
@pytest.mark.skipif(
    not (os.geteuid() == 0 and shutil.which("apt-get") and shutil.which("dpkg-deb")),
    reason="bootstrapping needs root, apt-get and dpkg-deb",
)
def test_debian_slim_runs_offline_without_apt_sources(tmp_path: pathlib.Path) -> None:
    if shutil.which("mmdebstrap") is None:
        pytest.skip("mmdebstrap is not installed")
    img = ensure_base(load_recipes().bases["debian-slim"], tmp_path, log=lambda _m: None, allow_pull=False)
    assert img.source in ("bootstrapped", "pulled")
    proc = subprocess.run(
        [
            "docker", "run", "--rm", "--network", "none", img.ref, "sh", "-c",
            "ls -A /etc/apt/sources.list.d; test ! -e /etc/apt/sources.list && ls /usr/share/man | wc -l",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    if img.source == "bootstrapped":
        assert proc.stdout.split() == ["0"]  # no sources file, no man pages
