"""One benchmark run, start to finish: the images, the quiet check, the rounds, the instruction counts,
and the rows of bench.csv (a run is the whole file: every ratio is to a baseline of the same rounds)."""

from __future__ import annotations

import datetime as _dt
import hashlib
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...recipes.model import Variant
from ..cargo import cold_build
from ..context import Context
from ..docker import inspect_image
from ..errors import MeasureError
from ..runner import measure_variant
from .host import Quietness, cpu_sample, disturbance, host_provenance, own_cpu_seconds, quietness
from .instructions import extract_binary, instructions_per_request
from .load import Bench, BenchError, Samples, Settings
from .summary import Figures, spread_too_wide, summarise

#: Decimal places of the numbers bench.csv holds (ratios are checked to the third).
PLACES = 3


@dataclass(frozen=True)
class Plan:
    """What a run measures: the variants (the baseline first) and how."""

    variants: tuple[Variant, ...]
    baseline: Variant
    settings: Settings
    build_time: bool = True
    instruction_requests: int = 200
    allow_busy: bool = False


def plan(chosen: list[Variant], baseline: Variant, settings: Settings, **options: Any) -> Plan:
    """The run of ``chosen`` and always of ``baseline`` too: a ratio is only ever taken to a baseline
    measured in the same rounds."""
    rest = [v for v in chosen if v.key != baseline.key]
    return Plan(variants=(baseline, *rest), baseline=baseline, settings=settings, **options)


def machine_quietness(seconds: float) -> Quietness:
    """Others' share of the machine and the hypervisor's steal (percent) over ``seconds`` with nothing
    of ours running."""
    before, ours = cpu_sample(), own_cpu_seconds()
    time.sleep(seconds)
    return quietness(before, cpu_sample(), own_cpu_seconds() - ours)


def disturbed_run(figures: dict[str, Figures], s: Settings) -> bool:
    """Whether any variant's worst round saw more of others' work or more steal than the limits (each
    round's share is the mean over its slices)."""
    worst = (Quietness(float(f.get("foreign_cpu_pct") or 0), float(f.get("steal_pct") or 0)) for f in figures.values())
    return any(disturbance(q, s.max_foreign_pct, s.max_steal_pct) for q in worst)


def image_of(variant: Variant, ctx: Context, log: Callable[[str], None]) -> tuple[dict[str, Any], str]:
    """The variant's measured row and its image id (measured again if the image is gone)."""
    row, _cached = measure_variant(variant, ctx, lambda step: log(f"{variant.id}: {step}"))
    if row["runs"] != "yes":
        return row, ""
    info = inspect_image(ctx.tag(variant))
    if info is None:  # a cached row whose image was removed since: build it again
        ctx.use_cache = False
        try:
            row, _cached = measure_variant(variant, ctx, lambda step: log(f"{variant.id}: {step}"))
        finally:
            ctx.use_cache = True
        info = inspect_image(ctx.tag(variant))
        if info is None:
            raise MeasureError(f"{ctx.tag(variant)} is missing right after it was built")
    return row, str(info["Id"])


def cold_build_seconds(variant: Variant, ctx: Context) -> float:
    """Seconds to build the binary in an empty target directory (crates fetched beforehand)."""
    return cold_build(variant, ctx.toolchain(variant.target.toolchain, variant.arch), ctx)[1].wall


def wrk_version() -> str:
    proc = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first = (proc.stdout or proc.stderr).strip().splitlines()
    return " ".join(first[0].split()[:2]) if first else "wrk"


def decimal(value: float | int | str | None, places: int = PLACES) -> str | int | None:
    if value is None or isinstance(value, (int, str)):
        return value
    return f"{value:.{places}f}"


