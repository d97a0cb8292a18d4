"""The architectures an image is built for: one record each, the only table of architecture names.

Docker, Rust, the kernel, Debian and the pages each name an architecture their own way; every one
of those names, and what building for the architecture here needs, is a field of :class:`Arch`.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass


@dataclass(frozen=True)
class Arch:
    docker: str  # Docker's platform name, as images.csv's `arch` column writes it (also Debian's)
    rust: str  # the first component of a Rust target triple
    machine: str  # what the kernel (uname -m, platform.machine()) calls it
    title: str  # how the pages name it
    image_variant: str = ""  # the image config's "variant" beside "architecture", if it has one
    std_toolchain: str = ""  # the toolchain that must build std for it here ("" = the target's own)
    cc: str = "cc"  # the C compiler and linker driver that builds for it
    ar: str = "ar"
    cross_packages: tuple[str, ...] = ()  # Debian packages of the cross C toolchain, installed on the machine
    fetched_packages: tuple[str, ...] = ()  # Debian packages of this architecture unpacked into the cache

    @property
    def binfmt_entry(self) -> str:
        """The binfmt_misc entry Debian's qemu-user-static registers for it."""
        return f"qemu-{self.rust}"

    @property
    def cross_prefix(self) -> str:
        """The name prefix of its cross C toolchain (``aarch64-linux-gnu``), "" for the native one."""
        return self.cc.removesuffix("-gcc") if self.cc.endswith("-gcc") else ""


#: The architecture a target is for when the recipe names no other.
DEFAULT_ARCH = "amd64"

ARCHES: dict[str, Arch] = {
    "amd64": Arch(docker="amd64", rust="x86_64", machine="x86_64", title="x86-64"),
    "arm64": Arch(
        docker="arm64",
        rust="aarch64",
        machine="aarch64",
        title="arm64",
        image_variant="v8",
        # no prebuilt aarch64 std can be installed here: std is rebuilt from source
        std_toolchain="debian-build-std",
        cc="aarch64-linux-gnu-gcc",
        ar="aarch64-linux-gnu-ar",
        cross_packages=("gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"),
        fetched_packages=("musl-dev", "libunwind-14-dev"),
    ),
}


def arch_of_machine(machine: str | None = None) -> str:
    """Docker's name of ``machine`` (default: this machine's ``platform.machine()``), or ``machine`` as is."""
    machine = machine or platform.machine()
    for arch in ARCHES.values():
        if machine in (arch.machine, arch.docker):
            return arch.docker
    return machine


def host_arch() -> str:
    """This machine's architecture by Docker's name (amd64, arm64)."""
    return arch_of_machine()
