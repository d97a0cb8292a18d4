"""Size ladders: a program made smaller one knob at a time, declared once as data in programs/recipes.toml.

A ``[ladders.<id>]`` table names a starting program, a base, its ``columns`` (column id -> the target
the column starts from; a column's id starts with its target's C library: ``glibc``, ``glibc-build-std``,
``musl``) and an ordered list of ``[[ladders.<id>.steps]]``. Each step has an ``id`` (a slug), a one-line
``knob`` (what it adds) and ``price`` (what it costs), both rendered by the site, and what it
``adds`` to the step before it:

``profile``
    cargo ``[profile.release]`` settings, merged (a later value of a key replaces an earlier one);
    only keys cargo knows (:data:`PROFILE_KEYS`: cargo merely warns about an unknown key and builds
    the previous step again, so an unknown key is a load-time error here).
``rustflags``
    appended to RUSTFLAGS.
``cargo_flags``
    appended to the cargo command; only the ``-Z`` flags of :data:`CARGO_FLAGS` (the toolchain's
    own ``-Zbuild-std=std,panic_abort`` is given once, by the toolchain, never by a step).
``features``
    appended cargo features; reset when ``program`` switches (features belong to a program).
``program``, ``target``
    replace the program built and the target (a step that needs a rebuilt std switches glibc to a
    ``debian-build-std`` target).

A ``glibc`` or ``musl`` table (keyed by the target's libc) adds more for that libc's columns only, or
gives ``skip = "<reason>"``: the step does not apply there and makes no variant. Where two columns
build exactly the same thing at a step (a prebuilt-std column that switched to a rebuilt std), the
step is built once and shown in both (``Rung.same_as``). ``not_measured`` says why
a step cannot be measured on this machine at all (UPX); it makes no variant either, and the page
shows the reason. Steps after a skipped or unmeasured one still add to everything before them.

:func:`expand` turns a ladder into ordinary :class:`cheatsheet.recipes.model.Variant` objects with the id
``ladder-<column>-<NN>-<step id>`` (``NN`` = the step's 1-based position, two digits) under the
program the step builds, so scripts/measure.py measures them like every other variant. Every value
is checked as strictly as the rest of the recipes: unknown keys, bad slugs, unknown programs or
targets, a -Z flag off the allow-list are :class:`cheatsheet.recipes.checks.RecipeError` naming the file,
the table and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .checks import (
    FEATURE,
    PROFILE_TEXT,
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
from .model import CARGO_FLAGS, Adds, BaseSpec, Ladder, Profile, Program, Rung, Step, Target, Variant, choices

#: cargo's ``[profile.*]`` keys (The Cargo Book, "Profiles"), plus the nightly ``trim-paths``.
PROFILE_KEYS = (
    "opt-level",
    "debug",
    "split-debuginfo",
    "strip",
    "debug-assertions",
    "overflow-checks",
    "lto",
    "panic",
    "incremental",
    "codegen-units",
    "rpath",
    "trim-paths",
)
ADD_KEYS = {"profile", "rustflags", "cargo_flags", "features", "program", "target"}
STEP_KEYS = {"id", "knob", "price", "adds", "not_measured"}
LADDER_KEYS = {"title", "program", "base", "columns", "steps"}
VARIANT_PREFIX = "ladder"


def variant_id(column: str, step: Step) -> str:
    return f"{VARIANT_PREFIX}-{column}-{step.number:02d}-{step.id}"


def _adds(raw: object, where: str, path: Path, programs: dict, targets: dict) -> Adds:
    raw = check_table(raw, ADD_KEYS, where, path, noun="knob(s)")
    settings = raw.get("profile", {})
    if not isinstance(settings, dict):
        raise RecipeError(f"{path}: {where}: 'profile' must be a table of cargo profile settings")
    for key, value in settings.items():
        if key not in PROFILE_KEYS:
            raise RecipeError(
                f"{path}: {where}: profile.{shown(key)} is not a cargo profile key; known: {', '.join(PROFILE_KEYS)}"
            )
        if isinstance(value, str):
            matching(value, PROFILE_TEXT, "letters, digits, '.', '_' or '-'", f"profile.{key}", where, path)
        elif not isinstance(value, int | bool):
            raise RecipeError(f"{path}: {where}: profile.{key} must be a string, integer or boolean")
    if "strip" in settings:
        choice(settings, "strip", choices("strip"), where, path)
    cargo_flags = strings(raw, "cargo_flags", where, path)
    for i, flag in enumerate(cargo_flags):
        if not any(re.fullmatch(p, flag) for p in CARGO_FLAGS):
            raise RecipeError(
                f"{path}: {where}: cargo_flags[{i}] = {shown(flag)} is not an allowed cargo flag; "
                f"allowed: {', '.join(CARGO_FLAGS)}"
            )
    program = raw.get("program", "")
    if program != "" and program not in programs:
        raise RecipeError(f"{path}: {where}: program {shown(program)} is not defined; defined: {', '.join(programs)}")
    target = raw.get("target", "")
    if target != "" and target not in targets:
        raise RecipeError(f"{path}: {where}: target {shown(target)} is not defined; defined: {', '.join(targets)}")
    return Adds(
        profile=tuple(settings.items()),
        rustflags=strings(raw, "rustflags", where, path),
        cargo_flags=cargo_flags,
        features=strings(raw, "features", where, path, pattern=FEATURE, what="a cargo feature name"),
        program=program,
        target=target,
    )


def _line(table: dict, key: str, where: str, path: Path) -> str:
    value = plain_text(need(table, key, where, path), key, where, path)
    if not value.strip() or value != value.strip():
        raise RecipeError(f"{path}: {where}: {key} = {shown(value)} is empty or has surrounding spaces")
    return value


def _step(
    raw: object, number: int, where: str, path: Path, libcs: tuple[str, ...], programs: dict, targets: dict
) -> Step:
    raw = check_table(raw, STEP_KEYS | set(libcs), where, path)
    sid = slug(need(raw, "id", where, path), "id", where, path)
    where = f"{where} ({sid})"
    per_libc: list[tuple[str, Adds]] = []
    skip: list[tuple[str, str]] = []
    for libc in libcs:
        if libc not in raw:
            continue
        sub = raw[libc]
        at = f"{where}.{libc}"
        if isinstance(sub, dict) and "skip" in sub:
            if set(sub) != {"skip"}:
                raise RecipeError(f"{path}: {at}: a skipped step adds nothing; only 'skip' = \"<reason>\"")
            skip.append((libc, _line(sub, "skip", at, path)))
        else:
            per_libc.append((libc, _adds(sub, at, path, programs, targets)))
    not_measured = _line(raw, "not_measured", where, path) if "not_measured" in raw else ""
    return Step(
        number=number,
        id=sid,
        knob=_line(raw, "knob", where, path),
        price=_line(raw, "price", where, path),
        adds=_adds(raw.get("adds", {}), f"{where}.adds", path, programs, targets),
        per_libc=tuple(per_libc),
        skip=tuple(skip),
        not_measured=not_measured,
    )


def load_ladder(
    lid: str,
    raw: object,
    path: Path,
    programs: dict[str, Program],
    bases: dict[str, BaseSpec],
    targets: dict[str, Target],
) -> Ladder:
    """Check one ``[ladders.<lid>]`` table and expand it (see the module docstring)."""
    where = f"[ladders.{lid}]"
    raw = check_table(raw, LADDER_KEYS, where, path)
    title = _line(raw, "title", where, path)
    program = need(raw, "program", where, path)
    if program not in programs:
        raise RecipeError(f"{path}: {where}: program {shown(program)} is not defined; defined: {', '.join(programs)}")
    base = need(raw, "base", where, path)
    if base not in bases:
        raise RecipeError(f"{path}: {where}: base {shown(base)} is not defined; defined: {', '.join(bases)}")
    columns = check_table(need(raw, "columns", where, path, dict), set(need(raw, "columns", where, path, dict)),
                          f"{where}.columns", path)  # fmt: skip
    if not columns:
        raise RecipeError(f"{path}: {where}: 'columns' names no target")
    start: dict[str, Target] = {}
    for column, tid in columns.items():
        slug(column, "column", f"{where}.columns", path)
        if not isinstance(tid, str) or tid not in targets:
            raise RecipeError(
                f"{path}: {where}: columns.{column} = {shown(tid)} is not a defined target; "
                f"defined: {', '.join(targets)}"
            )
        if column.split("-", 1)[0] != targets[tid].libc:
            raise RecipeError(
                f"{path}: {where}: columns.{column}: a column's name starts with its target's C library "
                f"({targets[tid].libc})"
            )
        start[column] = targets[tid]
    libcs = tuple(dict.fromkeys(t.libc for t in start.values()))
    raw_steps = need(raw, "steps", where, path, list)
    if not raw_steps:
        raise RecipeError(f"{path}: {where}: 'steps' is empty")
    steps: list[Step] = []
    for n, item in enumerate(raw_steps, start=1):
        step = _step(item, n, f"[[ladders.{lid}.steps]] #{n}", path, libcs, programs, targets)
        if any(s.id == step.id for s in steps):
            raise RecipeError(f"{path}: [[ladders.{lid}.steps]] #{n}: step id {step.id!r} is used twice")
        steps.append(step)
    for step in steps:  # a libc-specific target must stay with its libc
        for libc, adds in step.per_libc:
            if adds.target and targets[adds.target].libc != libc:
                raise RecipeError(
                    f"{path}: [[ladders.{lid}.steps]] #{step.number} ({step.id}).{libc}: target "
                    f"{adds.target!r} is a {targets[adds.target].libc} target"
                )
        if step.adds.target:
            raise RecipeError(
                f"{path}: [[ladders.{lid}.steps]] #{step.number} ({step.id}).adds: a target belongs to one libc; "
                f"put it in the step's {' or '.join(libcs)} table"
            )
    return Ladder(
        id=lid,
        title=title,
        columns=tuple(start.items()),
        steps=tuple(steps),
        rungs=_expand(lid, steps, programs[program], bases[base], start, targets, programs),
    )


@dataclass
class _State:
    """What a step is built with: everything the steps up to it added, for one libc."""

    program: Program
    target: Target
    settings: dict[str, Any] = field(default_factory=dict)
    rustflags: list[str] = field(default_factory=list)
    cargo_flags: list[str] = field(default_factory=list)
    features: list[str] = field(default_factory=list)

    def key(self) -> tuple:
        """Everything that decides the build: equal keys build the same binary."""
        return (self.program.id, self.target, tuple(self.settings.items()), tuple(self.rustflags),
                tuple(self.cargo_flags), tuple(self.features))  # fmt: skip

    def apply(self, adds: Adds, targets: dict[str, Target], programs: dict[str, Program]) -> None:
        if adds.program and adds.program != self.program.id:
            self.program = programs[adds.program]
            self.features = []  # features belong to a program
        if adds.target:
            self.target = targets[adds.target]
        self.settings.update(adds.profile)
        self.rustflags += adds.rustflags
        self.cargo_flags += [f for f in adds.cargo_flags if f not in self.cargo_flags]
        self.features += [f for f in adds.features if f not in self.features]


def _expand(
    lid: str,
    steps: list[Step],
    program: Program,
    base: BaseSpec,
    start: dict[str, Target],
    targets: dict[str, Target],
    programs: dict[str, Program],
) -> tuple[Rung, ...]:
    rungs: list[Rung] = []
    built: dict[tuple[int, tuple], tuple[str, Variant]] = {}  # (step, what is built) -> (column, variant)
    for column, target in start.items():
        libc = target.libc
        state = _State(program=program, target=target)
        for step in steps:
            for adds in (step.adds, dict(step.per_libc).get(libc, Adds())):
                state.apply(adds, targets, programs)
            skip = dict(step.skip).get(libc, "")
            if step.not_measured or skip:
                rungs.append(Rung(step, column, libc, None, step.not_measured or skip))
                continue
            what = state.key()
            if (step.number, what) in built:  # another column builds the same thing here: one build, shown twice
                other, variant = built[step.number, what]
                rungs.append(Rung(step, column, libc, variant, same_as=other))
                continue
            vid = variant_id(column, step)
            profile = Profile(
                id=vid, description=f"{lid} step {step.number}: {step.knob}", settings=tuple(state.settings.items())
            )
            variant = Variant(
                program=state.program,
                id=vid,
                base=base,
                target=state.target,
                profile=profile,
                features=tuple(state.features),
                rustflags=tuple(state.rustflags),
                verify=state.program.verify,
                cargo_flags=tuple(state.cargo_flags),
                ladder=lid,
            )
            built[step.number, what] = (column, variant)
            rungs.append(Rung(step, column, libc, variant))
    return tuple(rungs)
