"""The recipes: one declarative description (programs/recipes.toml) of every image the project measures.

A *variant* joins a program, a base image, a target (libc + C runtime linkage + toolchain), a cargo
profile and optional extras (features, RUSTFLAGS, TLS/DNS/allocator labels, verification steps).
The same recipe gives the Dockerfile that ``scripts/measure.py`` builds and the one the site shows:
:func:`dockerfile` is the only place a Dockerfile is written.

Every value is checked when the file is loaded, against a strict pattern, with the file, the table
and the key in the message: ids are slugs, a ``pull`` reference is pinned by digest, ``binary`` is a
plain file name, a program's ``path`` stays inside ``programs/``, flags contain no control
characters. The values a recipe may choose from (libc, C runtime linkage, TLS, DNS, allocator,
toolchain, base names) are the enums of ``measurements/images.schema.json``: one source.

This module is pure data: importing it imports no Docker, bootstrapping or toolchain code.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from .bases import BOOTSTRAP_NAMES

REPO = Path(__file__).resolve().parent.parent
RECIPES = REPO / "programs" / "recipes.toml"
PROGRAMS = REPO / "programs"
IMAGES_SCHEMA = REPO / "measurements" / "images.schema.json"

#: The verify kinds a recipe may use; cheatsheet.measure.VERIFIERS checks each (a test ties the two).
VERIFY_KINDS = ("stdout", "https-proxy")
#: The verify kinds that run the image as a server next to local peers instead of running it to completion.
SERVER_VERIFY_KINDS = ("https-proxy",)
# cargo's release profile strips debug info by default since Rust 1.77.
RELEASE_DEFAULT_STRIP = "debuginfo"
#: The architecture a target is for when the recipe names no other (Docker's platform names).
DEFAULT_ARCH = "amd64"
#: Docker's architecture name -> the first component of a Rust target triple.
RUST_ARCH = {"amd64": "x86_64", "arm64": "aarch64"}
#: What an image config says besides "architecture" for each architecture that has it (Docker's "variant").
ARCH_VARIANT = {"arm64": "v8"}
#: Architectures whose std no prebuilt toolchain here has: every target for them is built by the
#: toolchain that rebuilds std from source (rustup reaches no download server for another std).
ARCH_TOOLCHAIN = {"arm64": "debian-build-std"}

SLUG = r"[a-z0-9]+(-[a-z0-9]+)*"
# name[:tag]@sha256:<64 hex>, name = [registry host[:port]/]path-component(/path-component)*
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
IMAGE_REFERENCE = (
    rf"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]+)?/)?{_COMPONENT}(?:/{_COMPONENT})*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?@sha256:[0-9a-f]{64}"
)
FILE_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}"
RELATIVE_PATH = r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*"
FEATURE = r"[A-Za-z0-9_][A-Za-z0-9_+.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_+.-]*)?"
PROFILE_KEY = r"[a-z][a-z0-9-]*"
PROFILE_TEXT = r"[A-Za-z0-9._-]+"


class RecipeError(Exception):
    """A problem in the recipes file, naming the file and the table or key at fault."""


@dataclass(frozen=True)
class BaseSpec:
    """A base image as programs/recipes.toml declares it (pure data; cheatsheet.bases obtains it)."""

    name: str  # a value of images.schema.json's `base` enum
    pull: str  # pull reference pinned by digest, "" for scratch
    bootstrap: str  # "" or a name of cheatsheet.bases.BOOTSTRAP_NAMES


@cache
def schema_enum(column: str, schema_path: Path = IMAGES_SCHEMA) -> tuple[str, ...]:
    """The allowed values of ``column`` in images.schema.json: the one list recipes choose from."""
    for spec in json.loads(schema_path.read_text(encoding="utf-8"))["fields"]:
        if spec["name"] == column:
            return tuple(spec["constraints"]["enum"])
    raise KeyError(column)


@cache
def schema_pattern(column: str, schema_path: Path = IMAGES_SCHEMA) -> str:
    for spec in json.loads(schema_path.read_text(encoding="utf-8"))["fields"]:
        if spec["name"] == column:
            return str(spec["constraints"]["pattern"])
    raise KeyError(column)


def _choices(column: str) -> Callable[[], tuple[str, ...]]:
    return lambda: schema_enum(column)


@dataclass(frozen=True)
class Verify:
    """One check of a measured image. ``stdout``: the image runs to completion and prints exactly
    ``equals``. ``https-proxy``: the image is a server verified on a private network against local
    DNS and HTTPS peers (cheatsheet/netcheck.py); ``equals`` is the body the proxied page must have."""

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
        architecture replaced, and the toolchain that can build std for it here (see ARCH_TOOLCHAIN)."""
        if arch == self.arch:
            return self
        prefix = RUST_ARCH[self.arch] + "-"
        if not self.triple.startswith(prefix):
            raise ValueError(f"target {self.id!r}: triple {self.triple!r} does not start with {prefix!r}")
        return replace(
            self,
            id=f"{self.id}-{arch}",
            triple=RUST_ARCH[arch] + "-" + self.triple.removeprefix(prefix),
            toolchain=ARCH_TOOLCHAIN.get(arch, self.toolchain),
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
        return " ".join(f"{k}={_toml_scalar(v).strip(chr(34))}" for k, v in self.settings)

    def config_args(self) -> tuple[str, ...]:
        args: list[str] = []
        for k, v in self.settings:
            args += ["--config", f"profile.release.{k}={_toml_scalar(v)}"]
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
    cargo_flags: tuple[str, ...] = ()  # -Z cargo flags (size ladders only; cheatsheet/ladder.py)
    ladder: str = ""  # the [ladders.<id>] this variant is a step of, or ""

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

    @property
    def all_rustflags(self) -> tuple[str, ...]:
        return self.target.rustflags + self.rustflags

    @property
    def image_tag(self) -> str:
        return f"cheatsheet/{self.program.id}:{self.id}"

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
        if self.ladder or self.cargo_flags:  # sizes depend on the rebuilt std and its -Z knobs: show them
            from .ladder import BUILD_STD, needs_nightly  # noqa: PLC0415 -- ladder imports this module

            if self.target.toolchain == "debian-build-std" or needs_nightly(self):
                env = "RUSTC_BOOTSTRAP=1 " + env
                args = (*args[: len(args) - len(self.cargo_flags)], BUILD_STD, *self.cargo_flags)
        return env + shlex.join(("cargo", *args))

    def binary_path(self, target_dir: Path) -> Path:
        return target_dir / self.target.triple / "release" / self.program.binary

    def fingerprint(self) -> dict[str, Any]:
        """Everything in the recipe that can change the measured row (the runner adds source, toolchain, base)."""
        fields = asdict(self)
        for name in ("cargo_flags", "ladder"):  # absent when unused: older variants keep their cache keys
            if not fields[name]:
                del fields[name]
        if fields["target"]["arch"] == DEFAULT_ARCH:  # likewise the default architecture
            del fields["target"]["arch"]
        return fields


def dockerfile(variant: Variant) -> str:
    """The Dockerfile for ``variant``: built by the measurement and shown on the site, byte for byte.

    The base is an ``ARG`` whose default is the pinned pull reference; a machine with no registry
    passes ``--build-arg BASE=<local image>`` for a base bootstrapped from Debian packages.
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
        lines.append(f"# and the image with: {_build_command(variant.arch)}")
    lines += _base_args(variant) + _runtime_stage(variant, f"{binary}")
    return "\n".join(lines) + "\n"


# The builder of full_dockerfile(): the official rust image of the rustup release the glibc rows were
# measured with (1.95.0, Debian 12 "bookworm"). Its digest is the one pinned by the builder stage of
# github.com/sondrateconsulting/jitgen's Dockerfile (commit 3dfcc3cdaf4c86a5704d44b76f8d96c1fd0917c7),
# and by several other public projects for rust:1.95.0-bookworm; the measuring machine reaches no
# registry, so it was not checked against Docker Hub here.
BUILDER_IMAGE = "rust:1.95.0-bookworm@sha256:6258907abe69656e41cd992e0b705cdcfabcbbe3db374f92ed2d47121282d4a1"
BUILD_STAGE = "build"
BUILD_DIR = "/src"


def _base_args(variant: Variant) -> list[str]:
    return [] if variant.base.name == "scratch" else [f"ARG BASE={variant.base.pull}"]


def _runtime_stage(variant: Variant, source: str) -> list[str]:
    """The measured stage, from ``FROM`` on; ``source`` is what its one ``COPY`` copies."""
    binary = variant.program.binary
    return [
        "FROM scratch" if variant.base.name == "scratch" else "FROM ${BASE}",
        f"COPY {source} /{binary}",
        f'ENTRYPOINT ["/{binary}"]',
    ]


def full_dockerfile(variant: Variant) -> str:
    """A complete two-stage Dockerfile for a reader's own crate: a build stage, then the measured stage.

    The last stage is :func:`dockerfile`'s, from the same recipe, with the two changes a multi-stage
    file needs: its ``ARG BASE`` line stands before the first ``FROM`` (Docker reads a ``FROM``'s
    variables only there), and its ``COPY`` takes the binary ``--from`` the build stage instead of
    the build context. ``tests/test_reader_dockerfile.py`` holds the two to exactly that.
    """
    binary = variant.program.binary
    triple = variant.target.triple
    lines = [
        f"# {variant.program.id}, variant {variant.id}: {variant.target.libc}, "
        f"{variant.target.crt_linkage} C runtime, {variant.base.name} base",
        "# A complete Dockerfile: put it at the root of your crate (beside Cargo.toml and Cargo.lock),",
        f"# replace {binary} by your binary's name and run `{_build_command(variant.arch)}`.",
        "# Only the last stage (runtime) was measured here; the build stage was not run by the measurement.",
        *_base_args(variant),
        "",
        "# Build stage (not measured here): the official rust image, pinned by digest.",
    ]
    if variant.arch != DEFAULT_ARCH:
        lines += _cross_build_stage(variant)
    else:
        lines.append(f"FROM {BUILDER_IMAGE} AS {BUILD_STAGE}")
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
        "COPY . .",
        f"RUN {variant.build_command()}",
        "",
        "# Runtime stage: the stage measured here.",
        *_runtime_stage(variant, f"--from={BUILD_STAGE} {BUILD_DIR}/target/{triple}/release/{binary}"),
    ]
    return "\n".join(lines) + "\n"


def _build_command(arch: str) -> str:
    """How a reader builds the image: plain ``docker build`` for x86-64, buildx for another platform."""
    return "docker build ." if arch == DEFAULT_ARCH else f"docker buildx build --platform linux/{arch} ."


#: Per architecture: Debian's cross C compiler package set, and the compiler's name prefix.
CROSS_C_TOOLCHAIN = {"arm64": ("gcc-aarch64-linux-gnu libc6-dev-arm64-cross", "aarch64-linux-gnu")}


def _cross_build_stage(variant: Variant) -> list[str]:
    """The start of a build stage that cross-compiles for ``variant.arch`` on the builder's own
    platform (``docker buildx build --platform linux/<arch>``), instead of compiling under emulation."""
    arch, triple = variant.arch, variant.target.triple
    packages, prefix = CROSS_C_TOOLCHAIN[arch]
    env = triple.upper().replace("-", "_")
    under = triple.replace("-", "_")
    return [
        "# It runs on the machine's own platform and cross-compiles; the runtime stage is for the target's.",
        f"FROM --platform=$BUILDPLATFORM {BUILDER_IMAGE} AS {BUILD_STAGE}",
        "ARG TARGETARCH",
        f'RUN test "$TARGETARCH" = {arch} || {{ echo "build with: {_build_command(arch)}" >&2; exit 1; }}',
        f"# Debian's cross C compiler links the binary (and compiles any C code of -sys crates) for {arch}:",
        f"RUN apt-get update && apt-get install -y --no-install-recommends {packages} && rm -rf /var/lib/apt/lists/*",
        f"ENV CARGO_TARGET_{env}_LINKER={prefix}-gcc CC_{under}={prefix}-gcc AR_{under}={prefix}-ar",
        f"RUN rustup target add {triple}",
    ]


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    raise TypeError(f"unsupported profile value {value!r}")


def _shown(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _need(table: dict, key: str, where: str, path: Path, kind: type = str) -> Any:
    if key not in table:
        raise RecipeError(f"{path}: {where}: missing key {key!r}")
    value = table[key]
    if not isinstance(value, kind):
        raise RecipeError(f"{path}: {where}: {key!r} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _matching(value: str, pattern: str, what: str, key: str, where: str, path: Path) -> str:
    if not re.fullmatch(pattern, value):
        raise RecipeError(f"{path}: {where}: {key} = {_shown(value)} must be {what}")
    return value


def _slug(value: str, key: str, where: str, path: Path) -> str:
    return _matching(value, SLUG, "a slug (lower-case letters and digits joined by single hyphens)", key, where, path)


def _plain_text(value: str, key: str, where: str, path: Path, *, allow: str = "") -> str:
    """Refuse control, format (bidirectional overrides, zero-width) and line-separator characters."""
    for i, ch in enumerate(value):
        if ch in allow:
            continue
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            raise RecipeError(
                f"{path}: {where}: {key} contains the invisible or control character U+{ord(ch):04X} at offset {i}"
            )
    return value


def _choice(
    table: dict,
    key: str,
    choices: tuple[str, ...] | Callable[[], tuple[str, ...]],
    where: str,
    path: Path,
    default: str | None = None,
) -> str:
    value = table.get(key, default) if default is not None else _need(table, key, where, path)
    allowed = choices() if callable(choices) else choices
    if value not in allowed:
        raise RecipeError(f"{path}: {where}: {key} = {_shown(value)} is not one of: {', '.join(allowed)}")
    return value


def _verify_steps(items: object, where: str, path: Path) -> tuple[Verify, ...]:
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise RecipeError(f"{path}: {where}: 'verify' must be a list of tables")
    steps = []
    for i, item in enumerate(items):
        at = f"{where}.verify[{i}]"
        _check_keys(item, "verify", at, path)
        kind = _choice(item, "kind", VERIFY_KINDS, at, path)
        equals = _plain_text(_need(item, "equals", at, path), "equals", at, path, allow="\n\t")
        steps.append(Verify(kind=kind, equals=equals))
    return tuple(steps)


def _strings(
    table: dict, key: str, where: str, path: Path, *, pattern: str | None = None, what: str = ""
) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecipeError(f"{path}: {where}: {key!r} must be a list of strings")
    for i, item in enumerate(value):
        _plain_text(item, f"{key}[{i}]", where, path)
        if item == "" or item != item.strip():
            raise RecipeError(f"{path}: {where}: {key}[{i}] = {_shown(item)} is empty or has surrounding spaces")
        if pattern is not None:
            _matching(item, pattern, what, f"{key}[{i}]", where, path)
    return tuple(value)


def _program_path(value: str, roots: tuple[Path, ...], where: str, path: Path) -> str:
    _matching(value, RELATIVE_PATH, "a relative path of plain names joined by '/'", "path", where, path)
    if any(part in (".", "..") for part in value.split("/")):
        raise RecipeError(f"{path}: {where}: path = {_shown(value)} must not contain '.' or '..'")
    resolved = (REPO / value).resolve()
    inside = [root for root in roots if resolved.is_relative_to(Path(root).resolve())]
    if not inside:
        shown = ", ".join(
            str(Path(r).resolve().relative_to(REPO) if Path(r).resolve().is_relative_to(REPO) else r) for r in roots
        )
        raise RecipeError(f"{path}: {where}: path = {_shown(value)} leaves {shown}/")
    if not (resolved / "Cargo.toml").is_file():
        raise RecipeError(f"{path}: {where}: {value}/Cargo.toml does not exist")
    return value


KNOWN_KEYS = {
    "verify": {"kind", "equals"},
    "program": {"path", "binary", "verify"},
    "base": {"pull", "bootstrap"},
    "target": {"triple", "libc", "crt_linkage", "toolchain", "rustflags"},
    "profile": {"description", "settings"},
    "variant": {
        "program",
        "id",
        "base",
        "target",
        "profile",
        "features",
        "rustflags",
        "tls",
        "dns",
        "allocator",
        "roots",
        "cargo_flags",
        "verify",
        "arches",
    },
    "peers": {"program", "target", "profile"},
}


def _check_keys(table: object, kind: str, where: str, path: Path) -> None:
    check_table(table, KNOWN_KEYS[kind], where, path)


def check_table(table: object, known: set[str], where: str, path: Path, noun: str = "key(s)") -> dict[str, Any]:
    """``table``, checked to be a TOML table using only ``known`` keys; RecipeError names the file,
    the table and the unknown keys."""
    if not isinstance(table, dict):
        raise RecipeError(f"{path}: {where}: must be a table, not {type(table).__name__}")
    unknown = set(table) - known
    if unknown:
        raise RecipeError(
            f"{path}: {where}: unknown {noun} {', '.join(sorted(map(_shown, unknown)))}; "
            f"known: {', '.join(sorted(known))}"
        )
    return table


def _tables(raw: dict, key: str, path: Path) -> dict[str, Any]:
    """The ``[key.<id>]`` tables, each id checked to be a slug."""
    tables = raw.get(key, {})
    if not isinstance(tables, dict):
        raise RecipeError(f"{path}: [{key}] must be a table of tables")
    for name in tables:
        _slug(name, "id", f"[{key}.{_shown(name)}]", path)
    return tables


@dataclass(frozen=True)
class Recipes:
    path: Path
    programs: dict[str, Program]
    bases: dict[str, BaseSpec]
    variants: tuple[Variant, ...]
    ladders: tuple[Any, ...] = ()  # cheatsheet.ladder.Ladder objects, in file order
    peers: Variant | None = None  # the local peers a server is verified against ([peers]); not measured

    def variant(self, program: str, variant: str) -> Variant:
        for v in self.variants:
            if v.key == (program, variant):
                return v
        raise KeyError((program, variant))

    def ids(self) -> list[str]:
        return [f"{v.program.id}/{v.id}" for v in self.variants]

    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def load_recipes(path: Path = RECIPES, *, program_roots: tuple[Path, ...] = (PROGRAMS,)) -> Recipes:
    """Load and check the recipes file; RecipeError names the file, the table and the key at fault.

    A program's ``path`` (relative to the repository) must stay inside one of ``program_roots``.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{path}: {exc}") from None
    except OSError as exc:
        raise RecipeError(f"{path}: cannot read: {exc.strerror}") from None
    unknown = set(raw) - {"programs", "bases", "targets", "profiles", "variants", "ladders", "peers"}
    if unknown:
        raise RecipeError(f"{path}: unknown top-level key(s) {', '.join(sorted(map(_shown, unknown)))}")

    programs: dict[str, Program] = {}
    for pid, t in _tables(raw, "programs", path).items():
        where = f"[programs.{pid}]"
        _check_keys(t, "program", where, path)
        programs[pid] = Program(
            id=pid,
            path=_program_path(_need(t, "path", where, path), program_roots, where, path),
            binary=_matching(_need(t, "binary", where, path), FILE_NAME, "a plain file name", "binary", where, path),
            verify=_verify_steps(t.get("verify", []), where, path),
        )
    bases: dict[str, BaseSpec] = {}
    for bid, t in _tables(raw, "bases", path).items():
        where = f"[bases.{bid}]"
        _check_keys(t, "base", where, path)
        _choice({"name": bid}, "name", _choices("base"), where, path)
        pull = t.get("pull", "")
        if not isinstance(pull, str):
            raise RecipeError(f"{path}: {where}: 'pull' must be a str, not {type(pull).__name__}")
        if bid == "scratch":
            if pull or t.get("bootstrap"):
                raise RecipeError(f"{path}: {where}: scratch is empty: it has no pull reference and no bootstrap")
        elif not pull:
            raise RecipeError(f"{path}: {where}: a base other than scratch needs a pull reference")
        else:
            _matching(
                pull,
                IMAGE_REFERENCE,
                "an image reference pinned by digest: name[:tag]@sha256:<64 hex digits>",
                "pull",
                where,
                path,
            )
        bootstrap = t.get("bootstrap", "")
        if bootstrap:
            _choice(t, "bootstrap", BOOTSTRAP_NAMES, where, path)
        bases[bid] = BaseSpec(name=bid, pull=pull, bootstrap=bootstrap)
    targets: dict[str, Target] = {}
    for tid, t in _tables(raw, "targets", path).items():
        where = f"[targets.{tid}]"
        _check_keys(t, "target", where, path)
        targets[tid] = Target(
            id=tid,
            triple=_matching(
                _need(t, "triple", where, path), schema_pattern("target"), "a target triple", "triple", where, path
            ),
            libc=_choice(t, "libc", _choices("libc"), where, path),
            crt_linkage=_choice(t, "crt_linkage", _choices("crt_linkage"), where, path),
            toolchain=_choice(t, "toolchain", _choices("toolchain"), where, path),
            rustflags=_strings(t, "rustflags", where, path),
        )
    profiles: dict[str, Profile] = {}
    for prid, t in _tables(raw, "profiles", path).items():
        where = f"[profiles.{prid}]"
        _check_keys(t, "profile", where, path)
        settings = _need(t, "settings", where, path, dict)
        for k, v in settings.items():
            _matching(k, PROFILE_KEY, "a cargo profile key", "settings key", where, path)
            if isinstance(v, str):
                _matching(v, PROFILE_TEXT, "letters, digits, '.', '_' or '-'", f"settings.{k}", where, path)
            elif not isinstance(v, int | bool):
                raise RecipeError(f"{path}: {where}: setting {k!r} must be a string, integer or boolean")
        if "strip" in settings:
            _choice(settings, "strip", _choices("strip"), where, path)
        description = _plain_text(_need(t, "description", where, path), "description", where, path)
        profiles[prid] = Profile(id=prid, description=description, settings=tuple(settings.items()))

    variants: list[Variant] = []
    seen: set[tuple[str, str]] = set()
    raw_variants = raw.get("variants", [])
    if not isinstance(raw_variants, list):
        raise RecipeError(f"{path}: 'variants' must be an array of tables ([[variants]])")
    for i, t in enumerate(raw_variants):
        where = f"[[variants]] #{i + 1}"
        _check_keys(t, "variant", where, path)
        where = f"[[variants]] #{i + 1} ({_shown(t.get('program', '?'), 30)}/{_shown(t.get('id', '?'), 30)})"

        def pick(key: str, table: dict, t: dict = t, where: str = where) -> Any:
            name = _need(t, key, where, path)
            if name not in table:
                raise RecipeError(f"{path}: {where}: {key} {_shown(name)} is not defined; defined: {', '.join(table)}")
            return table[name]

        program = pick("program", programs)
        vid = _slug(_need(t, "id", where, path), "id", where, path)
        if (program.id, vid) in seen:
            raise RecipeError(f"{path}: {where}: variant id {vid!r} is used twice for {program.id}")
        seen.add((program.id, vid))
        variant = Variant(
            program=program,
            id=vid,
            base=pick("base", bases),
            target=pick("target", targets),
            profile=pick("profile", profiles),
            features=_strings(t, "features", where, path, pattern=FEATURE, what="a cargo feature name"),
            rustflags=_strings(t, "rustflags", where, path),
            tls=_choice(t, "tls", _choices("tls"), where, path, default="none"),
            dns=_choice(t, "dns", _choices("dns"), where, path, default="none"),
            allocator=_choice(t, "allocator", _choices("allocator"), where, path, default="system"),
            roots=_choice(t, "roots", _choices("roots"), where, path, default="none"),
            cargo_flags=_cargo_flags(t, where, path),
            verify=program.verify + _verify_steps(t.get("verify", []), where, path),
        )
        for arch in _arches(t, variant.target, where, path):
            other = variant.for_arch(arch)
            if other.key in seen and other is not variant:
                raise RecipeError(f"{path}: {where}: variant id {other.id!r} is used twice for {program.id}")
            seen.add(other.key)
            variants.append(other)
    from .ladder import load_ladder  # noqa: PLC0415 -- ladder imports this module

    ladders = []
    for lid, t in _tables(raw, "ladders", path).items():
        ladder = load_ladder(lid, t, path, programs, bases, targets)
        for v in ladder.variants:
            if v.key in seen:
                raise RecipeError(f"{path}: [ladders.{lid}]: variant id {v.id!r} is used twice for {v.program.id}")
            seen.add(v.key)
            variants.append(v)
        ladders.append(ladder)
    peers = _peers(raw, path, programs, bases, targets, profiles)
    if peers is None and any(step.is_server for v in variants for step in v.verify):
        raise RecipeError(f"{path}: a variant is verified as a server, but no [peers] table names the peers program")
    return Recipes(
        path=path,
        programs=programs,
        bases=bases,
        variants=tuple(variants),
        ladders=tuple(ladders),
        peers=peers,
    )


def _arches(t: dict, target: Target, where: str, path: Path) -> tuple[str, ...]:
    """A variant's ``arches``: the architectures it is built for (default: its target's alone)."""
    if "arches" not in t:
        return (target.arch,)
    arches = _strings(t, "arches", where, path)
    allowed = schema_enum("arch")
    for i, arch in enumerate(arches):
        if arch not in allowed:
            raise RecipeError(f"{path}: {where}: arches[{i}] = {_shown(arch)} is not one of: {', '.join(allowed)}")
    if not arches or len(set(arches)) != len(arches):
        raise RecipeError(f"{path}: {where}: 'arches' must name each architecture once, at least one")
    for arch in arches:
        try:
            target.for_arch(arch)
        except ValueError as exc:
            raise RecipeError(f"{path}: {where}: arches: {exc}") from None
    return tuple(arches)


def _cargo_flags(t: dict, where: str, path: Path) -> tuple[str, ...]:
    """A variant's ``-Z`` cargo flags: only those of the allow-list the size ladder uses."""
    from .ladder import CARGO_FLAGS  # noqa: PLC0415 -- ladder imports this module

    flags = _strings(t, "cargo_flags", where, path)
    for i, flag in enumerate(flags):
        if not any(re.fullmatch(p, flag) for p in CARGO_FLAGS):
            raise RecipeError(
                f"{path}: {where}: cargo_flags[{i}] = {_shown(flag)} is not an allowed cargo flag; "
                f"allowed: {', '.join(CARGO_FLAGS)}"
            )
    return flags


def _peers(
    raw: dict,
    path: Path,
    programs: dict[str, Program],
    bases: dict[str, BaseSpec],
    targets: dict[str, Target],
    profiles: dict[str, Profile],
) -> Variant | None:
    """``[peers]``: the program (built FROM scratch) that plays the DNS and HTTPS peers of a server check."""
    if "peers" not in raw:
        return None
    t = raw["peers"]
    _check_keys(t, "peers", "[peers]", path)

    def pick(key: str, table: dict[str, Any]) -> Any:
        name = _need(t, key, "[peers]", path)
        if name not in table:
            raise RecipeError(f"{path}: [peers]: {key} {_shown(name)} is not defined")
        return table[name]

    program: Program = pick("program", programs)
    target: Target = pick("target", targets)
    profile: Profile = pick("profile", profiles)
    if target.crt_linkage != "static":
        raise RecipeError(f"{path}: [peers]: target {target.id!r} must link the C runtime statically (FROM scratch)")
    if "scratch" not in bases:
        raise RecipeError(f"{path}: [peers]: the peers run FROM scratch, so [bases.scratch] must be declared")
    return Variant(program=program, id="peers", base=bases["scratch"], target=target, profile=profile)
