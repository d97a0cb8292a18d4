"""The three routes' builds: each makes one cold, bounded build of a variant and says what built it."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ...paths import REPO
from ...recipes.arch import ARCHES
from ...recipes.model import Variant
from ...util import CommandError, atomic_write, file_lock, run_command, sha256_file, useful_line
from ..bases.common import BaseUnavailable, archive_epoch, sources_fingerprint, workdir
from ..bases.debian import DebianMinbase
from ..context import Context
from ..docker import docker, inspect_image
from ..errors import MeasureError
from ..images import declare_architecture, save
from ..toolchain import Toolchain
from .timing import CPU_MARK, Timed, run_bounded, run_in_container

ARCH = "arm64"
ZIG_LOCK = REPO / "requirements" / "zigbuild.lock"
#: The packages of the native builder's root filesystem (rustc-web brings its prebuilt aarch64 std).
BUILDER_PACKAGES: tuple[str, ...] = ("rustc-web", "cargo-web", "gcc", "libc6-dev")
BUILDER_REPO = "cheatsheet-builder/rust-arm64"
BUILDER_LABEL = "cheatsheet.builder.key"
#: Where the routes keep, under the cache, what they make once (the zigbuild venv, the builder's work, the
#: vendored crates) and their empty target directories.
CACHE_SUBDIR = "arm64-routes"


@dataclass(frozen=True)
class Built:
    """A route's build of one program: the timing, the binary (None unless built) and what built it."""

    timed: Timed
    binary: Path | None
    build_target: str
    std: str  # "rebuilt" (-Zbuild-std) | "prebuilt"
    toolchain: str
    rustc_version: str
    linker: str
    builder_image: str = ""


def find_binary(target_dir: Path, variant: Variant, build_target: str) -> Path | None:
    """The binary cargo wrote: under the triple's directory, or (cargo-zigbuild asked for a glibc version)
    under the suffixed one."""
    for triple in dict.fromkeys((variant.target.triple, build_target)):
        path = target_dir / triple / "release" / variant.program.binary
        if path.is_file():
            return path
    return None


def first_line(argv: Sequence[str]) -> str:
    try:
        proc = run_command(argv, timeout=120, check=False)
    except CommandError:
        return "unavailable"
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return lines[0].strip() if lines else "unavailable"


def fetch_crates(variant: Variant, tc: Toolchain) -> None:
    """Download the program's crates before a timed build (what a cold build figure leaves out)."""
    try:
        run_command(
            [tc.cargo, "fetch", "--locked"], cwd=variant.program.dir, env={**os.environ, **tc.env}, timeout=900,
            what=f"cargo fetch for {variant.program.id}",
        )  # fmt: skip
    except CommandError as exc:
        raise MeasureError(str(exc)) from None


def host_env(tc: Toolchain, variant: Variant) -> dict[str, str]:
    env = {**os.environ, **tc.env, "CARGO_TERM_COLOR": "never"}
    env["CARGO_ENCODED_RUSTFLAGS"] = "\x1f".join(tc.rustflags + variant.all_rustflags)
    env.pop("RUSTFLAGS", None)
    return env


def cross_gcc(variant: Variant, ctx: Context, work: Path, timeout: float) -> Built:
    """Today's route: the debian-build-std toolchain for arm64, linked by aarch64-linux-gnu-gcc."""
    tc = ctx.toolchain("debian-build-std", ARCH)
    fetch_crates(variant, tc)
    target_dir = work / "target"
    cmd = [tc.cargo, *variant.cargo_args(), *tc.cargo_args, "--target-dir", str(target_dir)]
    timed = run_bounded(
        cmd, cwd=variant.program.dir, env=host_env(tc, variant), timeout=timeout,
        log_path=ctx.log_path(variant, "route-cross-gcc"),
    )  # fmt: skip
    return Built(
        timed=timed,
        binary=find_binary(target_dir, variant, variant.target.triple) if timed.outcome == "built" else None,
        build_target=variant.target.triple,
        std="rebuilt",
        toolchain="debian-build-std",
        rustc_version=tc.version,
        linker=first_line([ARCHES[ARCH].cc, "--version"]),
    )


@dataclass(frozen=True)
class ZigTools:
    python: Path
    cargo_zigbuild: Path
    zig_version: str
    zigbuild_version: str


