"""The Dockerfiles of the build-caching comparison: one program built four common ways, each file a
reader could copy. All four end in the same runtime stage as :func:`~.dockerfile.full_dockerfile` and
build the same binary with the same command; they differ only in how the build stage lets Docker (or
BuildKit) keep compiled dependencies between builds.

- ``naive``: ``COPY . .`` then ``cargo build``: any change to the build context rebuilds every crate.
- ``skeleton``: the manifests and a placeholder ``main.rs`` first, dependencies built in their own
  layer: the full Dockerfiles of the site (:func:`~.dockerfile.full_dockerfile`), byte for byte.
- ``cargo-chef``: cargo-chef, installed from crates.io in the builder, computes the skeleton
  (``prepare``) and builds the dependencies from it (``cook``).
- ``cache-mounts``: BuildKit's ``RUN --mount=type=cache`` keeps the registry and ``target/`` between
  builds. The classic builder cannot run it; the measurement runs the same mechanism with named volumes
  (:mod:`cheatsheet.measure.caching`) and says so.
"""

from __future__ import annotations

import shlex

from .dockerfile import BUILD_DIR, BUILD_STAGE, BUILDER_IMAGE, PIN_NOTE, RUN_AS, full_dockerfile, runtime_stage
from .model import Variant

#: The methods, in the order the page shows them: (id, title, needs BuildKit).
METHODS: tuple[tuple[str, str, bool], ...] = (
    ("naive", "COPY . . then cargo build", False),
    ("skeleton", "Dependency layer (manifests + placeholder main.rs)", False),
    ("cargo-chef", "cargo-chef prepare / cook", False),
    ("cache-mounts", "BuildKit cache mounts (registry and target/)", True),
)
METHOD_IDS = tuple(m for m, _, _ in METHODS)
METHOD_TITLES = {m: title for m, title, _ in METHODS}
#: The methods as a chart labels them.
METHOD_SHORT = {
    "naive": "Naive",
    "skeleton": "Dependency layer",
    "cargo-chef": "cargo-chef",
    "cache-mounts": "Cache mounts",
}
#: The variant the comparison builds (scripts/compare_caching.py's default): a real dependency tree.
COMPARED = ("webserver", "scratch-glibc-rustls-ring")
#: The cargo-chef release the comparison installs (``cargo install --locked``).
CARGO_CHEF_VERSION = "0.1.77"
CARGO_HOME = "/usr/local/cargo"


def _header(variant: Variant, method: str) -> list[str]:
    return [
        f"# {variant.program.id} ({variant.id}), dependencies cached by: {METHOD_TITLES[method]}",
        "# Put it at the root of your crate (beside Cargo.toml and Cargo.lock) and run `docker build .`.",
        *PIN_NOTE,
    ]


def _runtime(variant: Variant, source: str) -> list[str]:
    return [
        "",
        "# Runtime stage: the measured image, run as an unprivileged user.",
        *runtime_stage(variant, source, user=RUN_AS),
    ]


def profile_env(variant: Variant) -> str:
    """The variant's release-profile settings as cargo's environment variables (``ENV`` arguments)."""

    def shown(value: object) -> str:
        return shlex.quote(str(value).lower() if isinstance(value, bool) else str(value))

    return " ".join(
        f"CARGO_PROFILE_RELEASE_{key.upper().replace('-', '_')}={shown(value)}"
        for key, value in variant.profile.settings
    )


def plain_build(variant: Variant, subcommand: tuple[str, ...] = ("build",)) -> str:
    """The variant's build command with its profile left to the environment (:func:`profile_env`)."""
    env = f"RUSTFLAGS={shlex.quote(' '.join(variant.all_rustflags))} " if variant.all_rustflags else ""
    args = [*subcommand, "--release", "--locked", "--target", variant.target.triple]
    if variant.features:
        args += ["--features", ",".join(variant.features)]
    return env + shlex.join(("cargo", *args))


def caching_dockerfile(variant: Variant, method: str) -> str:
    """The Dockerfile of ``method`` for ``variant`` (a rustup glibc target: what the builder image has)."""
    if variant.target.toolchain != "rustup" or variant.arch != "amd64":
        raise ValueError(f"{variant.program.id}/{variant.id}: the comparison builds x86-64 glibc targets only")
    if method not in METHOD_TITLES:
        raise ValueError(f"unknown caching method {method!r}; known: {', '.join(METHOD_IDS)}")
    if method == "skeleton":
        return full_dockerfile(variant)
    binary, triple = variant.program.binary, variant.target.triple
    out = f"{BUILD_DIR}/target/{triple}/release/{binary}"
    lines = _header(variant, method)
    if method == "naive":
        lines += [
            "",
            f"FROM {BUILDER_IMAGE} AS {BUILD_STAGE}",
            f"WORKDIR {BUILD_DIR}",
            "COPY . .",
            f"RUN {variant.build_command()}",
            *_runtime(variant, f"--from={BUILD_STAGE} {out}"),
        ]
    elif method == "cargo-chef":
        lines += [
            "",
            f"FROM {BUILDER_IMAGE} AS chef",
            f"RUN cargo install cargo-chef --locked --version {CARGO_CHEF_VERSION}",
            f"WORKDIR {BUILD_DIR}",
            "# cook and build must use the same profile: set it once, for both",
            f"ENV {profile_env(variant)}",
            "",
            "FROM chef AS planner",
            "COPY . .",
            "RUN cargo chef prepare --recipe-path recipe.json",
            "",
            f"FROM chef AS {BUILD_STAGE}",
            f"COPY --from=planner {BUILD_DIR}/recipe.json recipe.json",
            f"RUN {plain_build(variant, ('chef', 'cook'))} --recipe-path recipe.json",
            "COPY . .",
            f"RUN {plain_build(variant)}",
            *_runtime(variant, f"--from={BUILD_STAGE} {out}"),
        ]
    elif method == "cache-mounts":
        lines = [
            "# syntax=docker/dockerfile:1",
            *lines,
            "# Needs BuildKit (docker buildx build, or Docker Engine 23+ where it is the default builder).",
            "",
            f"FROM {BUILDER_IMAGE} AS {BUILD_STAGE}",
            f"WORKDIR {BUILD_DIR}",
            "COPY . .",
            "# The caches live outside the image: copy the binary out of target/ within the same RUN.",
            f"RUN --mount=type=cache,target={CARGO_HOME}/registry --mount=type=cache,target={BUILD_DIR}/target \\",
            f"    {variant.build_command()} && cp {out} /{binary}",
            *_runtime(variant, f"--from={BUILD_STAGE} /{binary}"),
        ]
    return "\n".join(lines) + "\n"
