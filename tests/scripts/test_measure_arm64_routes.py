"""scripts/measure_arm64_routes.py, run as a user runs it: listing and selecting the program/route pairs,
refusing bad input before any work. The real builds are in tests/measure/test_arm64_routes.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from support import load_script

from cheatsheet.paths import REPO

SCRIPT = REPO / "scripts" / "measure_arm64_routes.py"
script = load_script(SCRIPT)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def test_list_names_every_program_and_route():
    proc = run("--list")
    assert proc.returncode == 0
    assert proc.stdout.split() == [
        "hello-world/cross-gcc", "hello-world/zigbuild", "hello-world/native-emulated",
        "webserver/cross-gcc", "webserver/zigbuild", "webserver/native-emulated",
    ]  # fmt: skip


def test_only_selects_by_glob_on_program_and_route():
    assert script.selected(["*/native-emulated"]) == [
        ("hello-world", "native-emulated"),
        ("webserver", "native-emulated"),
    ]
    assert script.selected(["hello-world/*", "webserver/zigbuild"]) == [
        ("hello-world", "cross-gcc"), ("hello-world", "zigbuild"), ("hello-world", "native-emulated"),
        ("webserver", "zigbuild"),
    ]  # fmt: skip


def test_a_glob_that_matches_nothing_is_refused_naming_what_exists():
    proc = run("--only", "webserver/buildx", "--list")
    assert proc.returncode == 2 and "no program/route matches webserver/buildx" in proc.stderr
    assert "webserver/native-emulated" in proc.stderr


def test_a_broken_csv_is_refused_before_anything_is_built(tmp_path: Path):
    broken = tmp_path / "arm64_builds.csv"
    broken.write_text("program,route\nhello-world,cross-gcc\n")
    proc = run("--csv", str(broken), "--cache-dir", str(tmp_path / "cache"))
    assert proc.returncode == 2 and "arm64_builds.csv" in proc.stderr
    assert not (tmp_path / "cache").exists()
