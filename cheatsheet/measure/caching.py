"""The build-caching comparison: one program built the common ways (:mod:`cheatsheet.recipes.caching`),
each through the same four states of a working day, side by side.

A repetition starts every method cold, then applies one change after another to a copy of the crate
and rebuilds each method after each change, the methods taking turns (their order rotates between
repetitions):

1. ``cold``: nothing cached (``docker build --no-cache``, empty volumes);
2. ``source-edit``: a line added to ``src/main.rs``;
3. ``dependency-added``: a crate the program did not use added to ``Cargo.toml`` (and its lock entry);
4. ``lock-changed``: ``Cargo.lock`` moves one dependency to the previous patch release, nothing else.

Every layer a repetition builds is its own: the builder's tag points, during a repetition, at a child of
the builder that carries the repetition's label (same files, another image id), so no layer of an
earlier repetition can be reused, and all of them are removed afterwards by that label. The
``cache-mounts`` method needs BuildKit, which this Docker client lacks: it runs the same mechanism with
named volumes (the build stage in ``docker run`` with the registry and ``target/`` on volumes, then the
runtime stage with ``docker build``), and its rows say so.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..recipes.arch import host_arch
from ..recipes.caching import CARGO_HOME, METHOD_IDS, caching_dockerfile
from ..recipes.dockerfile import BUILD_DIR, BUILDER_IMAGE, RUN_AS, base_args, runtime_stage
from ..recipes.model import Variant
from ..util import run_command
from .builder import Builder
from .docker import docker, inspect_image, stderr_line
from .errors import MeasureError
from .rows import now
from .verbatim import CRATE_FILES, image_binary

SCENARIOS = ("cold", "source-edit", "dependency-added", "lock-changed")
RUN_LABEL = "cheatsheet.caching.run"
METHOD_LABEL = "cheatsheet.caching.method"
BUILD_TIMEOUT = 2400
#: The crate added in ``dependency-added``: small, and not in the program's dependency tree already.
ADDED_DEPENDENCY = ("fnv", "1")
#: Candidates for ``lock-changed``: the first in the lock file with an earlier patch release moves back one.
LOCK_CANDIDATES = ("itoa", "ryu", "pin-project-lite", "bytes")
COMPILING = re.compile(r"^\s*Compiling \S+ v\S+")
#: The colour codes the classic builder wraps a step's stderr in (``ESC[91m`` ... ``ESC[0m``).
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class State:
    scenario: str
    crate: Path
    change: str  # what the scenario changed, for the row
    changed: tuple[str, ...] = ()  # the files it changed, relative to the crate

    def touch(self) -> None:
        """Date the changed files now, as an edit just before a build would: cargo compares a source
        file's modification time with its last build (the states are all written before the first one)."""
        for name in self.changed:
            os.utime(self.crate / name)


