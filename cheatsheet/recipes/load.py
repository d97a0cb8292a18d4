"""Load programs/recipes.toml: every value checked when the file is loaded, against a strict pattern,
with the file, the table and the key in the message.

Ids are slugs, a ``pull`` reference is pinned by digest, ``binary`` is a plain file name, a program's
``path`` stays inside ``programs/``, flags contain no control characters.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ..paths import PROGRAMS, RECIPES, REPO
from .arch import ARCHES
from .checks import (
    DEBIAN_PACKAGE,
    FEATURE,
    FILE_NAME,
    IMAGE_REFERENCE,
    PROFILE_KEY,
    PROFILE_TEXT,
    RELATIVE_PATH,
    RecipeError,
    check_table,
    choice,
    matching,
    need,
    plain_text,
    shown,
    slug,
    strings,
)
from .ladder import load_ladder
from .model import (
    BOOTSTRAP_NAMES,
    CARGO_FLAGS,
    MATRICES,
    VERIFY_KINDS,
    BaseSpec,
    Profile,
    Program,
    Recipes,
    Target,
    Variant,
    Verify,
    choices,
    schema_enum,
    schema_pattern,
)


def _verify_steps(items: object, where: str, path: Path) -> tuple[Verify, ...]:
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise RecipeError(f"{path}: {where}: 'verify' must be a list of tables")
    steps = []
    for i, item in enumerate(items):
        at = f"{where}.verify[{i}]"
        _check_keys(item, "verify", at, path)
        kind = choice(item, "kind", VERIFY_KINDS, at, path)
        equals = plain_text(need(item, "equals", at, path), "equals", at, path, allow="\n\t")
        steps.append(Verify(kind=kind, equals=equals))
    return tuple(steps)


def _program_path(value: str, roots: tuple[Path, ...], where: str, path: Path) -> str:
    matching(value, RELATIVE_PATH, "a relative path of plain names joined by '/'", "path", where, path)
    if any(part in (".", "..") for part in value.split("/")):
        raise RecipeError(f"{path}: {where}: path = {shown(value)} must not contain '.' or '..'")
    resolved = (REPO / value).resolve()
    inside = [root for root in roots if resolved.is_relative_to(Path(root).resolve())]
    if not inside:
        allowed = ", ".join(
            str(Path(r).resolve().relative_to(REPO) if Path(r).resolve().is_relative_to(REPO) else r) for r in roots
        )
        raise RecipeError(f"{path}: {where}: path = {shown(value)} leaves {allowed}/")
    if not (resolved / "Cargo.toml").is_file():
        raise RecipeError(f"{path}: {where}: {value}/Cargo.toml does not exist")
    return value


KNOWN_KEYS = {
    "verify": {"kind", "equals"},
    "program": {"path", "binary", "verify", "build_packages"},
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
        "matrix",
    },
    "peers": {"program", "target", "profile"},
}


def _build_packages(table: object, where: str, path: Path) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``build_packages = { <cargo feature> = [<Debian package>, ...] }`` of a program, checked."""
    table = check_table(table, set(table) if isinstance(table, dict) else set(), where, path)
    out = []
    for feature in table:
        matching(feature, FEATURE, "a cargo feature name", "feature", where, path)
        out.append(
            (feature, strings(table, feature, where, path, pattern=DEBIAN_PACKAGE, what="a Debian package name"))
        )
    return tuple(out)


def _check_keys(table: object, kind: str, where: str, path: Path) -> None:
    check_table(table, KNOWN_KEYS[kind], where, path)


