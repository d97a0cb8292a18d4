"""The recipes: one declarative description (programs/recipes.toml) of every image the project measures.

A *variant* joins a program, a base image, a target (libc + C runtime linkage + toolchain), a cargo
profile and optional extras (features, RUSTFLAGS, TLS/DNS/allocator labels, verification steps).
The same recipe gives the Dockerfile that ``scripts/measure.py`` builds and the one the site shows:
:func:`dockerfile` is the only place a Dockerfile is written.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .bases import BaseSpec

REPO = Path(__file__).resolve().parent.parent
RECIPES = REPO / "programs" / "recipes.toml"

LIBCS = ("glibc", "musl")
LINKAGES = ("dynamic", "static")
TOOLCHAINS = ("rustup", "debian-build-std")
TLS = ("none", "openssl", "openssl-vendored", "rustls-ring", "rustls-aws-lc-rs")
DNS = ("none", "system", "hickory")
ALLOCATORS = ("system", "mimalloc", "jemalloc")
VERIFY_KINDS = ("stdout",)
# cargo's release profile strips debug info by default since Rust 1.77.
RELEASE_DEFAULT_STRIP = "debuginfo"


class RecipeError(Exception):
    """A problem in the recipes file, naming the file and the table or key at fault."""


@dataclass(frozen=True)
class Verify:
    kind: str
    equals: str = ""


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
    verify: tuple[Verify, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.program.id, self.id)

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
            "tls": self.tls,
            "dns": self.dns,
            "allocator": self.allocator,
            "strip": self.profile.strip,
            "cargo_profile": self.profile.summary(),
            "rustflags": " ".join(self.all_rustflags),
        }

    def cargo_args(self) -> tuple[str, ...]:
        """``cargo build`` arguments a reader runs (toolchain-specific extras are added by the runner)."""
        args = ["build", "--release", "--locked", "--target", self.target.triple]
        if self.features:
            args += ["--features", ",".join(self.features)]
        return tuple(args) + self.profile.config_args()

    def build_command(self) -> str:
        env = f"RUSTFLAGS={shlex.quote(' '.join(self.all_rustflags))} " if self.all_rustflags else ""
        return env + shlex.join(("cargo",) + self.cargo_args())

    def binary_path(self, target_dir: Path) -> Path:
        return target_dir / self.target.triple / "release" / self.program.binary

    def fingerprint(self) -> dict[str, Any]:
        """Everything in the recipe that can change the measured row (the runner adds source, toolchain, base)."""
        return asdict(self)


def dockerfile(variant: Variant) -> str:
    """The Dockerfile for ``variant``: built by the measurement and shown on the site, byte for byte.

    The base is an ``ARG`` whose default is the pinned pull reference; a machine with no registry
    passes ``--build-arg BASE=<local image>`` for a base bootstrapped from Debian packages.
    """
    binary = variant.program.binary
    lines = [
        f"# {variant.program.id}, variant {variant.id}: {variant.target.libc}, {variant.target.crt_linkage} C runtime, {variant.base.name} base",
        "# The binary is built beforehand, next to this Dockerfile, with:",
        f"#   {variant.build_command()}",
        f"#   cp target/{variant.target.triple}/release/{binary} .",
    ]
    if variant.base.name == "scratch":
        lines.append("FROM scratch")
    else:
        lines += [f"ARG BASE={variant.base.pull}", "FROM ${BASE}"]
    lines += [f"COPY {binary} /{binary}", f'ENTRYPOINT ["/{binary}"]']
    return "\n".join(lines) + "\n"


def _toml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    raise TypeError(f"unsupported profile value {value!r}")


def _need(table: dict, key: str, where: str, path: Path, kind: type = str) -> Any:
    if key not in table:
        raise RecipeError(f"{path}: {where}: missing key {key!r}")
    value = table[key]
    if not isinstance(value, kind):
        raise RecipeError(f"{path}: {where}: {key!r} must be a {kind.__name__}, not {type(value).__name__}")
    return value


def _choice(table: dict, key: str, choices: tuple[str, ...], where: str, path: Path, default: str | None = None) -> str:
    value = table.get(key, default) if default is not None else _need(table, key, where, path)
    if value not in choices:
        raise RecipeError(f"{path}: {where}: {key} = {value!r} is not one of: {', '.join(choices)}")
    return value


def _verify_steps(items: list, where: str, path: Path) -> tuple[Verify, ...]:
    steps = []
    for i, item in enumerate(items):
        kind = _choice(item, "kind", VERIFY_KINDS, f"{where}.verify[{i}]", path)
        steps.append(Verify(kind=kind, equals=_need(item, "equals", f"{where}.verify[{i}]", path)))
    return tuple(steps)


def _strings(table: dict, key: str, where: str, path: Path) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecipeError(f"{path}: {where}: {key!r} must be a list of strings")
    return tuple(value)


KNOWN_KEYS = {
    "program": {"path", "binary", "verify"},
    "base": {"pull", "bootstrap"},
    "target": {"triple", "libc", "crt_linkage", "toolchain", "rustflags"},
    "profile": {"description", "settings"},
    "variant": {"program", "id", "base", "target", "profile", "features", "rustflags", "tls", "dns", "allocator", "verify"},
}


def _check_keys(table: dict, kind: str, where: str, path: Path) -> None:
    unknown = set(table) - KNOWN_KEYS[kind]
    if unknown:
        raise RecipeError(f"{path}: {where}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(KNOWN_KEYS[kind]))}")


@dataclass(frozen=True)
class Recipes:
    path: Path
    programs: dict[str, Program]
    bases: dict[str, BaseSpec]
    variants: tuple[Variant, ...]

    def variant(self, program: str, variant: str) -> Variant:
        for v in self.variants:
            if v.key == (program, variant):
                return v
        raise KeyError((program, variant))

    def ids(self) -> list[str]:
        return [f"{v.program.id}/{v.id}" for v in self.variants]

    def digest(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def load_recipes(path: Path = RECIPES) -> Recipes:
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RecipeError(f"{path}: {exc}") from None
    except OSError as exc:
        raise RecipeError(f"{path}: cannot read: {exc.strerror}") from None

    programs: dict[str, Program] = {}
    for pid, t in raw.get("programs", {}).items():
        where = f"[programs.{pid}]"
        _check_keys(t, "program", where, path)
        programs[pid] = Program(
            id=pid,
            path=_need(t, "path", where, path),
            binary=_need(t, "binary", where, path),
            verify=_verify_steps(t.get("verify", []), where, path),
        )
        if not (REPO / programs[pid].path / "Cargo.toml").is_file():
            raise RecipeError(f"{path}: {where}: {programs[pid].path}/Cargo.toml does not exist")
    bases: dict[str, BaseSpec] = {}
    for bid, t in raw.get("bases", {}).items():
        where = f"[bases.{bid}]"
        _check_keys(t, "base", where, path)
        bases[bid] = BaseSpec(name=bid, pull=t.get("pull", ""), bootstrap=t.get("bootstrap", ""))
        if bid != "scratch" and not bases[bid].pull:
            raise RecipeError(f"{path}: {where}: a base other than scratch needs a pull reference")
    targets: dict[str, Target] = {}
    for tid, t in raw.get("targets", {}).items():
        where = f"[targets.{tid}]"
        _check_keys(t, "target", where, path)
        targets[tid] = Target(
            id=tid,
            triple=_need(t, "triple", where, path),
            libc=_choice(t, "libc", LIBCS, where, path),
            crt_linkage=_choice(t, "crt_linkage", LINKAGES, where, path),
            toolchain=_choice(t, "toolchain", TOOLCHAINS, where, path),
            rustflags=_strings(t, "rustflags", where, path),
        )
    profiles: dict[str, Profile] = {}
    for prid, t in raw.get("profiles", {}).items():
        where = f"[profiles.{prid}]"
        _check_keys(t, "profile", where, path)
        settings = _need(t, "settings", where, path, dict)
        for k, v in settings.items():
            if not isinstance(v, (str, int, bool)):
                raise RecipeError(f"{path}: {where}: setting {k!r} must be a string, integer or boolean")
        profiles[prid] = Profile(id=prid, description=_need(t, "description", where, path), settings=tuple(settings.items()))

    variants: list[Variant] = []
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(raw.get("variants", [])):
        where = f"[[variants]] #{i + 1} ({t.get('program', '?')}/{t.get('id', '?')})"
        _check_keys(t, "variant", where, path)

        def pick(key: str, table: dict) -> Any:
            name = _need(t, key, where, path)
            if name not in table:
                raise RecipeError(f"{path}: {where}: {key} {name!r} is not defined; defined: {', '.join(table)}")
            return table[name]

        program = pick("program", programs)
        vid = _need(t, "id", where, path)
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", vid):
            raise RecipeError(f"{path}: {where}: id {vid!r} must be lower-case words joined by hyphens")
        if (program.id, vid) in seen:
            raise RecipeError(f"{path}: {where}: variant id {vid!r} is used twice for {program.id}")
        seen.add((program.id, vid))
        variants.append(
            Variant(
                program=program,
                id=vid,
                base=pick("base", bases),
                target=pick("target", targets),
                profile=pick("profile", profiles),
                features=_strings(t, "features", where, path),
                rustflags=_strings(t, "rustflags", where, path),
                tls=_choice(t, "tls", TLS, where, path, default="none"),
                dns=_choice(t, "dns", DNS, where, path, default="none"),
                allocator=_choice(t, "allocator", ALLOCATORS, where, path, default="system"),
                verify=program.verify + _verify_steps(t.get("verify", []), where, path),
            )
        )
    return Recipes(path=path, programs=programs, bases=bases, variants=tuple(variants))
