"""scripts/measure.py: --list follows --only, and a cache directory that cannot be made is one line."""

from __future__ import annotations

import subprocess
import sys

from cheatsheet.paths import REPO


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "scripts/measure.py", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def test_list_follows_only():
    proc = run_script("--list", "--only", "hello-world/scratch-musl*")
    assert proc.returncode == 0
    assert proc.stdout.split() == ["hello-world/scratch-musl", "hello-world/scratch-musl-arm64"]


def test_a_cache_directory_that_cannot_be_made_is_one_line():
    proc = run_script("--cache-dir", "/dev/null/x", "--only", "hello-world/scratch-musl")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: cannot create /dev/null/x: Not a directory"