def _tables(raw: dict, key: str, path: Path) -> dict[str, Any]:
    """The ``[key.<id>]`` tables, each id checked to be a slug."""
    tables = raw.get(key, {})
    if not isinstance(tables, dict):
        raise RecipeError(f"{path}: [{key}] must be a table of tables")
    for name in tables:
        slug(name, "id", f"[{key}.{shown(name)}]", path)
    return tables


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
        raise RecipeError(f"{path}: unknown top-level key(s) {', '.join(sorted(map(shown, unknown)))}")

    programs: dict[str, Program] = {}
    for pid, t in _tables(raw, "programs", path).items():
        where = f"[programs.{pid}]"
        _check_keys(t, "program", where, path)
        programs[pid] = Program(
            id=pid,
            path=_program_path(need(t, "path", where, path), program_roots, where, path),
            binary=matching(need(t, "binary", where, path), FILE_NAME, "a plain file name", "binary", where, path),
            verify=_verify_steps(t.get("verify", []), where, path),
            build_packages=_build_packages(t.get("build_packages", {}), f"{where} build_packages", path),
        )
    bases: dict[str, BaseSpec] = {}
    for bid, t in _tables(raw, "bases", path).items():
        where = f"[bases.{bid}]"
        _check_keys(t, "base", where, path)
        choice({"name": bid}, "name", choices("base"), where, path)
        pull = t.get("pull", "")
        if not isinstance(pull, str):
            raise RecipeError(f"{path}: {where}: 'pull' must be a str, not {type(pull).__name__}")
        if bid == "scratch":
            if pull or t.get("bootstrap"):
                raise RecipeError(f"{path}: {where}: scratch is empty: it has no pull reference and no bootstrap")
        elif not pull:
            raise RecipeError(f"{path}: {where}: a base other than scratch needs a pull reference")
        else:
            matching(
                pull,
                IMAGE_REFERENCE,
                "an image reference pinned by digest: name[:tag]@sha256:<64 hex digits>",
                "pull",
                where,
                path,
            )
        bootstrap = t.get("bootstrap", "")
        if bootstrap:
            choice(t, "bootstrap", BOOTSTRAP_NAMES, where, path)
        bases[bid] = BaseSpec(name=bid, pull=pull, bootstrap=bootstrap)
    targets: dict[str, Target] = {}
    for tid, t in _tables(raw, "targets", path).items():
        where = f"[targets.{tid}]"
        _check_keys(t, "target", where, path)
        targets[tid] = Target(
            id=tid,
            triple=matching(
                need(t, "triple", where, path), schema_pattern("target"), "a target triple", "triple", where, path
            ),
            libc=choice(t, "libc", choices("libc"), where, path),
            crt_linkage=choice(t, "crt_linkage", choices("crt_linkage"), where, path),
            toolchain=choice(t, "toolchain", choices("toolchain"), where, path),
            rustflags=strings(t, "rustflags", where, path),
        )
    profiles: dict[str, Profile] = {}
    for prid, t in _tables(raw, "profiles", path).items():
        where = f"[profiles.{prid}]"
        _check_keys(t, "profile", where, path)
        settings = need(t, "settings", where, path, dict)
        for k, v in settings.items():
            matching(k, PROFILE_KEY, "a cargo profile key", "settings key", where, path)
            if isinstance(v, str):
                matching(v, PROFILE_TEXT, "letters, digits, '.', '_' or '-'", f"settings.{k}", where, path)
            elif not isinstance(v, int | bool):
                raise RecipeError(f"{path}: {where}: setting {k!r} must be a string, integer or boolean")
        if "strip" in settings:
            choice(settings, "strip", choices("strip"), where, path)
        description = plain_text(need(t, "description", where, path), "description", where, path)
        profiles[prid] = Profile(id=prid, description=description, settings=tuple(settings.items()))

    variants: list[Variant] = []
    seen: set[tuple[str, str]] = set()
    raw_variants = raw.get("variants", [])
    if not isinstance(raw_variants, list):
        raise RecipeError(f"{path}: 'variants' must be an array of tables ([[variants]])")
    for i, t in enumerate(raw_variants):
        where = f"[[variants]] #{i + 1}"
        _check_keys(t, "variant", where, path)
        where = f"[[variants]] #{i + 1} ({shown(t.get('program', '?'), 30)}/{shown(t.get('id', '?'), 30)})"

        def pick(key: str, table: dict, t: dict = t, where: str = where) -> Any:
            name = need(t, key, where, path)
            if name not in table:
                raise RecipeError(f"{path}: {where}: {key} {shown(name)} is not defined; defined: {', '.join(table)}")
            return table[name]

        program = pick("program", programs)
        vid = slug(need(t, "id", where, path), "id", where, path)
        if (program.id, vid) in seen:
            raise RecipeError(f"{path}: {where}: variant id {vid!r} is used twice for {program.id}")
        seen.add((program.id, vid))
        variant = Variant(
            program=program,
            id=vid,
            base=pick("base", bases),
            target=pick("target", targets),
            profile=pick("profile", profiles),
            features=strings(t, "features", where, path, pattern=FEATURE, what="a cargo feature name"),
            rustflags=strings(t, "rustflags", where, path),
            tls=choice(t, "tls", choices("tls"), where, path, default="none"),
            dns=choice(t, "dns", choices("dns"), where, path, default="none"),
            allocator=choice(t, "allocator", choices("allocator"), where, path, default="system"),
            roots=choice(t, "roots", choices("roots"), where, path, default="none"),
            cargo_flags=_cargo_flags(t, where, path),
            verify=program.verify + _verify_steps(t.get("verify", []), where, path),
            matrix=choice(t, "matrix", MATRICES, where, path, default=""),
        )
        arches = _arches(t, variant.target, where, path)
        for other in [variant.for_arch(arch) for arch in arches] + like_for_like(variant, arches):
            if other.key in seen and other is not variant:
                raise RecipeError(f"{path}: {where}: variant id {other.id!r} is used twice for {program.id}")
            seen.add(other.key)
            variants.append(other)
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


