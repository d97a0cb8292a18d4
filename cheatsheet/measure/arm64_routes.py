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
    Today's route (:mod:`.toolchain`): Debian's rustc-web on the x86-64 host, std for aarch64 rebuilt
    from rust-web-src with ``-Zbuild-std`` (no prebuilt aarch64 std can be installed here), linked by
    Debian's ``aarch64-linux-gnu-gcc`` against Debian 12's arm64 glibc (``libc6-dev-arm64-cross``).
``zigbuild``
    The same compiler and the same rebuilt std, with cargo-zigbuild making ``zig cc`` the linker and
    the C compiler (ring's C and assembly). Both come from PyPI, pinned with hashes in
    ``requirements/zigbuild.lock``, and are installed into a virtual environment of their own under
    the cache. std still comes from ``-Zbuild-std``: cargo-zigbuild brings a linker and glibc stubs,
    not a Rust standard library. zig's caches start empty too, so the build pays for the C runtime
    objects zig compiles on first use.
``native-emulated``
    Debian 12's own arm64 cargo and rustc (rustc-web, cargo-web, with their prebuilt aarch64 std, and
    gcc), in an arm64 root filesystem bootstrapped with mmdebstrap and loaded into Docker (the builder
    image, :func:`ensure_builder`). Every process of the build is an aarch64 program that qemu-user
    runs through binfmt_misc. The container has no network: the crates are vendored beforehand
    (``cargo vendor``, not timed) and mounted read-only.

CPU time: on the host, the user and system time of every process the build ran (``getrusage`` of
the children); in the container, its cgroup's CPU counter, read by the container's own shell after
the build. Beside it, each row says how busy the rest of the machine was (others' share of the CPUs,
from ``/proc/stat``, and the mean one-minute load average), since the machine may be shared.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..recipes.arch import ARCHES, host_arch
from ..recipes.model import Variant
from ..util import CommandError, atomic_write, file_lock, run_command, sha256_file, useful_line
from .bases.common import BaseUnavailable, archive_epoch, sources_fingerprint, workdir
from .bases.debian import DebianMinbase
from .bench.host import CpuSample, cpu_sample, load_average, quietness
from .checks import is_server, verify, verify_server
from .containers import RunResources
from .context import Context, image_tag
from .docker import docker, inspect_image
from .errors import MeasureError
from .images import build_image, declare_architecture, save
from .toolchain import Toolchain

#: The routes, in the order the table shows them.
ROUTES: tuple[str, ...] = ("cross-gcc", "zigbuild", "native-emulated")
#: The arm64 variant each program's builds follow: features, profile, base (both link glibc dynamically,
#: so the newest glibc symbol version they need says which systems they run on).
PROGRAMS: dict[str, str] = {"hello-world": "distroless-cc-arm64", "webserver": "cc-rustls-ring-arm64"}
#: The bound of each build, seconds (the emulated webserver is the long one).
TIMEOUTS: dict[str, int] = {"hello-world": 900, "webserver": 1500}
ARCH = "arm64"
READELF = "aarch64-linux-gnu-readelf"
ZIG_LOCK = Path(__file__).resolve().parents[2] / "requirements" / "zigbuild.lock"
#: The packages of the native builder's root filesystem (rustc-web brings its prebuilt aarch64 std).
BUILDER_PACKAGES: tuple[str, ...] = ("rustc-web", "cargo-web", "gcc", "libc6-dev")
BUILDER_REPO = "cheatsheet-builder/rust-arm64"
BUILDER_LABEL = "cheatsheet.builder.key"
#: What the builder container's shell prints after the build: its cgroup's CPU counter.
CPU_MARK = "@cgroup-cpu"
SAMPLE_EVERY = 5.0
#: Where this module keeps what it makes once (the zigbuild venv, the vendored crates, temporary targets), under the cache.
CACHE_SUBDIR = "arm64-routes"

Row = dict[str, Any]


# -- parsing -----------------------------------------------------------------------------------------


def glibc_versions(readelf_text: str) -> list[str]:
    """The ``GLIBC_x.y[.z]`` versions named in ``readelf -V`` output (the version needs of a binary), oldest first."""
    found = set(re.findall(r"\bGLIBC_([0-9]+(?:\.[0-9]+)+)\b", readelf_text))
    return [f"GLIBC_{v}" for v in sorted(found, key=lambda v: tuple(int(p) for p in v.split(".")))]


def glibc_max(readelf_text: str) -> str:
    """The newest glibc symbol version a binary needs (``GLIBC_2.34``), "" when it needs none."""
    versions = glibc_versions(readelf_text)
    return versions[-1] if versions else ""


def cgroup_cpu_seconds(output: str) -> float | None:
    """The container's CPU seconds from the line its shell printed after the build
    (``@cgroup-cpu ns N``: cgroup v1's cpuacct.usage; ``@cgroup-cpu usec N``: v2's usage_usec), or None."""
    for line in reversed(output.splitlines()):
        match = re.fullmatch(rf"{CPU_MARK} (ns|usec) ([0-9]+)", line.strip())
        if match:
            return int(match.group(2)) / (1e9 if match.group(1) == "ns" else 1e6)
    return None


