"""The host's rustup *stable* toolchain with its prebuilt std (x86_64-unknown-linux-gnu only here)."""

from __future__ import annotations

import os
import pathlib
import shutil

from .common import Toolchain, ToolchainError, c_toolchain_identity, dpkg_versions, run, rustc_info, sha256_json


def rustup_toolchain() -> Toolchain:
    fix = "install rustup and run `rustup toolchain install stable`"
    rustup = shutil.which("rustup")
    if rustup is None:
        candidate = pathlib.Path.home() / ".cargo" / "bin" / "rustup"
        if candidate.is_file():
            rustup = str(candidate)
    if rustup is None:
        raise ToolchainError(f"rustup was not found on PATH or in ~/.cargo/bin; {fix}.")
    rustc = run([rustup, "which", "--toolchain", "stable", "rustc"], "`rustup which rustc`", fix, cwd="/").strip()
    cargo = run([rustup, "which", "--toolchain", "stable", "cargo"], "`rustup which cargo`", fix, cwd="/").strip()
    rustc, cargo = os.path.realpath(rustc), os.path.realpath(cargo)
    text, version, release, _host = rustc_info(rustc, fix)
    cargo_version = run([cargo, "-vV"], f"`{cargo} -vV`", fix)
    cc = shutil.which("cc") or "cc"
    env = {"RUSTC": rustc, "RUSTUP_TOOLCHAIN": "stable"}
    rustflags: tuple[str, ...] = ()
    cargo_args: tuple[str, ...] = ()
    fingerprint = sha256_json(
        {
            "kind": "rustup",
            "rustc": text,
            "cargo": cargo_version,
            "c_toolchain": c_toolchain_identity(cc),
            # glibc's and gcc's start files and static libraries end up in gnu binaries.
            "packages": dpkg_versions(["libc6-dev", "libgcc-12-dev", "binutils"]),
            "env": env,
            "rustflags": rustflags,
            "cargo_args": cargo_args,
        }
    )
    return Toolchain(
        id="rustup",
        description="rustup stable, prebuilt std",
        rustc=rustc,
        cargo=cargo,
        release=release,
        version=version,
        env=env,
        rustflags=rustflags,
        cargo_args=cargo_args,
        fingerprint=fingerprint,
    )
