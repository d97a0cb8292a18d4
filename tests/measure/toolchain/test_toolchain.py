"""cheatsheet.measure.toolchain: which toolchain builds what, and what the machine must have installed."""

from __future__ import annotations

import pytest

from cheatsheet.measure.toolchain import DEBIAN_PACKAGES, KNOWN_KINDS, ToolchainError, toolchain
from cheatsheet.paths import REPO


def test_unknown_kind_lists_the_known_kinds(tmp_path):
    with pytest.raises(ToolchainError) as err:
        toolchain("nope", tmp_path)
    for kind in KNOWN_KINDS:
        assert kind in str(err.value)
    assert set(KNOWN_KINDS) == {"rustup", "debian-build-std"}


def test_rustup_cannot_build_for_arm64_here_and_says_what_to_use(tmp_path):
    with pytest.raises(ToolchainError, match=r"rustup has no arm64 standard library here.*debian-build-std"):
        toolchain("rustup", tmp_path, "arm64")
    with pytest.raises(ToolchainError, match="No toolchain builds for 'riscv64'"):
        toolchain("debian-build-std", tmp_path, "riscv64")


def test_debian_package_list():
    assert {"rustc-web", "cargo-web", "rust-web-src", "musl-dev", "libunwind-14-dev", "gcc"} <= set(DEBIAN_PACKAGES)


def test_the_setup_lists_install_what_the_musl_toolchain_needs():
    root = REPO / "requirements"
    for name in ("apt-measure.txt", "apt-test.txt"):
        listed = {ln.strip() for ln in (root / name).read_text().splitlines() if ln.strip() and not ln.startswith("#")}
        assert set(DEBIAN_PACKAGES) <= listed, name
