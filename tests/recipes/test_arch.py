"""cheatsheet.recipes.arch: the one table of architecture names."""

from __future__ import annotations

import platform

from cheatsheet.recipes.arch import ARCHES, DEFAULT_ARCH, arch_of_machine, host_arch
from cheatsheet.recipes.model import schema_enum


def test_every_architecture_of_the_schema_has_a_record():
    assert set(ARCHES) == set(schema_enum("arch")) and DEFAULT_ARCH in ARCHES
    for name, arch in ARCHES.items():
        assert arch.docker == name


def test_the_kernels_names_become_dockers():
    assert arch_of_machine("x86_64") == "amd64" and arch_of_machine("aarch64") == "arm64"
    assert arch_of_machine("arm64") == "arm64"  # already Docker's name
    assert arch_of_machine("riscv64") == "riscv64"  # unknown: as it is
    assert host_arch() == arch_of_machine(platform.machine())


def test_what_building_for_arm64_needs():
    arm = ARCHES["arm64"]
    assert (arm.rust, arm.machine, arm.image_variant) == ("aarch64", "aarch64", "v8")
    assert arm.binfmt_entry == "qemu-aarch64" and arm.cross_prefix == "aarch64-linux-gnu"
    assert ARCHES["amd64"].cross_prefix == "" and ARCHES["amd64"].std_toolchain == ""
