"""Rust toolchains used to build the measured binaries.

Two kinds exist:

``"rustup"``
    The host's rustup *stable* toolchain with its prebuilt std (only
    ``x86_64-unknown-linux-gnu`` is installed here; ``rustup target add`` needs a download
    server).  Real binaries are resolved with ``rustup which --toolchain stable``, so a
    ``rust-toolchain.toml`` in a crate cannot switch the compiler behind our back.

``"debian-build-std"``
    Debian's ``rustc-web``/``cargo-web`` (``/usr/bin/rustc``, ``/usr/bin/cargo``) with std
    rebuilt from ``rust-web-src`` by ``-Zbuild-std`` for ``x86_64-unknown-linux-musl``: no
    prebuilt musl std can be installed offline.  The binaries are fully static (static-pie),
    for ``panic=unwind`` and ``panic=abort`` alike, and run in an empty (``FROM scratch``)
    image.

How the ``debian-build-std`` toolchain works
--------------------------------------------
:func:`toolchain` builds, once, a small *private sysroot* under
``<cache_dir>/debian-build-std/<key>/`` (``key`` = hash of every input, so new package versions
give a new directory):

* ``bin/rustc`` -- a two-line wrapper ``exec /usr/bin/rustc --sysroot <this dir> "$@"``,
  exported as ``RUSTC``.  Cargo finds std's source for ``-Zbuild-std`` through the *host*
  compiler's sysroot (``rustc --print sysroot``), so the sysroot has to be given to every rustc
  call, not only through RUSTFLAGS (which, with ``--target``, never reach build scripts).
* ``lib/rustlib/x86_64-unknown-linux-gnu`` -- a link to Debian's host std (build scripts and
  proc-macros are still built for the host with it).
* ``lib/rustlib/x86_64-unknown-linux-musl/lib/self-contained/`` -- what rustc's musl target
  links when it links "self-contained": musl's ``crt1.o Scrt1.o rcrt1.o crti.o crtn.o libc.a``
  (Debian ``musl-dev``), gcc's ``crtbegin*.o``/``crtend*.o`` (found with
  ``cc -print-file-name``) and LLVM's ``libunwind.a`` (``libunwind-14-dev``).  gcc's
  ``libgcc_eh.a`` cannot be used: it needs glibc's ``_dl_find_object``.  Debian builds that
  libunwind with ``_FORTIFY_SOURCE``, so it calls glibc's ``__fprintf_chk``, which musl lacks;
  a tiny shim object defining it with ``vfprintf`` is added *to the copied ``libunwind.a``*,
  so the linker pulls it exactly when needed and no extra link argument is required.
  ``rcrt1.o`` is needed too: the default musl executable is static-pie.  ``musl-gcc`` is not
  used (it adds a dynamic loader path, and the result fails in an empty image).
* ``lib/rustlib/src/rust/library/`` -- Debian's std source, as links into
  ``/usr/src/rustc-<release>/library``, except ``Cargo.toml`` and ``Cargo.lock``: the manifest
  gets ``[patch.crates-io]`` entries pointing std's dependencies at Debian's vendored copies in
  ``library/vendor`` and the lock file records them as such.  **So building std needs no
  network at all** (checked with ``unshare -n``), while the crate being built still resolves its
  own dependencies from the crates registry as usual: nothing global such as ``source.crates-io
  .replace-with`` is set.  Only the std workspace's resolve is redirected.

The sysroot is built in a temporary sibling directory, then published with one atomic
``rename``; a completion marker holding the inputs and the sha256 of every file is written last.
A directory without a valid marker, or whose files do not match the marker (an interrupted or
tampered build), is deleted and rebuilt, never trusted.  Builders serialise on a ``flock``.

The caller's command looks like::

    RUSTFLAGS="<tc.rustflags> <recipe flags>" <tc.env> \\
    <tc.cargo> build --release --locked --target x86_64-unknown-linux-musl --target-dir X \\
        <tc.cargo_args>

``--target`` is required with ``-Zbuild-std`` (without it the host build scripts are built
against the rebuilt std and fail), and ``panic_abort`` must be in the ``-Zbuild-std`` list or
``-Cpanic=abort`` fails with "can't find crate for `panic_abort`"; ``cargo_args`` is therefore
``-Zbuild-std=std,panic_abort``, which serves both panic strategies.  ``rustflags`` holds one
``--remap-path-prefix`` that rewrites the private sysroot's source path to
``/usr/src/rustc-<release>``, so the panic locations embedded in a binary (and so its size) do
not depend on where ``cache_dir`` is: binaries built with two different cache dirs are
bit-identical, and ``fingerprint`` leaves the cache path out.  That flag contains the cache path,
so a ``cache_dir`` with whitespace needs ``CARGO_ENCODED_RUSTFLAGS`` instead of ``RUSTFLAGS``.
``Toolchain.rustc`` is the real compiler (``/usr/bin/rustc``); cargo must use the wrapper in
``env["RUSTC"]``.  Rebuilding std costs ~35 s per profile/RUSTFLAGS combination on 2 cores;
cargo caches it in the target dir.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import re
import shlex
import shutil
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field

from .recipes import DEFAULT_ARCH, RUST_ARCH
from .util import CommandError, file_lock, fsync_dir, run_command, sha256_file

__all__ = ["DEBIAN_PACKAGES", "KNOWN_KINDS", "MUSL_TARGET", "Toolchain", "ToolchainError", "toolchain"]

KNOWN_KINDS: tuple[str, ...] = ("rustup", "debian-build-std")
MUSL_TARGET = "x86_64-unknown-linux-musl"

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

# Bump when the sysroot recipe in this file changes: it is part of the cache key.
_LAYOUT_VERSION = 1

_DEBIAN_RUSTC = pathlib.Path("/usr/bin/rustc")
_DEBIAN_CARGO = pathlib.Path("/usr/bin/cargo")
_MUSL_FILES = ("crt1.o", "Scrt1.o", "rcrt1.o", "crti.o", "crtn.o", "libc.a")
_GCC_CRT_FILES = ("crtbegin.o", "crtbeginS.o", "crtbeginT.o", "crtend.o", "crtendS.o")
_MARKER = ".sysroot-complete.json"
_SYSROOT_PLACEHOLDER = "<sysroot>"

#: What building for arm64 adds: the cross C compiler (linker driver, crt objects, glibc for aarch64).
#: musl's and LLVM libunwind's aarch64 files come from arm64 packages fetched into the cache.
ARM64_PACKAGES: tuple[str, ...] = ("gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross")
ARM64_FETCHED: tuple[str, ...] = ("musl-dev", "libunwind-14-dev")

_APT_HINT = "apt-get install " + " ".join(DEBIAN_PACKAGES)


@dataclass(frozen=True)
class _Arch:
    """Where the pieces of one architecture's musl sysroot and its C toolchain come from."""

    arch: str  # Docker's name
    cc: str  # the C compiler and linker driver for this architecture
    ar: str
    packages: tuple[str, ...]  # Debian packages installed on the machine
    fetched: tuple[str, ...]  # Debian packages of this architecture unpacked into the cache ("" if none)

    @property
    def rust(self) -> str:
        """A triple's first component for this architecture."""
        return RUST_ARCH[self.arch]

    @property
    def musl_target(self) -> str:
        return f"{self.rust}-unknown-linux-musl"

    @property
    def gnu_target(self) -> str:
        return f"{self.rust}-unknown-linux-gnu"

    def musl_lib_dir(self, root: pathlib.Path) -> pathlib.Path:
        return root / "usr" / "lib" / f"{self.rust}-linux-musl"

    def libunwind(self, root: pathlib.Path) -> pathlib.Path:
        return root / "usr" / "lib" / "llvm-14" / "lib" / "libunwind.a"