#: The shell lines after the build in the container: print the cgroup's CPU counter, keep cargo's status.
CPU_SCRIPT = (
    "rc=$?; "
    "if [ -r /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then "
    f'echo "{CPU_MARK} ns $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage)"; '
    "elif [ -r /sys/fs/cgroup/cpu.stat ]; then "
    f"echo \"{CPU_MARK} usec $(sed -n 's/^usage_usec //p' /sys/fs/cgroup/cpu.stat)\"; "
    "fi; exit $rc"
)


# -- timing ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timed:
    """One bounded build: how it ended (built, failed, timed-out), its wall and CPU seconds, its output."""

    outcome: str
    wall: float
    cpu: float | None
    output: str
    others_pct: float | None = None  # others' share of all CPUs meanwhile, percent
    load: float | None = None  # the mean one-minute load average meanwhile


class MachineWatch:
    """What the machine did during a build: /proc/stat before and after, the load average every few seconds."""

    def __init__(self, every: float = SAMPLE_EVERY):
        self.every = every
        self.loads: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.before: CpuSample | None = None

    def _sample(self) -> None:
        while True:
            self.loads.append(load_average())
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> MachineWatch:
        self.before = cpu_sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def result(self, ours: float | None) -> tuple[float | None, float | None]:
        """(others' share of all CPUs in percent, given our CPU seconds ``ours``; the mean load average)."""
        load = round(sum(self.loads) / len(self.loads), 2) if self.loads else None
        if ours is None or self.before is None:
            return None, load
        return round(quietness(self.before, cpu_sample(), ours).foreign_pct, 1), load


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_bounded(
    argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float, log_path: Path
) -> Timed:
    """Run a build on the host in a session of its own, output to ``log_path``; on timeout the whole
    session (cargo and every compiler it started) is killed and the outcome is ``timed-out``."""
    with open(log_path, "w") as log, MachineWatch() as watch:
        log.write(f"$ {shlex.join(argv)}\n")
        log.flush()
        t0, cpu0 = time.monotonic(), _children_cpu()
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
        wall, cpu = time.monotonic() - t0, _children_cpu() - cpu0
    output = log_path.read_text(errors="replace")
    if code is None:
        return Timed("timed-out", wall, None, output, *watch.result(None))
    others, load = watch.result(cpu)
    return Timed("built" if code == 0 else "failed", wall, cpu, output, others, load)


def run_in_container(
    image: str, script: str, *, options: Sequence[str], timeout: float, log_path: Path, log: Callable[[str], None]
) -> Timed:
    """Run ``script`` with ``sh -c`` in a labelled container of ``image`` (removed afterwards, and on a
    timeout); the CPU seconds are the container's cgroup's, printed after the build (:data:`CPU_SCRIPT`)."""
    with RunResources("cheatsheet-arm64-build", log) as res, MachineWatch() as watch:
        t0 = time.monotonic()
        proc = res.run(image, ["sh", "-c", f"{script}; {CPU_SCRIPT}"], options=options, timeout=timeout)
        wall = time.monotonic() - t0
    output = f"$ sh -c {shlex.quote(script)}\n{proc.stdout}{proc.stderr}"
    log_path.write_text(output)
    if proc.returncode == 124 and proc.stderr.startswith("did not finish within"):
        return Timed("timed-out", wall, None, output, *watch.result(None))
    cpu = cgroup_cpu_seconds(proc.stdout)
    others, load = watch.result(cpu)
    return Timed("built" if proc.returncode == 0 else "failed", wall, cpu, output, others, load)


# -- the routes ----------------------------------------------------------------------------------------


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
    """The binary cargo wrote: under the triple's directory, or (cargo-zigbuild with a glibc suffix) the suffixed one."""
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
    material = {"recipe": recipe.recipe(), "sources": sources_fingerprint(recipe.name), "epoch": archive_epoch()}
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
                    tarball, _packages, _tool = recipe.build(recipe.name, material["epoch"], work, log)
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
    sources = ["--config", 'source.crates-io.replace-with="vendored"', "--config", 'source.vendored.directory="/vendor"']
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


# -- checking and the row --------------------------------------------------------------------------------


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
        from .runner import server_network  # noqa: PLC0415 -- the runner imports this layer's modules first

        outcome = verify_server(variant, server_network(ctx), image.tag)
        return image.size, outcome["runs"], outcome["failure"]
    runs, failure = verify(variant, image.tag)
    return image.size, runs, failure


def build_failure(timed: Timed, timeout: float) -> str:
    if timed.outcome == "timed-out":
        return f"did not finish within the bound of {timeout:.0f} s"
    if timed.outcome == "failed":
        return useful_line(timed.output)
    return ""


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
