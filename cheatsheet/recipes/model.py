"""The recipes as data: programs, bases, targets, profiles and the variants that join them.

A *variant* joins a program, a base image, a target (libc + C runtime linkage + toolchain), a cargo
profile and optional extras (features, RUSTFLAGS, TLS/DNS/allocator labels, verification steps).
The values a recipe may choose from (libc, C runtime linkage, TLS, DNS, allocator, toolchain, base
names) are the enums of ``measurements/images.schema.json``: one source, read with the data layer's
schema reader. Nothing here imports Docker, bootstrapping or toolchain code.
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from ..data.schema import Schema
from ..paths import IMAGES_SCHEMA, REPO
from .arch import ARCHES, DEFAULT_ARCH

#: The verify kinds a recipe may use; cheatsheet.measure.VERIFIERS checks each (a test ties the two).
VERIFY_KINDS = ("stdout", "https-proxy")
#: The verify kinds that run the image as a server next to local peers instead of running it to completion.
SERVER_VERIFY_KINDS = ("https-proxy",)
# cargo's release profile strips debug info by default since Rust 1.77.
RELEASE_DEFAULT_STRIP = "debuginfo"
#: The bootstrap recipes a base may name (cheatsheet.measure.bases implements one class per name).
BOOTSTRAP_NAMES: tuple[str, ...] = ("debian-minbase", "debian-slim", "distroless-static", "distroless-cc")
#: What the debian-build-std toolchain passes to cargo (cheatsheet/measure/toolchain; a test ties the two).
#: Shown in a ladder step's build command, because every allowed -Z flag needs a rebuilt std.
BUILD_STD = "-Zbuild-std=std,panic_abort"
#: The tables a variant may be made for instead of its program's size table (``matrix`` in the recipes):
#: "runs-where" is a cell of the matrix of binaries (glibc dynamic, glibc static, musl) by base.
MATRICES = ("", "runs-where")
#: How a variant id names the toolchain of a like-for-like partner (see Variant.with_toolchain).
TOOLCHAIN_SUFFIX = {"debian-build-std": "build-std"}
#: The ``-Z`` cargo flags a recipe may add (a full match of one of these patterns).
CARGO_FLAGS = (
    r"-Zbuild-std-features=[a-z0-9_-]+(,[a-z0-9_-]+)*",
    r"-Zpanic-immediate-abort",
)


@dataclass(frozen=True)
class BaseSpec:
    """A base image as programs/recipes.toml declares it (pure data; cheatsheet.measure.bases obtains it)."""

    name: str  # a value of images.schema.json's `base` enum
    pull: str  # pull reference pinned by digest, "" for scratch
    bootstrap: str  # "" or a name of BOOTSTRAP_NAMES


@cache
def _images_schema(schema_path: Path) -> Schema:
    return Schema.load(schema_path)


def schema_enum(column: str, schema_path: Path = IMAGES_SCHEMA) -> tuple[str, ...]:
    """The allowed values of ``column`` in images.schema.json: the one list recipes choose from."""
    enum = _images_schema(schema_path).field(column).enum
    if enum is None:
        raise KeyError(column)
    return enum


def schema_pattern(column: str, schema_path: Path = IMAGES_SCHEMA) -> str:
    pattern = _images_schema(schema_path).field(column).pattern
    if pattern is None:
        raise KeyError(column)
    return pattern


def choices(column: str) -> Callable[[], tuple[str, ...]]:
    """The allowed values of ``column``, read when a value is checked (see :func:`schema_enum`)."""
    return lambda: schema_enum(column)


@dataclass(frozen=True)
class Verify:
    """One check of a measured image. ``stdout``: the image runs to completion and prints exactly
    ``equals``. ``https-proxy``: the image is a server verified on a private network against local
    DNS and HTTPS peers (cheatsheet/measure/netcheck.py); ``equals`` is the body the proxied page must have."""

    kind: str
    equals: str = ""

    @property
    def is_server(self) -> bool:
        return self.kind in SERVER_VERIFY_KINDS


@dataclass(frozen=True)
class Program:
    id: str
    path: str  # relative to the repository root
    binary: str
    verify: tuple[Verify, ...]
    # Debian packages a full Dockerfile's build stage installs when a variant turns on the cargo feature
    # (C headers and tools of -sys crates): they change the shown build stage, never the measured binary
    build_packages: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def packages_for(self, features: tuple[str, ...]) -> tuple[str, ...]:
        """The build stage's Debian packages for a build with ``features``, in declaration order, once each."""
        wanted = [pkg for feature, pkgs in self.build_packages if feature in features for pkg in pkgs]
        return tuple(dict.fromkeys(wanted))

    @property
    def dir(self) -> Path:
        return REPO / self.path


