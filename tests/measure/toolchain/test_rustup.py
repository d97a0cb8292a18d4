"""cheatsheet.measure.toolchain.rustup: the host's rustup stable toolchain, the real binaries behind
its proxies; a static glibc hello world built with it runs on scratch."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import PT_INTERP, CargoBuild, elf_program_header_types, hello_crate, run_on_scratch

from cheatsheet.measure.toolchain import toolchain


def _has_rustup() -> bool:
    return shutil.which("rustup") is not None or (Path.home() / ".cargo" / "bin" / "rustup").is_file()


pytestmark = pytest.mark.skipif(not _has_rustup(), reason="rustup is not installed")


def test_rustup_fields(tmp_path):
    tc = toolchain("rustup", tmp_path)
    assert tc.id == "rustup"
    assert "rustup" in tc.description
    for binary in (tc.rustc, tc.cargo):
        assert Path(binary).is_absolute() and os.access(binary, os.X_OK)
        # the real binaries, not the ~/.cargo/bin proxies
        assert Path(binary).resolve().parent != (Path.home() / ".cargo" / "bin").resolve()
    assert re.fullmatch(r"\d+\.\d+\.\d+(-[\w.]+)?", tc.release)
    out = subprocess.run([tc.rustc, "-vV"], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == tc.version and tc.version.startswith(f"rustc {tc.release}")
    assert tc.env["RUSTC"] == tc.rustc
    assert "RUSTFLAGS" not in tc.env and "CARGO_ENCODED_RUSTFLAGS" not in tc.env
    assert isinstance(tc.rustflags, tuple) and isinstance(tc.cargo_args, tuple)
    assert re.fullmatch(r"[0-9a-f]{64}", tc.fingerprint)
    assert toolchain("rustup", tmp_path) == tc  # deterministic, fingerprint included
    assert not any(tmp_path.iterdir())  # the rustup kind needs no cache


@pytest.mark.docker
def test_rustup_crt_static_runs_on_scratch(tmp_path):
    tc = toolchain("rustup", tmp_path)
    host = subprocess.run([tc.rustc, "-vV"], capture_output=True, text=True, check=True).stdout
    triple = re.search(r"^host: (\S+)$", host, re.M).group(1)
    crate = hello_crate(tmp_path)
    binary = CargoBuild(tc, crate, triple, tmp_path / "target", "-C target-feature=+crt-static").binary()
    assert PT_INTERP not in elf_program_header_types(binary)
    run = run_on_scratch(binary, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "Hello, world!\n"
