"""The Dockerfiles of a variant: the measured one and the complete one shown to readers.

:func:`dockerfile` is the only place a measured Dockerfile is written; :func:`full_dockerfile` adds a
build stage in front of the same runtime stage.
"""

from __future__ import annotations

import hashlib

from .arch import ARCHES, DEFAULT_ARCH
from .model import Variant


def dockerfile(variant: Variant) -> str:
    """The Dockerfile for ``variant``: built by the measurement and shown on the site, byte for byte.

    The base is an ``ARG`` whose default is the pull reference's tag (:func:`shown_ref`); the
    measurement always passes ``--build-arg BASE=<the base it pulled by digest or bootstrapped>``.
    """
    binary = variant.program.binary
    lines = [
        f"# {variant.program.id}, variant {variant.id}: {variant.target.libc}, "
        f"{variant.target.crt_linkage} C runtime, {variant.base.name} base",
        "# The binary is built beforehand, next to this Dockerfile, with:",
        f"#   {variant.build_command()}",
        f"#   cp target/{variant.target.triple}/release/{binary} .",
    ]
    if variant.arch != DEFAULT_ARCH:
        lines.append(f"# and the image with: {build_command(variant.arch)}")
    lines += base_args(variant) + runtime_stage(variant, f"{binary}")
    return "\n".join(lines) + "\n"


# The builder of full_dockerfile(): the official rust image, slim variant, of the rustup release the glibc
# rows were measured with (1.95.0, Debian 12 "bookworm"), by tag. The measuring machine reaches no
# registry, so no digest could be checked here, and a digest copied from elsewhere is not shown as if it
# had been. scripts/build_dockerfiles.py makes a local equivalent under this tag and builds the files.
BUILDER_IMAGE = "rust:1.95.0-slim-bookworm"
#: What the full Dockerfiles tell a reader about pinning, since they name tags.
PIN_NOTE = (
    "# The FROM lines name tags: pin each to the digest your registry serves for it (e.g. the digest",
    "# `docker buildx imagetools inspect <tag>` prints) as name:tag@sha256:<digest>.",
)
BUILD_STAGE = "build"
BUILD_DIR = "/src"
#: The user the full Dockerfiles run as: distroless' nonroot UID and GID, by number, since scratch has
#: no /etc/passwd to look a name up in (and Kubernetes' runAsNonRoot can only verify a numeric user).
RUN_AS = "65532:65532"
#: The dependency layer's stand-in for the program: enough for cargo to build every dependency.
PLACEHOLDER_MAIN = "fn main() {}"


def shown_ref(reference: str) -> str:
    """A pull reference as the Dockerfiles show it: by tag, without the recipes' digest."""
    return reference.split("@", 1)[0]


def base_args(variant: Variant) -> list[str]:
    return [] if variant.base.name == "scratch" else [f"ARG BASE={shown_ref(variant.base.pull)}"]


def runtime_stage(variant: Variant, source: str, *, user: str = "") -> list[str]:
    """The measured stage, from ``FROM`` on; ``source`` is what its one ``COPY`` copies, ``user`` (if
    any) the ``USER`` it runs as."""
    binary = variant.program.binary
    return [
        "FROM scratch" if variant.base.name == "scratch" else "FROM ${BASE}",
        f"COPY {source} /{binary}",
        *([f"USER {user}"] if user else []),
        f'ENTRYPOINT ["/{binary}"]',
    ]