def ensure_zig_tools(cache_dir: Path, lock: Path = ZIG_LOCK) -> ZigTools:
    """cargo-zigbuild and ziglang from ``lock`` (pinned with hashes), in a virtual environment of their own
    under the cache, made once per lock file; a directory without its completion marker is made again."""
    key = sha256_file(lock)[:16]
    parent = cache_dir / "zigbuild"
    venv = parent / f"venv-{key}"
    marker = venv / ".complete"
    parent.mkdir(parents=True, exist_ok=True)
    with file_lock(parent / ".lock"):
        if not marker.is_file():
            shutil.rmtree(venv, ignore_errors=True)
            try:
                run_command([sys.executable, "-m", "venv", str(venv)], timeout=300, what="creating the zigbuild venv")
                run_command(
                    [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                     "--require-hashes", "--no-deps", "-r", str(lock)],
                    timeout=900, what=f"pip install -r {lock.name}",
                )  # fmt: skip
            except CommandError as exc:
                shutil.rmtree(venv, ignore_errors=True)
                raise MeasureError(f"cargo-zigbuild could not be installed: {exc}") from None
            atomic_write(marker, lock.read_text())
    python, zigbuild = venv / "bin" / "python", venv / "bin" / "cargo-zigbuild"
    return ZigTools(
        python=python,
        cargo_zigbuild=zigbuild,
        zig_version=first_line([str(python), "-m", "ziglang", "version"]),
        zigbuild_version=first_line([str(zigbuild), "--version"]),
    )


def zig_env(tc: Toolchain, variant: Variant, tools: ZigTools, work: Path) -> dict[str, str]:
    """The toolchain's environment without its cross C compiler (cargo-zigbuild sets zig cc for the
    target), with Debian's cargo and the rustc wrapper first on PATH, and zig's caches empty."""
    env = host_env(tc, variant)
    for triple in (variant.target.triple,):
        under = triple.replace("-", "_")
        for name in (f"CARGO_TARGET_{under.upper()}_LINKER", f"CC_{under}", f"AR_{under}", f"CXX_{under}"):
            env.pop(name, None)
    shims = work / "bin"
    shims.mkdir(parents=True, exist_ok=True)
    (shims / "cargo").symlink_to(tc.cargo)
    (shims / "rustc").symlink_to(env["RUSTC"])
    env["PATH"] = f"{shims}:{env.get('PATH', '')}"
    env["CARGO"] = tc.cargo
    env["CARGO_ZIGBUILD_PYTHON_PATH"] = str(tools.python)
    for name, sub in (
        ("CARGO_ZIGBUILD_CACHE_DIR", "zigbuild-cache"),
        ("ZIG_GLOBAL_CACHE_DIR", "zig-global-cache"),
        ("ZIG_LOCAL_CACHE_DIR", "zig-local-cache"),
    ):
        env[name] = str(work / sub)
    return env


def zigbuild(variant: Variant, ctx: Context, work: Path, timeout: float, glibc: str = "") -> Built:
    """The debian-build-std compiler and rebuilt std, linked by zig cc through cargo-zigbuild; ``glibc``
    ("2.17") asks zig for that glibc version (cargo-zigbuild's ``--target <triple>.<version>``)."""
    tc = ctx.toolchain("debian-build-std", ARCH)
    tools = ensure_zig_tools(ctx.cache_dir / CACHE_SUBDIR)
    fetch_crates(variant, tc)
    build_target = f"{variant.target.triple}.{glibc}" if glibc else variant.target.triple
    args = list(variant.cargo_args())
    args[0] = "zigbuild"
    args[args.index("--target") + 1] = build_target
    target_dir = work / "target"
    cmd = [str(tools.cargo_zigbuild), *args, *tc.cargo_args, "--target-dir", str(target_dir)]
    timed = run_bounded(
        cmd, cwd=variant.program.dir, env=zig_env(tc, variant, tools, work), timeout=timeout,
        log_path=ctx.log_path(variant, "route-zigbuild"),
    )  # fmt: skip
    return Built(
        timed=timed,
        binary=find_binary(target_dir, variant, build_target) if timed.outcome == "built" else None,
        build_target=build_target,
        std="rebuilt",
        toolchain="debian-build-std",
        rustc_version=tc.version,
        linker=f"zig {tools.zig_version} cc ({tools.zigbuild_version})",
    )


class RustBuilder(DebianMinbase):
    """The native route's builder: Debian 12 minbase for arm64 with Debian's Rust and gcc (no apt sources
    kept, like every bootstrapped image). Not a base image of the recipes: only this module uses it."""

    name = "rust-builder"
    how = "with mmdebstrap (minbase, merged-usr) plus " + ", ".join(BUILDER_PACKAGES)
    include: ClassVar[tuple[str, ...]] = BUILDER_PACKAGES

    def recipe(self) -> dict[str, Any]:
        return {**super().recipe(), "include": list(self.include), "config": {"Env": ["PATH=/usr/bin:/bin"]}}


