"""Build a variant's binary with cargo, into a private copy the rest of the measurement uses, and
time a cold build of it (:func:`cold_build`)."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import shlex
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..recipes.model import Variant
from ..util import CommandError, atomic_write, file_lock, run_command, useful_line
from .context import Context
from .errors import BuildInterrupted, MeasureError, Transient, transient_cause
from .toolchain import Toolchain

BUILD_TIMEOUT = 1800


def source_digest(directory: Path) -> str:
    """sha256 over the program's tracked inputs: manifests, lock file and sources (not target/)."""
    h = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if not path.is_file() or rel.parts[0] == "target":
            continue
        h.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def build_binary(
    variant: Variant, tc: Toolchain, ctx: Context, *, timeout: float = BUILD_TIMEOUT, target_dir: Path | None = None
) -> Path:
    """Build the variant's binary and return a private copy of it.

    Variants built with one toolchain share a target directory, where cargo writes every build of a
    program to the same path: another run (or another variant of this one) may overwrite it at any
    time after cargo returns. So the build and the copy happen under a lock on that directory, and
    what is measured and put into the image is the copy under ``<cache>/binaries``. ``target_dir``
    replaces that shared directory (a cold build's own, empty one).
    """
    target_dir = target_dir or ctx.cache_dir / "target" / tc.slot
    flags = tc.rustflags + variant.all_rustflags
    # CARGO_ENCODED_RUSTFLAGS keeps a flag with a space (a cache path) in one piece.
    env = {**os.environ, **tc.env, "CARGO_ENCODED_RUSTFLAGS": "\x1f".join(flags), "CARGO_TERM_COLOR": "never"}
    env.pop("RUSTFLAGS", None)
    cmd = [tc.cargo, *variant.cargo_args(), *tc.cargo_args, "--target-dir", str(target_dir)]
    log_path = ctx.log_path(variant, "cargo")
    copy = ctx.cache_dir / "binaries" / f"{variant.program.id}--{variant.id}"
    target_dir.mkdir(parents=True, exist_ok=True)
    copy.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(target_dir.parent / f".{tc.slot}.lock"):
        try:
            proc = subprocess.run(
                cmd,
                cwd=variant.program.dir,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            output = (exc.stdout or b"").decode(errors="replace")
            log_path.write_text(f"$ {shlex.join(cmd)}\n{output}")
            raise BuildInterrupted(f"cargo did not finish within {timeout:.0f} s (log so far: {log_path})") from None
        output = proc.stdout.decode(errors="replace")
        log_path.write_text(f"$ RUSTFLAGS={shlex.quote(' '.join(flags))} {shlex.join(cmd)}\n{output}")
        if proc.returncode < 0:
            raise BuildInterrupted(f"cargo was killed by signal {-proc.returncode} (log so far: {log_path})")
        if proc.returncode != 0:
            if cause := transient_cause(output):
                raise BuildInterrupted(f"the build was cut short: {cause} (full log: {log_path})")
            raise MeasureError(f"cargo build failed: {useful_line(output)} (full log: {log_path})")
        binary = variant.binary_path(target_dir)
        if not binary.is_file():
            raise MeasureError(f"cargo build produced no binary at {binary}")
        atomic_write(copy, binary.read_bytes(), mode=0o755)
    return copy


def build_key(variant: Variant, tc: Toolchain) -> str:
    """What decides the binary cargo makes: toolchain, cargo arguments, flags, environment and sources.

    Variants that differ only in their base image share it, so their binary is built (and timed) once.
    """
    material = {
        "toolchain": [tc.id, tc.version, tc.slot],
        "args": [*variant.cargo_args(), *tc.cargo_args],
        "rustflags": [*tc.rustflags, *variant.all_rustflags],
        "env": sorted(tc.env.items()),
        "source": source_digest(variant.program.dir),
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()[:32]


@dataclass(frozen=True)
class BuildTime:
    """How long a cold build took: wall-clock seconds, and CPU seconds of cargo and every compiler and
    linker it ran (user + system, summed over cores: what other work on the machine changes least)."""

    wall: float
    cpu: float


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold_build(
    variant: Variant, tc: Toolchain, ctx: Context, *, timeout: float = BUILD_TIMEOUT
) -> tuple[Path, BuildTime]:
    """Build the variant's binary in an empty target directory and return the copy and the time taken.

    The crates are downloaded first (``cargo fetch``, not timed), so the figure is compiling and linking
    only. The time of a build is kept under ``<cache>/cold-builds`` with its binary: a variant whose
    build is the same as one timed before (:func:`build_key`) reuses both.
    """
    kept = ctx.cache_dir / "cold-builds" / build_key(variant, tc)
    copy = ctx.cache_dir / "binaries" / f"{variant.program.id}--{variant.id}"
    kept.mkdir(parents=True, exist_ok=True)
    with file_lock(kept / ".lock"):
        times_file, binary_file = kept / "time.json", kept / "binary"
        if times_file.is_file() and binary_file.is_file():
            taken = BuildTime(**json.loads(times_file.read_text()))
        else:
            try:
                run_command(
                    [tc.cargo, "fetch", "--locked"],
                    cwd=variant.program.dir,
                    env={**os.environ, **tc.env},
                    what=f"cargo fetch for {variant.program.id}/{variant.id}",
                    timeout=900,
                )
            except CommandError as exc:  # the crates could not be downloaded: try again later
                raise Transient(str(exc)) from None
            with tempfile.TemporaryDirectory(prefix="cold-target-", dir=kept) as tmp:
                t0, cpu0 = time.monotonic(), _children_cpu()
                built = build_binary(variant, tc, ctx, timeout=timeout, target_dir=Path(tmp))
                taken = BuildTime(wall=time.monotonic() - t0, cpu=_children_cpu() - cpu0)
                atomic_write(binary_file, built.read_bytes(), mode=0o755)
            atomic_write(times_file, json.dumps(asdict(taken)) + "\n")
        copy.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(copy, binary_file.read_bytes(), mode=0o755)
    return copy, taken