@dataclass(frozen=True)
class Target:
    id: str
    triple: str
    libc: str
    crt_linkage: str
    toolchain: str
    rustflags: tuple[str, ...] = ()
    arch: str = DEFAULT_ARCH  # Docker's platform name of what the triple builds for

    def for_arch(self, arch: str) -> Target:
        """This target for another architecture: the same libc and C runtime linkage, the triple's
        architecture replaced, and the toolchain that can build std for it here (``Arch.std_toolchain``)."""
        if arch == self.arch:
            return self
        prefix = ARCHES[self.arch].rust + "-"
        if not self.triple.startswith(prefix):
            raise ValueError(f"target {self.id!r}: triple {self.triple!r} does not start with {prefix!r}")
        return replace(
            self,
            id=f"{self.id}-{arch}",
            triple=ARCHES[arch].rust + "-" + self.triple.removeprefix(prefix),
            toolchain=ARCHES[arch].std_toolchain or self.toolchain,
            arch=arch,
        )


@dataclass(frozen=True)
class Profile:
    id: str
    description: str
    settings: tuple[tuple[str, Any], ...]  # cargo [profile.release] keys, in file order

    @property
    def strip(self) -> str:
        return str(dict(self.settings).get("strip", RELEASE_DEFAULT_STRIP))

    def summary(self) -> str:
        """``key=value`` pairs separated by spaces, as images.csv stores them."""
        return " ".join(f"{k}={toml_scalar(v).strip(chr(34))}" for k, v in self.settings)

    def config_args(self) -> tuple[str, ...]:
        args: list[str] = []
        for k, v in self.settings:
            args += ["--config", f"profile.release.{k}={toml_scalar(v)}"]
        return tuple(args)


@dataclass(frozen=True)
class Variant:
    program: Program
    id: str
    base: BaseSpec
    target: Target
    profile: Profile
    features: tuple[str, ...] = ()
    rustflags: tuple[str, ...] = ()
    tls: str = "none"
    dns: str = "none"
    allocator: str = "system"
    roots: str = "none"  # where a TLS client's trust anchors come from: "compiled-in" | "system" | "none"
    verify: tuple[Verify, ...] = ()
    cargo_flags: tuple[str, ...] = ()  # -Z cargo flags (size ladders only; cheatsheet/recipes/ladder.py)
    ladder: str = ""  # the [ladders.<id>] this variant is a step of, or ""
    #: for an x86-64 variant built with the toolchain its arm64 twin needs: the variant it stands in for
    like_for_like_of: str = ""
    matrix: str = ""  # a value of MATRICES: the table the variant is made for, if not its program's

    @property
    def key(self) -> tuple[str, str]:
        return (self.program.id, self.id)

    @property
    def arch(self) -> str:
        return self.target.arch

    def for_arch(self, arch: str) -> Variant:
        """This variant built for ``arch``: the id gets the architecture as a suffix, the target its
        triple (what ``arches`` in the recipes declares; the pages pair variants with it too)."""
        if arch == self.arch:
            return self
        return replace(self, id=f"{self.id}-{arch}", target=self.target.for_arch(arch))

    def with_toolchain(self, toolchain: str) -> Variant:
        """This variant built by ``toolchain`` (same architecture, libc and flags), the id suffixed
        ``-<toolchain's short name>``: the like-for-like partner of a variant of another architecture."""
        suffix = TOOLCHAIN_SUFFIX[toolchain]
        target = replace(self.target, id=f"{self.target.id}-{suffix}", toolchain=toolchain)
        return replace(self, id=f"{self.id}-{suffix}", target=target, like_for_like_of=self.id)

    @property
    def all_rustflags(self) -> tuple[str, ...]:
        return self.target.rustflags + self.rustflags

    def descriptors(self) -> dict[str, str]:
        """The columns of images.csv that the recipe alone decides."""
        return {
            "program": self.program.id,
            "variant": self.id,
            "base": self.base.name,
            "libc": self.target.libc,
            "crt_linkage": self.target.crt_linkage,
            "target": self.target.triple,
            "arch": self.target.arch,
            "tls": self.tls,
            "dns": self.dns,
            "allocator": self.allocator,
            "roots": self.roots,
            "strip": self.profile.strip,
            "cargo_profile": self.profile.summary(),
            "rustflags": " ".join(self.all_rustflags),
        }

    def cargo_args(self) -> tuple[str, ...]:
        """``cargo build`` arguments a reader runs (toolchain-specific extras are added by the runner)."""
        args = ["build", "--release", "--locked", "--target", self.target.triple]
        if self.features:
            args += ["--features", ",".join(self.features)]
        return tuple(args) + self.profile.config_args() + self.cargo_flags

    def build_command(self) -> str:
        env = f"RUSTFLAGS={shlex.quote(' '.join(self.all_rustflags))} " if self.all_rustflags else ""
        args = self.cargo_args()
        # sizes depend on the rebuilt std and its -Z knobs: show them
        if (self.ladder or self.cargo_flags) and (self.target.toolchain == "debian-build-std" or needs_nightly(self)):
            env = "RUSTC_BOOTSTRAP=1 " + env
            args = (*args[: len(args) - len(self.cargo_flags)], BUILD_STD, *self.cargo_flags)
        return env + shlex.join(("cargo", *args))

    def binary_path(self, target_dir: Path) -> Path:
        return target_dir / self.target.triple / "release" / self.program.binary

    def fingerprint(self) -> dict[str, Any]:
        """Everything in the recipe that can change the measured row (the runner adds source, toolchain, base)."""
        fields = asdict(self)
        for name in ("cargo_flags", "ladder", "like_for_like_of", "matrix"):  # absent when unused: keys hold
            if not fields[name]:
                del fields[name]
        del fields["program"]["build_packages"]  # only the shown build stage uses them
        if fields["target"]["arch"] == DEFAULT_ARCH:  # likewise the default architecture
            del fields["target"]["arch"]
        return fields


