"""cheatsheet.measure.toolchain.debian: Debian's rustc-web with std rebuilt from source (-Zbuild-std)
for static musl binaries, against the real packages of this machine; nothing is mocked.

The two static musl builds (panic=unwind and panic=abort each rebuild std, ~40 s each on 2 cores) run
side by side, started by one fixture; each test then checks its binary on scratch.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from support import (
    PT_INTERP,
    CargoBuild,
    elf_program_header_types,
    hello_crate,
    needs_debian,
    run_on_scratch,
    sysroot_of,
)

from cheatsheet.measure.toolchain import MUSL_TARGET, toolchain
from cheatsheet.paths import REPO
from cheatsheet.recipes.model import BUILD_STD


def test_build_std_is_what_the_toolchain_passes():
    """The flag a ladder step's build command shows (cheatsheet.recipes.model.BUILD_STD) is the toolchain's."""
    source = (REPO / "cheatsheet" / "measure" / "toolchain" / "debian.py").read_text()
    assert f'cargo_args = ("{BUILD_STD}",)' in source


@needs_debian
def test_debian_fields_and_cache(tmp_path):
    tc = toolchain("debian-build-std", tmp_path / "a")
    assert tc.id == "debian-build-std"
    assert tc.rustc == "/usr/bin/rustc" and tc.cargo == "/usr/bin/cargo"
    out = subprocess.run([tc.rustc, "-vV"], capture_output=True, text=True, check=True).stdout
    assert tc.version == out.splitlines()[0] and f"release: {tc.release}" in out
    assert tc.env["RUSTC_BOOTSTRAP"] == "1"
    assert "RUSTFLAGS" not in tc.env and "CARGO_ENCODED_RUSTFLAGS" not in tc.env
    assert tc.cargo_args == (BUILD_STD,) and BUILD_STD == "-Zbuild-std=std,panic_abort"
    assert re.fullmatch(r"[0-9a-f]{64}", tc.fingerprint)

    # The wrapper really points rustc at the private sysroot, which has the musl start files.
    sysroot = subprocess.run(
        [tc.env["RUSTC"], "--print", "sysroot"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(sysroot) == sysroot_of(tc) and sysroot_of(tc).is_relative_to(tmp_path / "a")
    self_contained = sysroot_of(tc) / "lib" / "rustlib" / MUSL_TARGET / "lib" / "self-contained"
    for name in ("rcrt1.o", "crt1.o", "crti.o", "crtn.o", "crtbeginS.o", "crtendS.o", "libc.a", "libunwind.a"):
        assert (self_contained / name).is_file(), name
    members = subprocess.run(["ar", "t", str(self_contained / "libunwind.a")], capture_output=True, text=True).stdout
    assert "fortify_shim.o" in members.split()

    marker = sysroot_of(tc) / ".sysroot-complete.json"
    made = marker.stat().st_mtime_ns
    again = toolchain("debian-build-std", tmp_path / "a")
    assert again == tc
    assert marker.stat().st_mtime_ns == made  # the sysroot was checked and kept, not built again

    # Outputs do not depend on where the cache is, so neither does the fingerprint.
    elsewhere = toolchain("debian-build-std", tmp_path / "somewhere" / "else")
    assert elsewhere.fingerprint == tc.fingerprint and sysroot_of(elsewhere) != sysroot_of(tc)


PANIC_FLAGS = {"unwind": "", "abort": "-C panic=abort"}


@pytest.fixture(scope="module")
def musl_builds(tmp_path_factory) -> dict[str, CargoBuild]:
    """The hello crate built for static musl with a rebuilt std, once per panic strategy, side by side.

    An empty CARGO_HOME and no network: std's dependencies must come from Debian's vendor dir.
    """
    root = tmp_path_factory.mktemp("build-std")
    tc = toolchain("debian-build-std", root / "cache")
    crate = hello_crate(root)
    offline = {"CARGO_HOME": str(root / "cargo-home"), "CARGO_NET_OFFLINE": "true"}
    return {
        name: CargoBuild(tc, crate, MUSL_TARGET, root / f"target-{name}", flags, extra_env=offline)
        for name, flags in PANIC_FLAGS.items()
    }


@pytest.mark.docker
@pytest.mark.slow
@needs_debian
@pytest.mark.parametrize("panic", PANIC_FLAGS)
def test_debian_build_std_static_musl_runs_on_scratch(musl_builds, tmp_path, panic):
    binary = musl_builds[panic].binary()
    assert PT_INTERP not in elf_program_header_types(binary), "has a dynamic loader path"
    if shutil.which("file"):
        described = subprocess.run(["file", "-b", str(binary)], capture_output=True, text=True).stdout
        assert "static" in described and "dynamically linked" not in described, described

    run = run_on_scratch(binary, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "Hello, world!\n"
    if panic == "unwind":
        assert "unwinding works" in run.stderr