ARCHES = {
    "amd64": _Arch("amd64", "cc", "ar", DEBIAN_PACKAGES, ()),
    "arm64": _Arch(
        "arm64",
        "aarch64-linux-gnu-gcc",
        "aarch64-linux-gnu-ar",
        DEBIAN_PACKAGES + ARM64_PACKAGES,
        ARM64_FETCHED,
    ),
}

_FORTIFY_SHIM_C = """\
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
_SHIM_CFLAGS = ("-std=c11", "-O2", "-fPIC", "-ffreestanding", "-fno-stack-protector")


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


# --------------------------------------------------------------------------- helpers


def _run(argv: list[str], what: str, fix: str, cwd: str | None = None) -> str:
    try:
        return run_command(argv, what=what, cwd=cwd, timeout=600).stdout
    except CommandError as exc:
        raise ToolchainError(f"{exc}; {fix}.") from exc


def _rustc_info(rustc: str, fix: str) -> tuple[str, str, str, str]:
    """(full `rustc -vV` text, first line, release, host triple)."""
    text = _run([rustc, "-vV"], f"`{rustc} -vV`", fix)
    lines = text.strip().splitlines()
    fields = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    if not lines or "release" not in fields or "host" not in fields:
        raise ToolchainError(f"`{rustc} -vV` printed no release/host line; {fix}.")
    return text, lines[0], fields["release"], fields["host"]


def _sha256_json(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _dpkg_versions(packages: tuple[str, ...] | list[str]) -> dict[str, str | None] | None:
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


def _first_output_line(argv: list[str]) -> str:
    """The first line a command prints (its version, a path), or "unavailable"."""
    try:
        proc = run_command(argv, check=False, timeout=60)
    except CommandError:
        return "unavailable"
    out = (proc.stdout or proc.stderr).strip().splitlines()
    return out[0] if out else "unavailable"


def _c_toolchain_identity(cc: str) -> dict[str, str]:
    """What of the C toolchain (the linker driver) can change the linked output."""
    ld = _first_output_line([cc, "-print-prog-name=ld"])
    return {
        "cc_path": os.path.realpath(cc),
        "cc_version": _first_output_line([cc, "--version"]),
        "ld_version": _first_output_line([ld, "--version"]),
    }


def _write_file(path: pathlib.Path, data: str | bytes, mode: int = 0o644) -> None:
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, mode)


def _rmtree(path: pathlib.Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# --------------------------------------------------------------------------- rustup


def _rustup_toolchain() -> Toolchain:
    fix = "install rustup and run `rustup toolchain install stable`"
    rustup = shutil.which("rustup")
    if rustup is None:
        candidate = pathlib.Path.home() / ".cargo" / "bin" / "rustup"
        if candidate.is_file():
            rustup = str(candidate)
    if rustup is None:
        raise ToolchainError(f"rustup was not found on PATH or in ~/.cargo/bin; {fix}.")
    rustc = _run([rustup, "which", "--toolchain", "stable", "rustc"], "`rustup which rustc`", fix, cwd="/").strip()
    cargo = _run([rustup, "which", "--toolchain", "stable", "cargo"], "`rustup which cargo`", fix, cwd="/").strip()
    rustc, cargo = os.path.realpath(rustc), os.path.realpath(cargo)
    text, version, release, _host = _rustc_info(rustc, fix)
    cargo_version = _run([cargo, "-vV"], f"`{cargo} -vV`", fix)
    cc = shutil.which("cc") or "cc"
    env = {"RUSTC": rustc, "RUSTUP_TOOLCHAIN": "stable"}
    rustflags: tuple[str, ...] = ()
    cargo_args: tuple[str, ...] = ()
    fingerprint = _sha256_json(
        {
            "kind": "rustup",
            "rustc": text,
            "cargo": cargo_version,
            "c_toolchain": _c_toolchain_identity(cc),
            # glibc's and gcc's start files and static libraries end up in gnu binaries.
            "packages": _dpkg_versions(["libc6-dev", "libgcc-12-dev", "binutils"]),
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


# --------------------------------------------------------------------------- debian-build-std


def _missing_debian(what: str, spec: _Arch | None = None) -> ToolchainError:
    packages = spec.packages if spec is not None else DEBIAN_PACKAGES
    versions = _dpkg_versions(packages)
    missing = [p for p, v in (versions or {}).items() if v is None]
    which = f" (not installed: {', '.join(missing)})" if missing else ""
    arch = f" for {spec.arch}" if spec is not None and spec.arch != DEFAULT_ARCH else ""
    return ToolchainError(
        f"The debian-build-std toolchain{arch} needs {what}{which}; install the Debian packages with: "
        f"apt-get install {' '.join(packages)}"
    )


def _publish(parent: pathlib.Path, final: pathlib.Path, prefix: str, fill: Callable[[pathlib.Path], None]) -> None:
    """Fill a fresh temporary directory beside ``final`` and publish it as ``final`` with one rename;
    whatever fails or is interrupted leaves no half-made directory behind."""
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        os.chmod(tmp, 0o755)
        fill(tmp)
        os.rename(tmp, final)
        fsync_dir(parent)
    except BaseException:
        _rmtree(tmp)
        raise


def _fetched_packages(cache_dir: pathlib.Path, spec: _Arch) -> pathlib.Path:
    """``spec.fetched`` for ``spec.arch``, downloaded from this machine's apt sources and unpacked
    (``dpkg-deb -x``, nothing installed) into ``<cache_dir>/debian-packages/<arch>``, once; the
    directory is published by one rename after a marker naming every package version is written."""
    from .bases.common import BaseUnavailable, download_packages  # noqa: PLC0415 -- only for other arches

    parent = cache_dir.resolve() / "debian-packages"
    final = parent / spec.arch
    marker = ".fetched.json"
    if (final / marker).is_file():
        return final
    parent.mkdir(parents=True, exist_ok=True)
    with file_lock(parent / ".lock"):
        if (final / marker).is_file():
            return final
        _rmtree(final)

        def fill(tmp: pathlib.Path) -> None:
            with tempfile.TemporaryDirectory(prefix=".download-", dir=parent) as work:  # apt's state and the .debs
                try:
                    debs = download_packages(
                        "toolchain", list(spec.fetched), spec.arch, pathlib.Path(work), lambda _m: None
                    )
                except BaseUnavailable as exc:
                    raise ToolchainError(
                        f"cannot fetch the {spec.arch} packages {', '.join(spec.fetched)}: {exc}"
                    ) from None
                versions = {}
                for name, deb in sorted(debs.items()):
                    _run(["dpkg-deb", "-x", str(deb), str(tmp)], f"unpacking {deb.name}", "check the package")
                    versions[name] = _run(["dpkg-deb", "-f", str(deb), "Version"], "dpkg-deb -f", "check it").strip()
            _write_file(tmp / marker, json.dumps({"arch": spec.arch, "packages": versions}, sort_keys=True) + "\n")

        _publish(parent, final, f".tmp-{spec.arch}-", fill)
    return final


@dataclass(frozen=True)
class _DebianInputs:
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
    spec: _Arch
    copies: dict[str, pathlib.Path]  # file name in self-contained/ -> source file
    patches: tuple[tuple[str, str, str], ...]  # (name, version, vendor dir) of std's vendored deps
    record: dict  # everything above that changes outputs, JSON-able; hashed into the key


def _debian_inputs(spec: _Arch, cache_dir: pathlib.Path) -> _DebianInputs:
    versions = _dpkg_versions(spec.packages)
    if versions is not None and any(v is None for v in versions.values()):
        raise _missing_debian("all of its Debian packages", spec)
    for path in (_DEBIAN_RUSTC, _DEBIAN_CARGO):
        if not os.access(path, os.X_OK):
            raise _missing_debian(f"{path} (Debian rustc-web/cargo-web)")
    fix = f"reinstall the Debian packages with: {_APT_HINT}"
    rustc_text, version, release, host = _rustc_info(str(_DEBIAN_RUSTC), fix)
    cargo_text = _run([str(_DEBIAN_CARGO), "-vV"], f"`{_DEBIAN_CARGO} -vV`", fix)

    src_root = pathlib.Path(f"/usr/src/rustc-{release}")
    library = src_root / "library"
    if not (library / "Cargo.toml").is_file() or not (library / "Cargo.lock").is_file():
        raise ToolchainError(
            f"The std source for {_DEBIAN_RUSTC} (release {release}) is missing at {library}: "
            f"install rust-web-src of the same version as rustc-web ({_APT_HINT})."
        )
    host_rustlib = pathlib.Path("/usr/lib/rustlib") / host
    if not (host_rustlib / "lib").is_dir():
        raise _missing_debian(f"Debian's host std in {host_rustlib}/lib")

    cc = shutil.which(spec.cc)
    ar = shutil.which(spec.ar)
    if cc is None or ar is None:
        raise _missing_debian(f"a C compiler `{spec.cc}` and `{spec.ar}`", spec)

    # musl's and libunwind's files: this machine's own for its architecture, else fetched packages'
    root = _fetched_packages(cache_dir, spec) if spec.fetched else pathlib.Path("/")
    copies: dict[str, pathlib.Path] = {}
    for name in _MUSL_FILES:
        copies[name] = spec.musl_lib_dir(root) / name
    crtbegin = pathlib.Path(_first_output_line([cc, "-print-file-name=crtbeginS.o"]))
    if not crtbegin.is_absolute():
        raise _missing_debian("gcc's crtbegin/crtend objects", spec)
    for name in _GCC_CRT_FILES:
        copies[name] = crtbegin.parent / name
    copies["libunwind.a"] = spec.libunwind(root)
    for path in copies.values():
        if not path.is_file():
            raise _missing_debian(f"{path}", spec)

    # std's vendored dependencies that Debian's std lock file takes from the crates registry.
    lock = tomllib.loads((library / "Cargo.lock").read_text())
    locked = {
        (p["name"], p["version"]) for p in lock.get("package", []) if str(p.get("source", "")).startswith("registry+")
    }
    patches = []
    vendor = library / "vendor"
    if vendor.is_dir():
        for d in sorted(vendor.iterdir()):
            manifest = d / "Cargo.toml"
            if not manifest.is_file():
                continue
            pkg = tomllib.loads(manifest.read_text()).get("package", {})
            key = (pkg.get("name"), pkg.get("version"))
            if key in locked:
                patches.append((key[0], key[1], str(d)))

    record = {
        "layout": _LAYOUT_VERSION,
        "rustc": rustc_text,
        "cargo": cargo_text,
        "rustc_path": str(_DEBIAN_RUSTC),
        "src_root": str(src_root),
        "std_manifest_sha256": sha256_file(library / "Cargo.toml"),
        "std_lock_sha256": sha256_file(library / "Cargo.lock"),
        "std_patches": patches,
        "host_rustlib": str(host_rustlib),
        # (a fetched file by its path in the package, so the record does not depend on cache_dir)
        "files": {name: [_package_path(path, root), sha256_file(path)] for name, path in sorted(copies.items())},
        "shim": [_FORTIFY_SHIM_C, list(_SHIM_CFLAGS)],
        "c_toolchain": _c_toolchain_identity(cc),
        "ar": [os.path.realpath(ar), _first_output_line([ar, "--version"])],
        "packages": versions,
    }
    if spec.arch != DEFAULT_ARCH:  # (absent for the default: its sysroot and rows keep their keys)
        record["arch"] = spec.arch
        record["fetched"] = json.loads((root / ".fetched.json").read_text())
    record = json.loads(json.dumps(record))  # as it reads back from the marker (tuples -> lists)
    return _DebianInputs(
        rustc=str(_DEBIAN_RUSTC),
        cargo=str(_DEBIAN_CARGO),
        rustc_text=rustc_text,
        version=version,
        release=release,
        host=host,
        src_root=src_root,
        host_rustlib=host_rustlib,
        cc=cc,
        ar=ar,
        spec=spec,
        copies=copies,
        patches=tuple(patches),
        record=record,
    )


def _package_path(path: pathlib.Path, root: pathlib.Path) -> str:
    return "/" + str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _patched_std_manifest(original: str, patches: tuple[tuple[str, str, str], ...]) -> str:
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


def _patched_std_lock(original: str, patches: tuple[tuple[str, str, str], ...]) -> str:
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


def _walk_outputs(root: pathlib.Path) -> dict[str, str]:
    """Relative path -> "file:<sha256>" / "link:<target>" for everything in the sysroot."""
    outputs: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames + [d for d in dirnames if pathlib.Path(dirpath, d).is_symlink()]:
            path = pathlib.Path(dirpath, name)
            rel = str(path.relative_to(root))
            if rel == _MARKER:
                continue
            if path.is_symlink():
                outputs[rel] = "link:" + str(path.readlink())
            else:
                outputs[rel] = "file:" + sha256_file(path)
    return outputs


def _sysroot_is_valid(sysroot: pathlib.Path, record: dict) -> bool:
    try:
        marker = json.loads((sysroot / _MARKER).read_text())
    except (OSError, ValueError):
        return False
    if not isinstance(marker, dict) or marker.get("inputs") != record:
        return False
    try:
        return marker.get("outputs") == _walk_outputs(sysroot)
    except OSError:
        return False


def _build_sysroot(tmp: pathlib.Path, final: pathlib.Path, inp: _DebianInputs) -> None:
    """Fill `tmp` with the sysroot that will live at `final` (paths inside refer to `final`)."""
    rustlib = tmp / "lib" / "rustlib"
    self_contained = rustlib / inp.spec.musl_target / "lib" / "self-contained"
    library = rustlib / "src" / "rust" / "library"
    build = tmp / "build"
    for d in (self_contained, library, build, tmp / "bin"):
        d.mkdir(parents=True)

    (rustlib / inp.host).symlink_to(inp.host_rustlib)

    for name, src in inp.copies.items():
        _write_file(self_contained / name, src.read_bytes())

    shim_c = build / "fortify_shim.c"
    shim_o = build / "fortify_shim.o"
    _write_file(shim_c, _FORTIFY_SHIM_C)
    fix = f"check that the Debian packages work ({_APT_HINT})"
    _run([inp.cc, *_SHIM_CFLAGS, "-c", str(shim_c), "-o", str(shim_o)], "compiling the __fprintf_chk shim", fix)
    _run([inp.ar, "rsD", str(self_contained / "libunwind.a"), str(shim_o)], "adding the shim to libunwind.a", fix)

    src_library = inp.src_root / "library"
    for entry in sorted(src_library.iterdir()):
        if entry.name not in ("Cargo.toml", "Cargo.lock"):
            (library / entry.name).symlink_to(entry)
    _write_file(
        library / "Cargo.toml",
        _patched_std_manifest((src_library / "Cargo.toml").read_text(), inp.patches),
    )
    _write_file(
        library / "Cargo.lock",
        _patched_std_lock((src_library / "Cargo.lock").read_text(), inp.patches),
    )

    _write_file(
        tmp / "bin" / "rustc",
        "#!/bin/sh\n"
        "# Generated by cheatsheet.toolchain: Debian rustc-web with a private musl sysroot.\n"
        f'exec {shlex.quote(inp.rustc)} --sysroot {shlex.quote(str(final))} "$@"\n',
        mode=0o755,
    )

    marker = {"inputs": inp.record, "outputs": _walk_outputs(tmp)}
    _write_file(tmp / _MARKER, json.dumps(marker, indent=1, sort_keys=True) + "\n")
    for dirpath, _dirnames, _filenames in os.walk(tmp):
        fsync_dir(pathlib.Path(dirpath))


def _ensure_sysroot(cache_dir: pathlib.Path, inp: _DebianInputs) -> pathlib.Path:
    parent = cache_dir.resolve() / "debian-build-std"
    key = _sha256_json(inp.record)[:24]
    final = parent / key
    if _sysroot_is_valid(final, inp.record):
        return final
    parent.mkdir(parents=True, exist_ok=True)
    with file_lock(parent / ".lock"):
        if _sysroot_is_valid(final, inp.record):  # another process just built it
            return final
        # Everything half-done is garbage now: only lock holders build, and we hold the lock.
        for leftover in parent.iterdir():
            if leftover.name.startswith((".tmp-", ".trash-")):
                _rmtree(leftover)
        if final.exists() or final.is_symlink():
            trash = pathlib.Path(tempfile.mkdtemp(prefix=".trash-", dir=parent))
            os.rename(final, trash / "old")
            _rmtree(trash)
        _publish(parent, final, f".tmp-{key}-", lambda tmp: _build_sysroot(tmp, final, inp))
    return final


def _debian_toolchain(cache_dir: pathlib.Path, arch: str = DEFAULT_ARCH) -> Toolchain:
    spec = ARCHES[arch]
    inp = _debian_inputs(spec, cache_dir)
    sysroot = _ensure_sysroot(cache_dir, inp)
    env = {
        "RUSTC": str(sysroot / "bin" / "rustc"),
        "RUSTC_BOOTSTRAP": "1",
        f"CARGO_TARGET_{spec.musl_target.upper().replace('-', '_')}_LINKER": inp.cc,
    }
    if arch != DEFAULT_ARCH:  # a cross build: link and compile C (ring, aws-lc) with the cross compiler
        for triple in (spec.gnu_target, spec.musl_target):
            env[f"CARGO_TARGET_{triple.upper().replace('-', '_')}_LINKER"] = inp.cc
            env[f"CC_{triple.replace('-', '_')}"] = inp.cc
            env[f"AR_{triple.replace('-', '_')}"] = inp.ar
    rustflags = (f"--remap-path-prefix={sysroot}/lib/rustlib/src/rust={inp.src_root}",)
    cargo_args = ("-Zbuild-std=std,panic_abort",)

    def portable(s: str) -> str:  # outputs do not depend on where cache_dir is
        return s.replace(str(sysroot), _SYSROOT_PLACEHOLDER)

    fingerprint = _sha256_json(
        {
            "kind": "debian-build-std",
            "inputs": inp.record,
            "env": {k: portable(v) for k, v in env.items()},
            "rustflags": [portable(f) for f in rustflags],
            "cargo_args": cargo_args,
        }
    )
    return Toolchain(
        id="debian-build-std",
        description=(
            "Debian rustc-web, std rebuilt from rust-web-src with -Zbuild-std "
            "(no prebuilt musl std is installable offline)"
        ),
        rustc=inp.rustc,
        cargo=inp.cargo,
        release=inp.release,
        version=inp.version,
        env=env,
        rustflags=rustflags,
        cargo_args=cargo_args,
        fingerprint=fingerprint,
        arch=arch,
    )


# --------------------------------------------------------------------------- public entry point


def toolchain(kind: str, cache_dir: pathlib.Path, arch: str = DEFAULT_ARCH) -> Toolchain:
    """Return the toolchain `kind` ("rustup" or "debian-build-std") building for `arch`.

    For "debian-build-std" this builds (once, cached under `cache_dir`) the private musl
    sysroot described in the module docstring; a cached call takes well under a second. For arm64
    only "debian-build-std" exists: rustup here has std for x86-64 alone.
    """
    if arch not in ARCHES:
        raise ToolchainError(f"No toolchain builds for {arch!r}; the known architectures are: {', '.join(ARCHES)}.")
    if kind == "rustup":
        if arch != DEFAULT_ARCH:
            raise ToolchainError(
                f"rustup has no {arch} standard library here (rustup target add needs a download server); "
                "build it with the debian-build-std toolchain."
            )
        return _rustup_toolchain()
    if kind == "debian-build-std":
        return _debian_toolchain(pathlib.Path(cache_dir), arch)
    raise ToolchainError(f"Unknown toolchain kind {kind!r}; the known kinds are: {', '.join(KNOWN_KINDS)}.")