def needs_nightly(variant: Variant) -> bool:
    """Whether the variant's command uses a nightly-only knob (so it needs a rebuilt std too)."""
    return (
        bool(variant.cargo_flags)
        or any(f.startswith("-Z") for f in variant.rustflags)
        or dict(variant.profile.settings).get("panic") == "immediate-abort"
    )


def toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    raise TypeError(f"unsupported profile value {value!r}")


# -- size ladders (loaded and expanded by cheatsheet/recipes/ladder.py) -----------------------------


@dataclass(frozen=True)
class Adds:
    """What one step adds, for every libc or for one."""

    profile: tuple[tuple[str, Any], ...] = ()
    rustflags: tuple[str, ...] = ()
    cargo_flags: tuple[str, ...] = ()
    features: tuple[str, ...] = ()
    program: str = ""
    target: str = ""


@dataclass(frozen=True)
class Step:
    number: int  # 1-based position in the ladder
    id: str
    knob: str
    price: str
    adds: Adds
    per_libc: tuple[tuple[str, Adds], ...] = ()
    skip: tuple[tuple[str, str], ...] = ()  # (libc, reason)
    not_measured: str = ""


@dataclass(frozen=True)
class Rung:
    """One step for one column: its variant, or why there is none."""

    step: Step
    column: str  # the ladder's column: a target built one way (glibc, glibc-build-std, musl)
    libc: str
    variant: Variant | None
    absent: str = ""  # why there is no variant ("" when there is one)
    same_as: str = ""  # the column whose build this step's is, byte for byte ("" for a build of its own)


@dataclass(frozen=True)
class Ladder:
    id: str
    title: str
    columns: tuple[tuple[str, Target], ...]  # (column id, the target it starts from), in the file's order
    steps: tuple[Step, ...]
    rungs: tuple[Rung, ...] = field(default=(), repr=False)

    @property
    def libcs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(target.libc for _, target in self.columns))

    def rung(self, step: str, column: str) -> Rung:
        for r in self.rungs:
            if r.step.id == step and r.column == column:
                return r
        raise KeyError((step, column))

    @property
    def variants(self) -> tuple[Variant, ...]:
        return tuple(r.variant for r in self.rungs if r.variant is not None and not r.same_as)


@dataclass(frozen=True)
class Recipes:
    path: Path
    programs: dict[str, Program]
    bases: dict[str, BaseSpec]
    variants: tuple[Variant, ...]
    ladders: tuple[Ladder, ...] = ()  # in file order
    peers: Variant | None = None  # the local peers a server is verified against ([peers]); not measured

    @cached_property
    def by_key(self) -> dict[tuple[str, str], Variant]:
        """Every variant by (program id, variant id), built once (the site looks up one per row)."""
        return {v.key: v for v in self.variants}

    def variant(self, program: str, variant: str) -> Variant:
        return self.by_key[(program, variant)]

    def ids(self) -> list[str]:
        return [f"{v.program.id}/{v.id}" for v in self.variants]

    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()