def run(p: Plan, ctx: Context, log: Callable[[str], None]) -> list[dict[str, Any]]:
    """Benchmark the plan; the rows of bench.csv (one per variant, the baseline first)."""
    s = p.settings
    if not p.allow_busy:
        why = disturbance(machine_quietness(5.0), s.max_foreign_pct, s.max_steal_pct)
        if why:
            raise BenchError(
                f"the machine is busy: over 5 s {why}; wait until it is quiet, or pass --allow-busy (the rows say so)"
            )
    failures: dict[str, str] = {}
    images: dict[str, str] = {}
    build: dict[str, float] = {}
    for v in p.variants:
        try:
            measured, image = image_of(v, ctx, log)
        except MeasureError as exc:
            failures[v.id] = str(exc).splitlines()[0]
            continue
        if not image:
            failures[v.id] = measured["failure"] or "the image does not run"
            continue
        images[v.id] = image
        if p.build_time:
            log(f"{v.id}: timing a cold build")
            build[v.id] = cold_build_seconds(v, ctx)
    if p.baseline.id not in images:
        raise BenchError(
            f"the baseline {p.baseline.id} could not be benchmarked ({failures.get(p.baseline.id, 'no image')}): "
            "no ratio can be taken, so nothing is written"
        )
    bench = Bench(s, log=log)
    results = bench.run(images, lambda res, done: spread_too_wide(res, p.baseline.id, s.spread))
    rounds = max(len(r.rps["alloc"]) for r in results.values())
    instructions: dict[str, float] = {}
    hashes: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="cheatsheet-binaries-", dir=ctx.cache_dir) as tmp:
        for v in p.variants:
            if v.id not in images or results[v.id].failure:
                continue
            where = Path(tmp) / v.id
            where.mkdir()
            binary = extract_binary(images[v.id], f"/{v.program.binary}", where)
            hashes[v.id] = hashlib.sha256(binary.read_bytes()).hexdigest()
            log(f"{v.id}: counting instructions per /alloc request under callgrind")
            instructions[v.id] = instructions_per_request(binary, requests=p.instruction_requests)
    figures = summarise(results, p.baseline.id, instructions)
    return rows(p, ctx, figures, results, failures, images, build, hashes, rounds)


def rows(
    p: Plan,
    ctx: Context,
    figures: dict[str, Figures],
    results: dict[str, Samples],
    failures: dict[str, str],
    images: dict[str, str],
    build: dict[str, float],
    hashes: dict[str, str],
    rounds: int,
) -> list[dict[str, Any]]:
    s = p.settings
    provenance = {**host_provenance(), "docker_version": ctx.docker_version(), "load_generator": wrk_version()}
    now = _dt.datetime.now(_dt.UTC).replace(microsecond=0)
    flagged = p.allow_busy or disturbed_run(figures, s)
    out = []
    for v in p.variants:
        row = figures.get(v.id, {})
        failure = failures.get(v.id) or str(row.get("failure") or "")
        record: dict[str, Any] = {
            "program": v.program.id, "variant": v.id, "libc": v.target.libc, "crt_linkage": v.target.crt_linkage,
            "allocator": v.allocator, "baseline": p.baseline.id, "failure": failure,
            "rounds": rounds, "duration_s": s.duration_s, "slice_s": s.slice_s, "warmup_s": s.warmup_s,
            "connections": s.connections,
            "server_cpus": s.server_cpus, "load_cpus": s.load_cpus, "memory_bytes": s.memory_bytes,
            "workers": s.workers, **provenance, "quiet": "no" if flagged else "yes",
            "instruction_requests": p.instruction_requests if v.id in hashes else None,
            "binary_sha256": hashes.get(v.id, ""), "image_id": images.get(v.id, ""), "measured_at": now,
            "build_seconds": decimal(build.get(v.id), 1),
        }  # fmt: skip
        for key, value in row.items():
            if key != "failure":
                record[key] = decimal(value, 2 if key.endswith("_pct") else PLACES)
        if failure:  # a failed variant publishes no figure, only why
            for key in list(record):
                if key in row and key not in ("failure",):
                    record[key] = None
        out.append(record)
    return out
