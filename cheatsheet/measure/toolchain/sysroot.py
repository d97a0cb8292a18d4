"""The private sysroot of the debian-build-std toolchain: std's source patched to Debian's vendored
dependencies, musl's and the C toolchain's start files, a rustc wrapper; built once, verified by a
marker holding the inputs and the sha256 of every file (see :mod:`cheatsheet.measure.toolchain`)."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shlex
import tempfile
import tomllib
from dataclasses import dataclass

from ...recipes.arch import Arch
from ...util import file_lock, fsync_dir, sha256_file
from .common import APT_HINT, publish, rmtree, run, sha256_json, write_file

# Bump when the sysroot recipe in this file changes: it is part of the cache key.
LAYOUT_VERSION = 1

DEBIAN_RUSTC = pathlib.Path("/usr/bin/rustc")
DEBIAN_CARGO = pathlib.Path("/usr/bin/cargo")
MUSL_FILES = ("crt1.o", "Scrt1.o", "rcrt1.o", "crti.o", "crtn.o", "libc.a")
GCC_CRT_FILES = ("crtbegin.o", "crtbeginS.o", "crtbeginT.o", "crtend.o", "crtendS.o")
MARKER = ".sysroot-complete.json"
SYSROOT_PLACEHOLDER = "<sysroot>"

FORTIFY_SHIM_C = """\
/* musl has no _FORTIFY_SOURCE entry points; Debian's LLVM libunwind calls this one. */
#include <stdarg.h>
struct _IO_FILE;
int vfprintf(struct _IO_FILE *restrict, const char *restrict, va_list);
int __fprintf_chk(struct _IO_FILE *restrict fp, int flag, const char *restrict fmt, ...)
{
    va_list ap;
    int ret;
    (void)flag;
    va_start(ap, fmt);
    ret = vfprintf(fp, fmt, ap);
    va_end(ap);
    return ret;
}
"""
SHIM_CFLAGS = ("-std=c11", "-O2", "-fPIC", "-ffreestanding", "-fno-stack-protector")


@dataclass(frozen=True)
class DebianInputs:
    rustc: str
    cargo: str
    rustc_text: str
    version: str
    release: str
    host: str
    src_root: pathlib.Path  # /usr/src/rustc-<release>
    host_rustlib: pathlib.Path  # /usr/lib/rustlib/<host>
    cc: str
    ar: str
    spec: Arch
    copies: dict[str, pathlib.Path]  # file name in self-contained/ -> source file
    patches: tuple[tuple[str, str, str], ...]  # (name, version, vendor dir) of std's vendored deps
    record: dict  # everything above that changes outputs, JSON-able; hashed into the key


def patched_std_manifest(original: str, patches: tuple[tuple[str, str, str], ...]) -> str:
    entries = [
        f"std-vendored-{re.sub(r'[^A-Za-z0-9_-]', '_', f'{name}-{ver}')} = "
        f"{{ path = {json.dumps(path)}, package = {json.dumps(name)} }}"
        for name, ver, path in patches
    ]
    block = "# Added by cheatsheet.toolchain: std's dependencies from Debian's vendored copies.\n"
    block += "\n".join(entries) + "\n"
    header = re.search(r"^\[patch\.crates-io\][ \t]*(#.*)?$", original, re.M)
    if header:
        at = header.end() + 1
        text = original[:at] + block + original[at:]
    else:
        text = original.rstrip("\n") + "\n\n[patch.crates-io]\n" + block
    parsed = tomllib.loads(text)  # fail loudly here rather than inside cargo
    assert len(parsed["patch"]["crates-io"]) >= len(entries)
    return text


def patched_std_lock(original: str, patches: tuple[tuple[str, str, str], ...]) -> str:
    """Record the patched packages as path packages (no source/checksum), so that cargo's std
    resolve matches the lock file and never needs to query the crates registry."""
    wanted = {(name, ver) for name, ver, _ in patches}
    head, *blocks = original.split("\n[[package]]\n")
    out = [head]
    for block in blocks:
        name_match = re.search(r'^name = "([^"]*)"$', block, re.M)
        version_match = re.search(r'^version = "([^"]*)"$', block, re.M)
        if name_match and version_match and (name_match.group(1), version_match.group(1)) in wanted:
            out.append(re.sub(r"^(source|checksum) = .*\n", "", block, flags=re.M))
        else:
            out.append(block)
    text = "\n[[package]]\n".join(out)
    for name, ver in wanted:  # drop any "(registry+...)" qualifier on references to them
        text = re.sub(rf'"{re.escape(name)} {re.escape(ver)} \(registry\+[^)]*\)"', f'"{name} {ver}"', text)
    return text


def walk_outputs(root: pathlib.Path) -> dict[str, str]:
    """Relative path -> "file:<sha256>" / "link:<target>" for everything in the sysroot."""
    outputs: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + [d for d in dirnames if pathlib.Path(dirpath, d).is_symlink()]:
            path = pathlib.Path(dirpath, name)
            rel = str(path.relative_to(root))
            if rel == MARKER:
                continue
            if path.is_symlink():
                outputs[rel] = "link:" + str(path.readlink())
            else:
                outputs[rel] = "file:" + sha256_file(path)
    return outputs


def sysroot_is_valid(sysroot: pathlib.Path, record: dict) -> bool:
    try:
        marker = json.loads((sysroot / MARKER).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or marker.get("inputs") != record:
        return False
    try:
        return marker.get("outputs") == walk_outputs(sysroot)
    except OSError:
        return False


def build_sysroot(tmp: pathlib.Path, final: pathlib.Path, inp: DebianInputs) -> None:
    """Fill `tmp` with the sysroot that will live at `final` (paths inside refer to `final`)."""
    rustlib = tmp / "lib" / "rustlib"
    self_contained = rustlib / f"{inp.spec.rust}-unknown-linux-musl" / "lib" / "self-contained"
    library = rustlib / "src" / "rust" / "library"
    build = tmp / "build"
    for d in (self_contained, library, build, tmp / "bin"):
        d.mkdir(parents=True)

    (rustlib / inp.host).symlink_to(inp.host_rustlib)

    for name, src in inp.copies.items():
        write_file(self_contained / name, src.read_bytes())

    shim_c = build / "fortify_shim.c"
    shim_o = build / "fortify_shim.o"
    write_file(shim_c, FORTIFY_SHIM_C)
    fix = f"check that the Debian packages work ({APT_HINT})"
    run([inp.cc, *SHIM_CFLAGS, "-c", str(shim_c), "-o", str(shim_o)], "compiling the __fprintf_chk shim", fix)
    run([inp.ar, "rsD", str(self_contained / "libunwind.a"), str(shim_o)], "adding the shim to libunwind.a", fix)

    src_library = inp.src_root / "library"
    for entry in sorted(src_library.iterdir()):
        if entry.name not in ("Cargo.toml", "Cargo.lock"):
            (library / entry.name).symlink_to(entry)
    write_file(
        library / "Cargo.toml",
        patched_std_manifest((src_library / "Cargo.toml").read_text(), inp.patches),
    )
    write_file(
        library / "Cargo.lock",
        patched_std_lock((src_library / "Cargo.lock").read_text(), inp.patches),
    )

    write_file(
        tmp / "bin" / "rustc",
        "#!/bin/sh\n"
        "# Generated by cheatsheet.toolchain: Debian rustc-web with a private musl sysroot.\n"
        f'exec {shlex.quote(inp.rustc)} --sysroot {shlex.quote(str(final))} "$@"\n',
        mode=0o755,
    )

    marker = {"inputs": inp.record, "outputs": walk_outputs(tmp)}
    write_file(tmp / MARKER, json.dumps(marker, indent=1, sort_keys=True) + "\n")
    for dirpath, _dirnames, _filenames in os.walk(tmp):
        fsync_dir(pathlib.Path(dirpath))


def ensure_sysroot(cache_dir: pathlib.Path, inp: DebianInputs) -> pathlib.Path:
    parent = cache_dir.resolve() / "debian-build-std"
    key = sha256_json(inp.record)[:24]
    final = parent / key
    if sysroot_is_valid(final, inp.record):
        return final
    parent.mkdir(parents=True, exist_ok=True)
    with file_lock(parent / ".lock"):
        if sysroot_is_valid(final, inp.record):  # another process just built it
            return final
        # Everything half-done is garbage now: only lock holders build, and we hold the lock.
        for leftover in parent.iterdir():
            if leftover.name.startswith((".tmp-", ".trash-")):
                rmtree(leftover)
        if final.exists() or final.is_symlink():
            trash = pathlib.Path(tempfile.mkdtemp(prefix=".trash-", dir=parent))
            os.rename(final, trash / "old")
            rmtree(trash)
        publish(parent, final, f".tmp-{key}-", lambda tmp: build_sysroot(tmp, final, inp))
    return final
