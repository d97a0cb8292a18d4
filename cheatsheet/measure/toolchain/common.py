"""What both toolchains share: the Toolchain record, its error, and small command and file helpers."""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from ...recipes.arch import DEFAULT_ARCH
from ...util import CommandError, fsync_dir, run_command

#: apt packages the "debian-build-std" toolchain needs (``gcc`` brings ``cc``, ``ar`` and the
#: crtbegin/crtend objects; ``musl-dev`` brings musl's libc.a and start files; ``musl-tools``,
#: i.e. musl-gcc, is deliberately not needed).
DEBIAN_PACKAGES: tuple[str, ...] = (
    "rustc-web",
    "cargo-web",
    "rust-web-src",
    "musl-dev",
    "libunwind-14-dev",
    "gcc",
)


APT_HINT = "apt-get install " + " ".join(DEBIAN_PACKAGES)


class ToolchainError(Exception):
    """A toolchain cannot be provided; the message says what is missing and how to fix it."""


@dataclass(frozen=True)
class Toolchain:
    id: str
    description: str
    rustc: str
    cargo: str
    release: str
    version: str
    env: dict[str, str] = field(hash=False)
    rustflags: tuple[str, ...]
    cargo_args: tuple[str, ...]
    fingerprint: str
    arch: str = DEFAULT_ARCH  # the architecture it builds for

    @property
    def slot(self) -> str:
        """A name for this toolchain and architecture: its target directory and lock are called so."""
        return self.id if self.arch == DEFAULT_ARCH else f"{self.id}-{self.arch}"


def run(argv: list[str], what: str, fix: str, cwd: str | None = None) -> str:
    try:
        return run_command(argv, what=what, cwd=cwd, timeout=600).stdout
    except CommandError as exc:
        raise ToolchainError(f"{exc}; {fix}.") from exc


def rustc_info(rustc: str, fix: str) -> tuple[str, str, str, str]:
    """(full `rustc -vV` text, first line, release, host triple)."""
    text = run([rustc, "-vV"], f"`{rustc} -vV`", fix)
    lines = text.strip().splitlines()
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    if not lines or "release" not in fields or "host" not in fields:
        raise ToolchainError(f"`{rustc} -vV` printed no release/host line; {fix}.")
    return text, lines[0], fields["release"], fields["host"]


def sha256_json(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def dpkg_versions(packages: tuple[str, ...] | list[str]) -> dict[str, str | None] | None:
    """Installed version of each package (None if not installed); None if dpkg is absent."""
    if shutil.which("dpkg-query") is None:
        return None
    proc = run_command(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status} ${Version}\\n", *packages], check=False, timeout=60
    )
    found: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "installed":
            found[parts[0]] = parts[2]
    return {p: found.get(p) for p in packages}


def first_output_line(argv: list[str]) -> str:
    """The first line a command prints (its version, a path), or "unavailable"."""
    try:
        proc = run_command(argv, check=False, timeout=60)
    except CommandError:
        return "unavailable"
    out = (proc.stdout or proc.stderr).strip().splitlines()
    return out[0] if out else "unavailable"


def c_toolchain_identity(cc: str) -> dict[str, str]:
    """What of the C toolchain (the linker driver) can change the linked output."""
    ld = first_output_line([cc, "-print-prog-name=ld"])
    return {
        "cc_path": os.path.realpath(cc),
        "cc_version": first_output_line([cc, "--version"]),
        "ld_version": first_output_line([ld, "--version"]),
    }


def write_file(path: pathlib.Path, data: str | bytes, mode: int = 0o644) -> None:
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, mode)


def rmtree(path: pathlib.Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def publish(parent: pathlib.Path, final: pathlib.Path, prefix: str, fill: Callable[[pathlib.Path], None]) -> None:
    """Fill a fresh temporary directory beside ``final`` and publish it as ``final`` with one rename;
    whatever fails or is interrupted leaves no half-made directory behind."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        os.chmod(tmp, 0o755)
        fill(tmp)
        os.rename(tmp, final)
        fsync_dir(parent)
    except BaseException:
        rmtree(tmp)
        raise
