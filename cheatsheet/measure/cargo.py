"""Build a variant's binary with cargo, into a private copy the rest of the measurement uses."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from ..recipes.model import Variant
from ..util import atomic_write, file_lock, useful_line
from .context import Context
from .errors import BuildInterrupted, MeasureError, transient_cause
from .toolchain import Toolchain

BUILD_TIMEOUT = 1800


def build_binary(variant: Variant, tc: Toolchain, ctx: Context, *, timeout: float = BUILD_TIMEOUT) -> Path:
    """Build the variant's binary and return a private copy of it.

    Variants built with one toolchain share a target directory, where cargo writes every build of a
    program to the same path: another run (or another variant of this one) may overwrite it at any
    time after cargo returns. So the build and the copy happen under a lock on that directory, and
    what is measured and put into the image is the copy under ``<cache>/binaries``.
    """
    target_dir = ctx.cache_dir / "target" / tc.slot
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