def ensure_builder(cache_dir: Path, log: Callable[[str], None]) -> tuple[str, str]:
    """The arm64 builder image (tag, image id): made once per recipe, apt sources and archive date, with
    mmdebstrap, ``docker import`` and its config rewritten to say arm64."""
    recipe = RustBuilder(ARCH)
    epoch = archive_epoch()
    material = {"recipe": recipe.recipe(), "sources": sources_fingerprint(recipe.name), "epoch": epoch}
    key = hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()
    tag = f"{BUILDER_REPO}:{key[:16]}"

    def found() -> dict[str, Any] | None:
        info = inspect_image(tag)
        labels = ((info or {}).get("Config") or {}).get("Labels") or {}
        return info if info is not None and labels.get(BUILDER_LABEL) == key else None

    parent = cache_dir / "builders"
    parent.mkdir(parents=True, exist_ok=True)
    with file_lock(parent / ".lock"):
        info = found()
        if info is None:
            log(f"arm64 routes: bootstrapping the builder image {tag} (mmdebstrap, arm64, under emulation) ...")
            try:
                with workdir(parent, recipe.name, log) as work:
                    tarball, _packages, _tool = recipe.build(recipe.name, epoch, work, log)
                    changes = ["--change", "ENV PATH=/usr/bin:/bin", "--change", f"LABEL {BUILDER_LABEL}={key}"]
                    proc = docker("import", *changes, str(tarball), tag, timeout=1800)
                    if proc.returncode != 0:
                        raise MeasureError(f"docker import of the builder failed: {useful_line(proc.stderr)}")
                    save(tag, work / "saved.tar")
                    declare_architecture(tag, ARCH, work / "saved.tar", work / "image.tar")
            except BaseUnavailable as exc:
                raise MeasureError(f"the arm64 builder image could not be made: {exc}") from None
            info = found()
            if info is None:
                raise MeasureError(f"{tag} is missing after it was made")
    return tag, str(info["Id"])


def vendor_crates(variant: Variant, cache_dir: Path) -> Path:
    """The program's crates, vendored once per Cargo.lock (``cargo vendor``, with this machine's network);
    published by one rename."""
    program = variant.program.dir
    key = sha256_file(program / "Cargo.lock")[:16]
    parent = cache_dir / "vendor"
    final = parent / f"{variant.program.id}-{key}"
    parent.mkdir(parents=True, exist_ok=True)
    with file_lock(parent / ".lock"):
        if final.is_dir():
            return final
        tmp = Path(tempfile.mkdtemp(prefix=f".{variant.program.id}-", dir=parent))
        (tmp / "crates").mkdir()  # a program without dependencies gets an empty directory
        try:
            run_command(
                ["/usr/bin/cargo", "vendor", "--locked", "--versioned-dirs", str(tmp / "crates")],
                cwd=program, timeout=900, what=f"cargo vendor for {variant.program.id}",
            )  # fmt: skip
            os.rename(tmp / "crates", final)
        except CommandError as exc:
            raise MeasureError(str(exc)) from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def native_emulated(variant: Variant, ctx: Context, work: Path, timeout: float) -> Built:
    """Debian's arm64 cargo and rustc in the arm64 builder container, every process emulated."""
    image, image_id = ensure_builder(ctx.cache_dir / CACHE_SUBDIR, ctx.log)
    vendor = vendor_crates(variant, ctx.cache_dir / CACHE_SUBDIR)
    target_dir = work / "target"
    target_dir.mkdir(parents=True)
    sources = [
        "--config", 'source.crates-io.replace-with="vendored"',
        "--config", 'source.vendored.directory="/vendor"',
    ]  # fmt: skip
    cargo = ["cargo", *variant.cargo_args(), "--offline", *sources, "--target-dir", "/target"]
    options = [
        "--network", "none",
        "--volume", f"{variant.program.dir}:/src:ro",
        "--volume", f"{vendor}:/vendor:ro",
        "--volume", f"{target_dir}:/target",
        "--workdir", "/src",
        "--env", "CARGO_HOME=/cargo-home",
        "--env", "CARGO_TERM_COLOR=never",
        "--env", "CARGO_ENCODED_RUSTFLAGS=" + "\x1f".join(variant.all_rustflags),
    ]  # fmt: skip
    say = ctx.log
    rustc = run_in_container(
        image, "rustc -vV | head -n 1; gcc --version | head -n 1", options=["--network", "none"], timeout=600,
        log_path=ctx.log_path(variant, "route-native-versions"), log=say,
    )  # fmt: skip
    versions = [ln for ln in rustc.output.splitlines()[1:] if ln.strip() and not ln.startswith(CPU_MARK)]
    timed = run_in_container(
        image, shlex.join(cargo), options=options, timeout=timeout,
        log_path=ctx.log_path(variant, "route-native-emulated"), log=say,
    )  # fmt: skip
    return Built(
        timed=timed,
        binary=find_binary(target_dir, variant, variant.target.triple) if timed.outcome == "built" else None,
        build_target=variant.target.triple,
        std="prebuilt",
        toolchain="debian-arm64",
        rustc_version=versions[0] if versions else "unavailable",
        linker=(versions[1] if len(versions) > 1 else "gcc") + ", arm64, emulated",
        builder_image=image_id,
    )


BUILDERS: dict[str, Callable[[Variant, Context, Path, float], Built]] = {
    "cross-gcc": cross_gcc,
    "zigbuild": zigbuild,
    "native-emulated": native_emulated,
}
#: The routes, in the order the tables show them.
ROUTES: tuple[str, ...] = tuple(BUILDERS)
