"""Shared fixtures: a throwaway copy of the site, and a way to build it as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SITE_PARTS = ("mkdocs.yml", "macros.py", "cheatsheet", "docs", "measurements", "programs")


def copy_site(dest: Path) -> Path:
    dest.mkdir(parents=True)
    for part in SITE_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("target", "__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


def mkdocs_build(project: Path, out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A copy of the site's sources that a test may break."""
    return copy_site(tmp_path / "project")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site built once with `mkdocs build --strict`."""
    out = tmp_path_factory.mktemp("site")
    proc = mkdocs_build(REPO, out)
    assert proc.returncode == 0, proc.stderr
    return out