def like_for_like(variant: Variant, arches: tuple[str, ...]) -> list[Variant]:
    """The x86-64 partner that holds the toolchain equal in a comparison with another architecture: when
    that architecture's std must be rebuilt here and the variant's own toolchain is another one, the
    variant is built once more by the rebuilding toolchain (``<id>-build-std``)."""
    toolchains = {ARCHES[a].std_toolchain for a in arches if a != variant.arch and ARCHES[a].std_toolchain}
    return [variant.with_toolchain(tc) for tc in sorted(toolchains) if tc != variant.target.toolchain]


def _arches(t: dict, target: Target, where: str, path: Path) -> tuple[str, ...]:
    """A variant's ``arches``: the architectures it is built for (default: its target's alone)."""
    if "arches" not in t:
        return (target.arch,)
    arches = strings(t, "arches", where, path)
    allowed = schema_enum("arch")
    for i, arch in enumerate(arches):
        if arch not in allowed:
            raise RecipeError(f"{path}: {where}: arches[{i}] = {shown(arch)} is not one of: {', '.join(allowed)}")
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
    flags = strings(t, "cargo_flags", where, path)
    for i, flag in enumerate(flags):
        if not any(re.fullmatch(p, flag) for p in CARGO_FLAGS):
            raise RecipeError(
                f"{path}: {where}: cargo_flags[{i}] = {shown(flag)} is not an allowed cargo flag; "
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
        name = need(t, key, "[peers]", path)
        if name not in table:
            raise RecipeError(f"{path}: [peers]: {key} {shown(name)} is not defined")
        return table[name]

    program: Program = pick("program", programs)
    target: Target = pick("target", targets)
    profile: Profile = pick("profile", profiles)
    if target.crt_linkage != "static":
        raise RecipeError(f"{path}: [peers]: target {target.id!r} must link the C runtime statically (FROM scratch)")
    if "scratch" not in bases:
        raise RecipeError(f"{path}: [peers]: the peers run FROM scratch, so [bases.scratch] must be declared")
    return Variant(program=program, id="peers", base=bases["scratch"], target=target, profile=profile)