def copy_crate(source: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for name in CRATE_FILES:
        if (source / name).is_dir():
            shutil.copytree(source / name, dest / name)
        else:
            shutil.copy2(source / name, dest / name)
    return dest


def lock_version(lock: Path, crate: str) -> str | None:
    match = re.search(rf'\[\[package\]\]\nname = "{re.escape(crate)}"\nversion = "([^"]+)"', lock.read_text())
    return match.group(1) if match else None


def prepare_states(variant: Variant, work: Path, cargo: str, repetition: str) -> list[State]:
    """The crate in each state of the day, each a directory of its own (cumulative changes)."""
    env = {**os.environ, "CARGO_TERM_COLOR": "never"}
    cold = copy_crate(variant.program.dir, work / "cold")
    edit = copy_crate(cold, work / "source-edit")
    main = edit / "src" / "main.rs"
    main.write_text(main.read_text() + f"\n// edited for the build-caching comparison, repetition {repetition}\n")
    added = copy_crate(edit, work / "dependency-added")
    name, version = ADDED_DEPENDENCY
    manifest = (added / "Cargo.toml").read_text()
    if "\n[dependencies]\n" not in manifest:
        raise MeasureError(f"{variant.program.id}'s Cargo.toml has no [dependencies] table to add {name} to")
    (added / "Cargo.toml").write_text(
        manifest.replace("\n[dependencies]\n", f'\n[dependencies]\n{name} = "{version}"\n', 1)
    )
    run_command([cargo, "metadata", "--format-version", "1", "--manifest-path", str(added / "Cargo.toml")],
                what="cargo metadata (adding a dependency to the lock file)", env=env, timeout=600)  # fmt: skip
    resolved = lock_version(added / "Cargo.lock", name)
    if resolved is None:
        raise MeasureError(f"the lock file did not gain {name}")
    locked = copy_crate(added, work / "lock-changed")
    change = ""
    for crate in LOCK_CANDIDATES:
        current = lock_version(locked / "Cargo.lock", crate)
        if current is None or not re.fullmatch(r"\d+\.\d+\.\d+", current):
            continue
        major, minor, patch = (int(p) for p in current.split("."))
        for earlier in range(patch - 1, max(patch - 4, -1), -1):
            proc = run_command(
                [cargo, "update", "--manifest-path", str(locked / "Cargo.toml"), "-p", f"{crate}@{current}",
                 "--precise", f"{major}.{minor}.{earlier}"],
                what="cargo update --precise", env=env, timeout=600, check=False,
            )  # fmt: skip
            if proc.returncode == 0:
                change = f"{crate} {current} → {major}.{minor}.{earlier}"
                break
        if change:
            break
    if not change:
        raise MeasureError(f"no dependency among {', '.join(LOCK_CANDIDATES)} could move to an earlier patch release")
    return [
        State("cold", cold, "nothing cached"),
        State("source-edit", edit, "a line added to src/main.rs", ("src/main.rs",)),
        State("dependency-added", added, f"{name} {resolved} added to [dependencies]", ("Cargo.toml", "Cargo.lock")),
        State("lock-changed", locked, f"Cargo.lock only: {change}", ("Cargo.lock",)),
    ]


def compiled_crates(output: str) -> int:
    """Crates cargo compiled in a build's output, leaving out a ``cargo install`` step (cargo-chef's own)."""
    count, skipping = 0, False
    for line in ANSI.sub("", output).splitlines():
        if line.startswith("Step "):
            skipping = "cargo install" in line
        elif not skipping and COMPILING.match(line):
            count += 1
    return count


def method_builder(builder: Builder, run: str, method: str) -> str:
    """A child of the builder labelled with ``run`` and ``method`` (same files, an id of its own); its id.

    Each method builds on its own child: the classic builder finds a cached step by its parent and
    instruction, and when two methods' Dockerfiles begin alike (``WORKDIR /src``) on one parent, a
    cold ``--no-cache`` build of one leaves a newer sibling that the other's next build picks up, so
    that the rest of its cached chain no longer matches and it rebuilds every crate."""
    with tempfile.TemporaryDirectory(prefix="cheatsheet-caching-builder-") as tmp:
        Path(tmp, "Dockerfile").write_text(f"FROM {builder.image_id}\n")
        proc = docker(
            "build", "--quiet", "--label", f"{RUN_LABEL}={run}", "--label", f"{METHOD_LABEL}={method}", tmp,
            timeout=300,
        )  # fmt: skip
    if proc.returncode != 0:
        raise MeasureError(f"labelling the builder for {method} failed: {stderr_line(proc)}")
    return proc.stdout.strip()


def use_builder(image_id: str) -> None:
    """Point the builder's tag (the name the Dockerfiles give) at ``image_id``."""
    proc = docker("tag", image_id, BUILDER_IMAGE, timeout=60)
    if proc.returncode != 0:
        raise MeasureError(f"tagging {image_id} as {BUILDER_IMAGE} failed: {stderr_line(proc)}")


def restore_builder(builder: Builder, run: str) -> None:
    """The builder's tag back on the builder, and every image and volume of repetition ``run`` removed."""
    docker("tag", builder.image_id, BUILDER_IMAGE, timeout=60)
    docker("image", "prune", "--all", "--force", "--filter", f"label={RUN_LABEL}={run}", timeout=900)
    for kind in ("registry", "target"):
        docker("volume", "rm", "--force", volume(run, kind), timeout=120)


def volume(run: str, kind: str) -> str:
    return f"cheatsheet-caching-{run}-{kind}"


def timed(args: list[str], timeout: float = BUILD_TIMEOUT) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.monotonic()
    try:
        proc = docker(*args, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise MeasureError(f"`docker {args[0]}` did not finish within {timeout} s") from None
    return proc, time.monotonic() - t0


def build_with_volumes(variant: Variant, state: State, run: str, tag: str, log: Path) -> tuple[float, str]:
    """The cache-mounts method without BuildKit: the build stage in a container with the registry and
    ``target/`` on named volumes, then the runtime stage; (seconds of both, output)."""
    binary, triple = variant.program.binary, variant.target.triple
    with tempfile.TemporaryDirectory(prefix="cheatsheet-caching-out-") as tmp:
        out = Path(tmp)
        script = (
            f"cp -a /context/. {BUILD_DIR}/ && cd {BUILD_DIR} && {variant.build_command()} "
            f"&& cp {BUILD_DIR}/target/{triple}/release/{binary} /out/{binary}"
        )
        mounts = [
            f"{volume(run, 'registry')}:{CARGO_HOME}/registry",
            f"{volume(run, 'target')}:{BUILD_DIR}/target",
            f"{state.crate}:/context:ro",
            f"{out}:/out",
        ]
        volumes = [arg for mount in mounts for arg in ("-v", mount)]
        build, first = timed(
            ["run", "--rm", "--label", f"{RUN_LABEL}={run}", *volumes, BUILDER_IMAGE, "sh", "-c", script]
        )
        output = build.stdout + build.stderr
        if build.returncode != 0:
            log.write_text(output)
            raise MeasureError(f"the build stage with volumes failed: {stderr_line(build)}")
        runtime = [*base_args(variant), *runtime_stage(variant, binary, user=RUN_AS)]
        (out / "Dockerfile").write_text("\n".join(runtime) + "\n")
        image, second = timed(["build", "--label", f"{RUN_LABEL}={run}", "--tag", tag, str(out)])
        output += image.stdout + image.stderr
        log.write_text(output)
        if image.returncode != 0:
            raise MeasureError(f"the runtime stage failed: {stderr_line(image)}")
    return first + second, output


def build_method(variant: Variant, method: str, state: State, run: str, tag: str, log: Path) -> tuple[float, str]:
    """Build ``state`` of the crate with ``method``'s Dockerfile; (seconds, output)."""
    if method == "cache-mounts":
        return build_with_volumes(variant, state, run, tag, log)
    with tempfile.TemporaryDirectory(prefix="cheatsheet-caching-") as tmp:
        context = copy_crate(state.crate, Path(tmp) / "crate")
        (context / "Dockerfile").write_text(caching_dockerfile(variant, method))
        args = ["build", "--label", f"{RUN_LABEL}={run}", "--tag", tag]
        if state.scenario == "cold":
            args.append("--no-cache")
        proc, seconds = timed([*args, str(context)])
    output = proc.stdout + proc.stderr
    log.write_text(output)
    if proc.returncode != 0:
        raise MeasureError(f"docker build ({method}, {state.scenario}) failed: {stderr_line(proc)}")
    return seconds, output


def load_average() -> float:
    return os.getloadavg()[0]


def compare(
    variant: Variant,
    builder: Builder,
    cargo: str,
    work: Path,
    logs: Path,
    docker_version: str,
    repetition: int,
    methods: tuple[str, ...] = METHOD_IDS,
    say: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """One repetition of the comparison: a row per method and scenario."""
    run = uuid.uuid4().hex[:12]
    order = methods[repetition % len(methods) :] + methods[: repetition % len(methods)]
    rows: list[dict[str, Any]] = []
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="states-", dir=work) as tmp:
        states = prepare_states(variant, Path(tmp), cargo, run)
        try:
            builders = {method: method_builder(builder, run, method) for method in order}
            for state in states:
                for method in order:
                    tag = f"cheatsheet-caching-{run}:{method}"
                    use_builder(builders[method])
                    load = load_average()
                    say(f"repetition {repetition + 1}, {state.scenario}: {method} ...")
                    state.touch()
                    seconds, output = build_method(
                        variant, method, state, run, tag, logs / f"{method}--{state.scenario}.log"
                    )
                    info = inspect_image(tag)
                    if info is None:
                        raise MeasureError(f"{tag} is missing after its build")
                    data = image_binary(tag, variant.program.binary, Path(tmp) / f"{method}.bin").read_bytes()
                    rows.append(
                        {
                            "program": variant.program.id,
                            "variant": variant.id,
                            "method": method,
                            "scenario": state.scenario,
                            "repetition": repetition + 1,
                            "change": state.change,
                            "seconds": round(seconds, 1),
                            "crates_compiled": compiled_crates(output),
                            "image_bytes": int(info["Size"]),
                            "binary_sha256": hashlib.sha256(data).hexdigest(),
                            "how": "named-volumes" if method == "cache-mounts" else "docker-build",
                            "builder": builder.tag,
                            "builder_source": builder.source,
                            "builder_id": builder.image_id,
                            "load_before": round(load, 2),
                            "docker_version": docker_version,
                            "host_arch": host_arch(),
                            "measured_at": now(),
                        }
                    )
                    say(f"  {seconds:.1f} s, {rows[-1]['crates_compiled']} crates compiled, image {info['Size']:,} B")
        finally:
            restore_builder(builder, run)
    return rows
