"""The debian-build-std toolchain: Debian's rustc-web/cargo-web with std rebuilt from rust-web-src
(-Zbuild-std) in a private sysroot (:mod:`.sysroot`), for x86-64 and, with Debian's cross gcc, arm64."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import tempfile
import tomllib

from ...recipes.arch import ARCHES, DEFAULT_ARCH, Arch
from ...util import file_lock, sha256_file
from .common import (
    APT_HINT,
    DEBIAN_PACKAGES,
    Toolchain,
    ToolchainError,
    c_toolchain_identity,
    dpkg_versions,
    first_output_line,
    publish,
    rmtree,
    run,
    rustc_info,
    sha256_json,
    write_file,
)
from .sysroot import (
    DEBIAN_CARGO,
    DEBIAN_RUSTC,
    FORTIFY_SHIM_C,
    GCC_CRT_FILES,
    LAYOUT_VERSION,
    MUSL_FILES,
    SHIM_CFLAGS,
    SYSROOT_PLACEHOLDER,
    DebianInputs,
    ensure_sysroot,
)


def packages_for(spec: Arch) -> tuple[str, ...]:
    """The Debian packages building for ``spec`` needs on this machine."""
    return DEBIAN_PACKAGES + spec.cross_packages


def musl_target(spec: Arch) -> str:
    return f"{spec.rust}-unknown-linux-musl"


def gnu_target(spec: Arch) -> str:
    return f"{spec.rust}-unknown-linux-gnu"


def musl_lib_dir(spec: Arch, root: pathlib.Path) -> pathlib.Path:
    return root / "usr" / "lib" / f"{spec.rust}-linux-musl"


def libunwind_path(root: pathlib.Path) -> pathlib.Path:
    return root / "usr" / "lib" / "llvm-14" / "lib" / "libunwind.a"


def missing_debian(what: str, spec: Arch | None = None) -> ToolchainError:
    packages = packages_for(spec) if spec is not None else DEBIAN_PACKAGES
    versions = dpkg_versions(packages)
    missing = [p for p, v in (versions or {}).items() if v is None]
    which = f" (not installed: {', '.join(missing)})" if missing else ""
    arch = f" for {spec.docker}" if spec is not None and spec.docker != DEFAULT_ARCH else ""
    return ToolchainError(
        f"The debian-build-std toolchain{arch} needs {what}{which}; install the Debian packages with: "
        f"apt-get install {' '.join(packages)}"
    )


def fetched_packages(cache_dir: pathlib.Path, spec: Arch) -> pathlib.Path:
    """``spec.fetched_packages`` for ``spec.docker``, downloaded from this machine's apt sources and unpacked
    (``dpkg-deb -x``, nothing installed) into ``<cache_dir>/debian-packages/<arch>``, once; the
    directory is published by one rename after a marker naming every package version is written."""
    from ..bases.common import BaseUnavailable, download_packages  # noqa: PLC0415 -- only for other arches

    parent = cache_dir.resolve() / "debian-packages"
    final = parent / spec.docker
    marker = ".fetched.json"
    if (final / marker).is_file():
        return final
    parent.mkdir(parents=True, exist_ok=True)
    with file_lock(parent / ".lock"):
        if (final / marker).is_file():
            return final
        rmtree(final)

        def fill(tmp: pathlib.Path) -> None:
            with tempfile.TemporaryDirectory(prefix=".download-", dir=parent) as work:  # apt's state and the .debs
                try:
                    debs = download_packages(
                        "toolchain", list(spec.fetched_packages), spec.docker, pathlib.Path(work), lambda _m: None
                    )
                except BaseUnavailable as exc:
                    raise ToolchainError(
                        f"cannot fetch the {spec.docker} packages {', '.join(spec.fetched_packages)}: {exc}"
                    ) from None
                versions = {}
                for name, deb in sorted(debs.items()):
                    run(["dpkg-deb", "-x", str(deb), str(tmp)], f"unpacking {deb.name}", "check the package")
                    versions[name] = run(["dpkg-deb", "-f", str(deb), "Version"], "dpkg-deb -f", "check it").strip()
            write_file(tmp / marker, json.dumps({"arch": spec.docker, "packages": versions}, sort_keys=True) + "\n")

        publish(parent, final, f".tmp-{spec.docker}-", fill)
    return final


def debian_inputs(spec: Arch, cache_dir: pathlib.Path) -> DebianInputs:
    versions = dpkg_versions(packages_for(spec))
    if versions is not None and any(v is None for v in versions.values()):
        raise missing_debian("all of its Debian packages", spec)
    for path in (DEBIAN_RUSTC, DEBIAN_CARGO):
        if not os.access(path, os.X_OK):
            raise missing_debian(f"{path} (Debian rustc-web/cargo-web)")
    fix = f"reinstall the Debian packages with: {APT_HINT}"
    rustc_text, version, release, host = rustc_info(str(DEBIAN_RUSTC), fix)
    cargo_text = run([str(DEBIAN_CARGO), "-vV"], f"`{DEBIAN_CARGO} -vV`", fix)

    src_root = pathlib.Path(f"/usr/src/rustc-{release}")
    library = src_root / "library"
    if not (library / "Cargo.toml").is_file() or not (library / "Cargo.lock").is_file():
        raise ToolchainError(
            f"The std source for {DEBIAN_RUSTC} (release {release}) is missing at {library}: "
            f"install rust-web-src of the same version as rustc-web ({APT_HINT})."
        )
    host_rustlib = pathlib.Path("/usr/lib/rustlib") / host
    if not (host_rustlib / "lib").is_dir():
        raise missing_debian(f"Debian's host std in {host_rustlib}/lib")

    cc = shutil.which(spec.cc)
    ar = shutil.which(spec.ar)
    if cc is None or ar is None:
        raise missing_debian(f"a C compiler `{spec.cc}` and `{spec.ar}`", spec)

    # musl's and libunwind's files: this machine's own for its architecture, else fetched packages'
    root = fetched_packages(cache_dir, spec) if spec.fetched_packages else pathlib.Path("/")
    copies: dict[str, pathlib.Path] = {}
    for name in MUSL_FILES:
        copies[name] = musl_lib_dir(spec, root) / name
    crtbegin = pathlib.Path(first_output_line([cc, "-print-file-name=crtbeginS.o"]))
    if not crtbegin.is_absolute():
        raise missing_debian("gcc's crtbegin/crtend objects", spec)
    for name in GCC_CRT_FILES:
        copies[name] = crtbegin.parent / name
    copies["libunwind.a"] = libunwind_path(root)
    for path in copies.values():
        if not path.is_file():
            raise missing_debian(f"{path}", spec)

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
        "layout": LAYOUT_VERSION,
        "rustc": rustc_text,
        "cargo": cargo_text,
        "rustc_path": str(DEBIAN_RUSTC),
        "src_root": str(src_root),
        "std_manifest_sha256": sha256_file(library / "Cargo.toml"),
        "std_lock_sha256": sha256_file(library / "Cargo.lock"),
        "std_patches": patches,
        "host_rustlib": str(host_rustlib),
        # (a fetched file by its path in the package, so the record does not depend on cache_dir)
        "files": {name: [package_path(path, root), sha256_file(path)] for name, path in sorted(copies.items())},
        "shim": [FORTIFY_SHIM_C, list(SHIM_CFLAGS)],
        "c_toolchain": c_toolchain_identity(cc),
        "ar": [os.path.realpath(ar), first_output_line([ar, "--version"])],
        "packages": versions,
    }
    if spec.docker != DEFAULT_ARCH:  # (absent for the default: its sysroot and rows keep their keys)
        record["arch"] = spec.docker
        record["fetched"] = json.loads((root / ".fetched.json").read_text())
    record = json.loads(json.dumps(record))  # as it reads back from the marker (tuples -> lists)
    return DebianInputs(
        rustc=str(DEBIAN_RUSTC),
        cargo=str(DEBIAN_CARGO),
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


def package_path(path: pathlib.Path, root: pathlib.Path) -> str:
    return "/" + str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def debian_toolchain(cache_dir: pathlib.Path, arch: str = DEFAULT_ARCH) -> Toolchain:
    spec = ARCHES[arch]
    inp = debian_inputs(spec, cache_dir)
    sysroot = ensure_sysroot(cache_dir, inp)
    env = {
        "RUSTC": str(sysroot / "bin" / "rustc"),
        "RUSTC_BOOTSTRAP": "1",
        f"CARGO_TARGET_{musl_target(spec).upper().replace('-', '_')}_LINKER": inp.cc,
    }
    if arch != DEFAULT_ARCH:  # a cross build: link and compile C (ring, aws-lc) with the cross compiler
        for triple in (gnu_target(spec), musl_target(spec)):
            env[f"CARGO_TARGET_{triple.upper().replace('-', '_')}_LINKER"] = inp.cc
            env[f"CC_{triple.replace('-', '_')}"] = inp.cc
            env[f"AR_{triple.replace('-', '_')}"] = inp.ar
    rustflags = (f"--remap-path-prefix={sysroot}/lib/rustlib/src/rust={inp.src_root}",)
    cargo_args = ("-Zbuild-std=std,panic_abort",)

    def portable(s: str) -> str:  # outputs do not depend on where cache_dir is
        return s.replace(str(sysroot), SYSROOT_PLACEHOLDER)

    fingerprint = sha256_json(
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