def full_dockerfile(variant: Variant) -> str:
    """A complete two-stage Dockerfile for a reader's own crate: a build stage, then the measured stage.

    The build stage compiles the dependencies in a layer of their own (the manifests and a placeholder
    ``main.rs`` first), so that an edit to the sources rebuilds only the program: the recommendation of
    the build-caching page, measured there against the other ways. The last stage is
    :func:`dockerfile`'s, from the same recipe, with the three changes a shipped multi-stage file
    needs: its ``ARG BASE`` line stands before the first ``FROM`` (Docker reads a ``FROM``'s variables
    only there), its ``COPY`` takes the binary ``--from`` the build stage instead of the build context,
    and a ``USER`` line makes it run unprivileged. ``tests/recipes/test_dockerfile.py`` holds the two to
    exactly that.
    """
    binary = variant.program.binary
    triple = variant.target.triple
    build = variant.build_command()
    lines = [
        f"# {variant.program.id}, variant {variant.id}: {variant.target.libc}, "
        f"{variant.target.crt_linkage} C runtime, {variant.base.name} base",
        "# A complete Dockerfile: put it at the root of your crate (beside Cargo.toml and Cargo.lock),",
        f"# replace {binary} by your binary's name and run `{build_command(variant.arch)}`.",
        "# The runtime stage is the image measured by the cheatsheet; the page beside this file says",
        "# whether the whole file was also built and run as shown, and where.",
        *PIN_NOTE,
        *base_args(variant),
        "",
        "# Build stage: the official rust image (slim) of the release measured.",
    ]
    if variant.arch != DEFAULT_ARCH:
        lines += cross_build_stage(variant)
    else:
        lines.append(f"FROM {BUILDER_IMAGE} AS {BUILD_STAGE}")
    packages = variant.program.packages_for(variant.features)
    if packages:
        lines += [
            "# C headers and tools that the crates of this build need and the slim image lacks:",
            f"RUN apt-get update && apt-get install -y --no-install-recommends {' '.join(packages)} "
            "&& rm -rf /var/lib/apt/lists/*",
        ]
    if triple != "x86_64-unknown-linux-gnu" and variant.arch == DEFAULT_ARCH:
        lines += [
            f"# The image ships the standard library for x86_64-unknown-linux-gnu only; add {triple}'s:",
            f"RUN rustup target add {triple}",
        ]
    if variant.target.toolchain != "rustup":
        lines += [
            "# The binary measured here was built differently: by Debian's rustc-web with the standard",
            "# library rebuilt from source (-Zbuild-std), as the methodology page of the cheatsheet says.",
        ]
    lines += [
        f"WORKDIR {BUILD_DIR}",
        "# The dependencies first, in a layer of their own: an edit under src/ does not rebuild them.",
        "# (A crate with a lib.rs, a build.rs or workspace members needs a placeholder for each.)",
        "COPY Cargo.toml Cargo.lock ./",
        f"RUN mkdir src && echo '{PLACEHOLDER_MAIN}' > src/main.rs && {build} && rm -rf src",
        "# Then the program; touch makes cargo see main.rs as newer than the placeholder it built.",
        "COPY . .",
        f"RUN touch src/main.rs && {build}",
        "",
        "# Runtime stage: the stage measured here, run as an unprivileged user (numeric: scratch has no /etc/passwd).",
        *runtime_stage(variant, f"--from={BUILD_STAGE} {BUILD_DIR}/target/{triple}/release/{binary}", user=RUN_AS),
    ]
    return "\n".join(lines) + "\n"


def dockerfile_sha256(variant: Variant) -> str:
    """The sha256 of :func:`full_dockerfile`'s text: which file a verbatim build built."""
    return hashlib.sha256(full_dockerfile(variant).encode()).hexdigest()


def build_command(arch: str) -> str:
    """How a reader builds the image: plain ``docker build`` for x86-64, buildx for another platform."""
    return "docker build ." if arch == DEFAULT_ARCH else f"docker buildx build --platform linux/{arch} ."


def cross_build_stage(variant: Variant) -> list[str]:
    """The start of a build stage that cross-compiles for ``variant.arch`` on the builder's own
    platform (``docker buildx build --platform linux/<arch>``), instead of compiling under emulation."""
    arch, triple = variant.arch, variant.target.triple
    packages, prefix = " ".join(ARCHES[arch].cross_packages), ARCHES[arch].cross_prefix
    env = triple.upper().replace("-", "_")
    under = triple.replace("-", "_")
    return [
        "# It runs on the machine's own platform and cross-compiles; the runtime stage is for the target's.",
        f"FROM --platform=$BUILDPLATFORM {BUILDER_IMAGE} AS {BUILD_STAGE}",
        "ARG TARGETARCH",
        f'RUN test "$TARGETARCH" = {arch} || {{ echo "build with: {build_command(arch)}" >&2; exit 1; }}',
        f"# Debian's cross C compiler links the binary (and compiles any C code of -sys crates) for {arch}:",
        f"RUN apt-get update && apt-get install -y --no-install-recommends {packages} && rm -rf /var/lib/apt/lists/*",
        f"ENV CARGO_TARGET_{env}_LINKER={prefix}-gcc CC_{under}={prefix}-gcc AR_{under}={prefix}-ar",
        f"RUN rustup target add {triple}",
    ]
