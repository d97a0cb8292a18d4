"""arm64 binaries built three ways and timed (issue 19): the cross C linker, cargo-zigbuild, and a native
build inside an arm64 container under user-mode emulation.

Each program (hello-world and the webserver) follows one arm64 variant of programs/recipes.toml: its
features, profile and base (:data:`PROGRAMS`). Each route builds it once, cold (an empty target
directory; the crates downloaded beforehand and not timed), bounded by a timeout, and the row of
``measurements/arm64_builds.csv`` records the wall and CPU time, what else the machine did meanwhile,
the binary's size, the newest glibc symbol version it needs, and whether its image (the variant's own
Dockerfile, on the variant's base) passes the variant's own check under emulation. A build that does
not finish within its bound is recorded as such, with the bound, and nothing else.

The routes (:data:`ROUTES`):

``cross-gcc``
    Today's route (:mod:`cheatsheet.measure.toolchain`): Debian's rustc-web on the x86-64 host, std
    for aarch64 rebuilt from rust-web-src with ``-Zbuild-std`` (no prebuilt aarch64 std can be
    installed here), linked by Debian's ``aarch64-linux-gnu-gcc`` against Debian 12's arm64 glibc
    (``libc6-dev-arm64-cross``).
``zigbuild``
    The same compiler and the same rebuilt std, with cargo-zigbuild making ``zig cc`` the linker and
    the C compiler (ring's C and assembly). Both come from PyPI, pinned with hashes in
    ``requirements/zigbuild.lock``, and are installed into a virtual environment of their own under
    the cache. std still comes from ``-Zbuild-std``: cargo-zigbuild brings a linker and glibc stubs,
    not a Rust standard library. zig's caches start empty too, so the build pays for the C runtime
    objects zig compiles on first use.
``native-emulated``
    Debian 12's own arm64 cargo and rustc (rustc-web, cargo-web, with their prebuilt aarch64 std, and
    gcc), in an arm64 root filesystem bootstrapped with mmdebstrap and loaded into Docker (the
    builder image, :func:`.builders.ensure_builder`). Every process of the build is an aarch64
    program that qemu-user runs through binfmt_misc. The container has no network: the crates are vendored beforehand
    (``cargo vendor``, not timed) and mounted read-only.

The package: :mod:`.timing` (one bounded build, its CPU time and the machine's load), :mod:`.builders`
(the three routes), :mod:`.rows` (the binary checked and the row).

CPU time: on the host, the user and system time of every process the build ran (``getrusage`` of
the children); in the container, its cgroup's CPU counter, read by the container's own shell after
the build. Beside it, each row says how busy the rest of the machine was (others' share of the CPUs,
from ``/proc/stat``, and the mean one-minute load average), since the machine may be shared.
"""

from .builders import ARCH, ROUTES, Built
from .rows import PROGRAMS, TIMEOUTS, glibc_max, glibc_versions, measure_route, prepare, route_row
from .timing import Timed, cgroup_cpu_seconds, run_bounded

__all__ = [
    "ARCH",
    "PROGRAMS",
    "ROUTES",
    "TIMEOUTS",
    "Built",
    "Timed",
    "cgroup_cpu_seconds",
    "glibc_max",
    "glibc_versions",
    "measure_route",
    "prepare",
    "route_row",
    "run_bounded",
]
