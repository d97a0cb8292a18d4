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

import pathlib

from ...recipes.arch import ARCHES, DEFAULT_ARCH
from .common import DEBIAN_PACKAGES, Toolchain, ToolchainError
from .debian import debian_toolchain
from .rustup import rustup_toolchain

__all__ = ["DEBIAN_PACKAGES", "KNOWN_KINDS", "MUSL_TARGET", "Toolchain", "ToolchainError", "toolchain"]

KNOWN_KINDS: tuple[str, ...] = ("rustup", "debian-build-std")
MUSL_TARGET = "x86_64-unknown-linux-musl"


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
        return rustup_toolchain()
    if kind == "debian-build-std":
        return debian_toolchain(pathlib.Path(cache_dir), arch)
    raise ToolchainError(f"Unknown toolchain kind {kind!r}; the known kinds are: {', '.join(KNOWN_KINDS)}.")
