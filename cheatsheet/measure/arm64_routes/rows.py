"""A route's build checked and recorded: the binary's glibc needs, its image run under emulation, the row."""

from __future__ import annotations

import datetime as _dt
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ...recipes.arch import host_arch
from ...recipes.model import Variant
from ...util import CommandError, run_command, useful_line
from ..checks import is_server, verify, verify_server
from ..context import Context, image_tag
from ..errors import MeasureError
from ..images import build_image
from ..runner import server_network
from .builders import ARCH, BUILDERS, CACHE_SUBDIR, Built, ensure_builder, ensure_zig_tools, fetch_crates, vendor_crates
from .timing import Timed

#: The arm64 variant each program's builds follow: features, profile, base (both link glibc dynamically,
#: so the newest glibc symbol version they need says which systems they run on).
PROGRAMS: dict[str, str] = {"hello-world": "distroless-cc-arm64", "webserver": "cc-rustls-ring-arm64"}
#: The bound of each build, seconds (the emulated webserver is the long one).
TIMEOUTS: dict[str, int] = {"hello-world": 900, "webserver": 2400}
READELF = "aarch64-linux-gnu-readelf"

Row = dict[str, Any]


def glibc_versions(readelf_text: str) -> list[str]:
    """The ``GLIBC_x.y[.z]`` versions named in ``readelf -V`` output (the version needs of a binary), oldest first."""
    found = set(re.findall(r"\bGLIBC_([0-9]+(?:\.[0-9]+)+)\b", readelf_text))
    return [f"GLIBC_{v}" for v in sorted(found, key=lambda v: tuple(int(p) for p in v.split(".")))]


def glibc_max(readelf_text: str) -> str:
    """The newest glibc symbol version a binary needs (``GLIBC_2.34``), "" when it needs none."""
    versions = glibc_versions(readelf_text)
    return versions[-1] if versions else ""


def readelf_versions(binary: Path) -> str:
    """``readelf -V`` of an aarch64 binary (its symbol version needs)."""
    try:
        return run_command([READELF, "-V", "--wide", str(binary)], timeout=120).stdout
    except CommandError as exc:
        raise MeasureError(f"reading the binary's symbol versions: {exc}") from None


def check_image(variant: Variant, route: str, binary: Path, ctx: Context) -> tuple[int, str, str]:
    """Build the variant's image from ``binary`` and run the variant's own check on it under emulation:
    (image bytes, runs, failure)."""
    tag = image_tag(ctx.cache_dir, variant.program.id, f"{variant.id}-route-{route}")
    image = build_image(variant, ctx.base(variant), binary, ctx.cache_dir, tag, compress=False)
    if is_server(variant):
        outcome = verify_server(variant, server_network(ctx), image.tag)
        return image.size, outcome["runs"], outcome["failure"]
    runs, failure = verify(variant, image.tag)
    return image.size, runs, failure


def build_failure(timed: Timed, timeout: float) -> str:
    """Why a build has no binary: stopped at its bound, or the first error line of its output."""
    if timed.outcome == "timed-out":
        return f"did not finish within the bound of {timeout:.0f} s"
    if timed.outcome == "failed":
        return useful_line(timed.output)
    return ""


def prepare(variant: Variant, route: str, ctx: Context) -> None:
    """Everything a route's timed build and its check need that is made once and not timed: the toolchain
    and its sysroot, the crates (downloaded, or vendored for the container), cargo-zigbuild, the builder
    image, the variant's base and, for a server, the local peers."""
    if route in ("cross-gcc", "zigbuild"):
        fetch_crates(variant, ctx.toolchain("debian-build-std", ARCH))
    if route == "zigbuild":
        ensure_zig_tools(ctx.cache_dir / CACHE_SUBDIR)
    if route == "native-emulated":
        ensure_builder(ctx.cache_dir / CACHE_SUBDIR, ctx.log)
        vendor_crates(variant, ctx.cache_dir / CACHE_SUBDIR)
    ctx.base(variant)
    if is_server(variant):
        server_network(ctx)


def route_row(
    variant: Variant,
    route: str,
    built: Built,
    *,
    timeout: int,
    docker_version: str,
    measured_at: _dt.datetime,
    binary_bytes: int | None = None,
    glibc: str = "",
    image_bytes: int | None = None,
    runs: str = "",
    failure: str = "",
) -> Row:
    """The row of arm64_builds.csv for one route's build of ``variant``. A build that did not finish or
    failed has no figures but its bound (and, when it failed, its wall time) and says why."""
    t = built.timed
    finished = t.outcome != "timed-out"
    return {
        "program": variant.program.id,
        "variant": variant.id,
        "route": route,
        "target": variant.target.triple,
        "build_target": built.build_target,
        "libc": variant.target.libc,
        "crt_linkage": variant.target.crt_linkage,
        "std": built.std,
        "toolchain": built.toolchain,
        "rustc_version": built.rustc_version,
        "linker": built.linker,
        "outcome": t.outcome,
        "timeout_seconds": timeout,
        "build_seconds": round(t.wall, 1) if finished else None,
        "build_cpu_seconds": round(t.cpu, 1) if finished and t.cpu is not None else None,
        "others_cpu_pct": t.others_pct,
        "load_average": t.load,
        "cpus": os.cpu_count() or 1,
        "binary_bytes": binary_bytes if t.outcome == "built" else None,
        "glibc_max": glibc if t.outcome == "built" else "",
        "image_bytes": image_bytes if t.outcome == "built" else None,
        "runs": runs if t.outcome == "built" else "",
        "failure": build_failure(t, timeout) or (failure if runs == "no" else ""),
        "builder_image": built.builder_image,
        "docker_version": docker_version,
        "host_arch": host_arch(),
        "measured_at": measured_at,
    }


def measure_route(variant: Variant, route: str, ctx: Context, timeout: int) -> Row:
    """Build ``variant`` by ``route`` (cold, bounded), then measure and check what it built; the row."""
    (ctx.cache_dir / CACHE_SUBDIR).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"cold-{route}-", dir=ctx.cache_dir / CACHE_SUBDIR) as tmp:
        built = BUILDERS[route](variant, ctx, Path(tmp), timeout)
        extra: dict[str, Any] = {}
        if built.timed.outcome == "built":
            if built.binary is None:
                raise MeasureError(f"{route}: the build succeeded but left no binary")
            readelf = readelf_versions(built.binary)
            image_bytes, runs, failure = check_image(variant, route, built.binary, ctx)
            extra = {
                "binary_bytes": built.binary.stat().st_size,
                "glibc": glibc_max(readelf),
                "image_bytes": image_bytes,
                "runs": runs,
                "failure": failure,
            }
    return route_row(
        variant,
        route,
        built,
        timeout=timeout,
        docker_version=ctx.docker_version(),
        measured_at=_dt.datetime.now(_dt.UTC).replace(microsecond=0),
        **extra,
    )
