#!/usr/bin/env python3
"""Benchmark the webserver per C library and allocator, and write measurements/bench.csv.

The variants (by default webserver/alloc-*, declared in programs/recipes.toml) are first measured
like any other (scripts/measure.py's runner: built, checked, rows in images.csv), then loaded in
interleaved rounds with wrk on 127.0.0.1, with fixed CPU and memory limits; see cheatsheet/bench.py.

Examples:
  python scripts/bench.py                                  # the full run (about 35 minutes on two cores)
  python scripts/bench.py --rounds 1 --duration 1 --startup-runs 2 --no-build-time --only 'webserver/alloc-musl'
Exit status: 0 every variant benchmarked, 1 some variant failed (its row says why), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cheatsheet.data.schema import Schema, schema_path_for
from cheatsheet.data.store import upsert_rows
from cheatsheet.data.text import DataError
from cheatsheet.measure import bench
from cheatsheet.measure.cargo import build_binary
from cheatsheet.measure.context import Context
from cheatsheet.measure.docker import DockerUnavailable, inspect_image
from cheatsheet.measure.errors import MeasureError
from cheatsheet.measure.runner import measure_variant
from cheatsheet.paths import CACHE, MEASUREMENTS, RECIPES
from cheatsheet.recipes import NoMatch, RecipeError, Variant, load_recipes, select
from cheatsheet.util import run_command


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def parse_memory(text: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    if text[-1:].lower() in units:
        return int(float(text[:-1]) * units[text[-1].lower()])
    return int(text)


def image_of(variant: Variant, ctx: Context) -> tuple[dict[str, Any], str]:
    """The variant's measured row and the id of its image (measured again if the image is gone)."""
    row, _cached = measure_variant(variant, ctx, lambda step: log(f"{variant.program.id}/{variant.id}: {step}"))
    if row["runs"] != "yes":
        return row, ""
    info = inspect_image(variant.image_tag)
    if info is not None:
        return row, info["Id"]
    ctx.use_cache = False  # a cached row whose image was removed since: build it again
    try:
        row, _cached = measure_variant(variant, ctx, lambda step: log(f"{variant.id}: {step}"))
    finally:
        ctx.use_cache = True
    info = inspect_image(variant.image_tag)
    if info is None:
        raise MeasureError(f"{variant.image_tag} is missing right after it was built")
    return row, info["Id"]


def cold_build_seconds(variant: Variant, ctx: Context) -> float:
    """Seconds to build the binary in an empty target directory (crates fetched beforehand)."""
    tc = ctx.toolchain(variant.target.toolchain, variant.arch)
    run_command(
        [tc.cargo, "fetch", "--locked"],
        cwd=variant.program.dir,
        env={**os.environ, **tc.env},
        what=f"cargo fetch for {variant.id}",
        timeout=900,
    )
    with tempfile.TemporaryDirectory(prefix="cheatsheet-cold-", dir=ctx.cache_dir) as tmp:
        cold = Context(recipes=ctx.recipes, csv_path=ctx.csv_path, cache_dir=Path(tmp), log=ctx.log)
        cold.toolchains = ctx.toolchains  # the toolchain itself (and musl's sysroot) is not part of the build
        (Path(tmp) / "logs").mkdir()
        t0 = time.monotonic()
        build_binary(variant, tc, cold)
        seconds = time.monotonic() - t0
        shutil.copytree(Path(tmp) / "logs", ctx.logs_dir, dirs_exist_ok=True)
    return seconds


def wrk_version() -> str:
    proc = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    first = (proc.stdout or proc.stderr).strip().splitlines()
    return " ".join(first[0].split()[:2]) if first else "wrk"


def decimal(value: float | None, places: int = 3) -> str:
    return "" if value is None else f"{value:.{places}f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--only",
        action="append",
        metavar="GLOB",
        default=[],
        help="variants to benchmark (default: webserver/alloc-*); repeatable",
    )
    parser.add_argument("--baseline", default="alloc-glibc-dynamic", help="variant the ratios are relative to")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per endpoint and round")
    parser.add_argument("--startup-runs", type=int, default=20)
    parser.add_argument("--connections", type=int, default=bench.LOAD_CONNECTIONS)
    parser.add_argument("--cpus", type=float, default=1.0, help="docker run --cpus of the server")
    parser.add_argument("--memory", default="512m", help="docker run --memory of the server")
    parser.add_argument("--workers", type=int, default=2, help="the server's runtime threads (WORKERS)")
    parser.add_argument("--no-build-time", action="store_true", help="skip the cold build of each binary")
    parser.add_argument("--recipes", type=Path, default=RECIPES)
    parser.add_argument("--csv", type=Path, default=MEASUREMENTS / "bench.csv")
    parser.add_argument("--images-csv", type=Path, default=MEASUREMENTS / "images.csv")
    parser.add_argument("--cache-dir", type=Path, default=CACHE)
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.duration < 1 or args.startup_runs < 1 or args.connections < 1:
        parser.error("--rounds, --duration, --startup-runs and --connections must be at least 1")
    try:
        recipes = load_recipes(args.recipes)
    except RecipeError as exc:
        log(f"error: {exc}")
        return 2
    try:
        chosen = list(select(recipes.variants, args.only or ["webserver/alloc-*"]))
    except NoMatch as exc:
        log(f"error: {exc}")
        return 2
    ids = [v.id for v in chosen]
    baseline = args.baseline if args.baseline in ids else ids[0]
    chosen.sort(key=lambda v: v.id != baseline)  # the baseline first
    settings = bench.Settings(
        rounds=args.rounds,
        duration_s=args.duration,
        startup_runs=args.startup_runs,
        connections=args.connections,
        limits=bench.Limits(cpus=args.cpus, memory_bytes=parse_memory(args.memory)),
        workers=args.workers,
        build_time=not args.no_build_time,
    )
    ctx = Context(recipes=recipes, csv_path=args.images_csv, cache_dir=args.cache_dir, log=log)
    rows: dict[str, dict[str, Any]] = {}
    images: dict[str, str] = {}
    build: dict[str, float] = {}
    try:
        for v in chosen:
            try:
                measured, image = image_of(v, ctx)
                upsert_rows(ctx.csv_path, [measured])
            except (MeasureError, DataError) as exc:
                rows[v.id] = {"failure": str(exc).splitlines()[0]}
                continue
            if not image:
                rows[v.id] = {"failure": measured["failure"] or "the image does not run"}
                continue
            images[v.id] = image
            if settings.build_time:
                log(f"{v.id}: timing a cold build")
                build[v.id] = cold_build_seconds(v, ctx)
        if images:
            results = bench.Bench(settings, log=log).run({vid: images[vid] for vid in ids if vid in images})
            summary = bench.summarise(results, baseline if baseline in results else next(iter(results)))
            for vid, figures in summary.items():
                rows[vid] = figures
    except (DockerUnavailable, bench.BenchError) as exc:
        log(f"error: {exc}")
        return 2
    finally:
        ctx.close()
    provenance = {**bench.host_provenance(), "docker_version": ctx.docker_version(), "load_generator": wrk_version()}
    now = bench.timestamp()
    out = []
    for v in chosen:
        figures = rows.get(v.id, {"failure": "not benchmarked"})
        record: dict[str, Any] = {
            **dict.fromkeys(Schema.load(schema_path_for(args.csv)).names),
            "program": v.program.id, "variant": v.id, "libc": v.target.libc, "crt_linkage": v.target.crt_linkage,
            "allocator": v.allocator, "baseline": baseline, "failure": figures.get("failure") or "",
            "rounds": settings.rounds, "duration_s": settings.duration_s, "connections": settings.connections,
            "cpus": decimal(settings.limits.cpus, 2), "memory_bytes": settings.limits.memory_bytes,
            "workers": settings.workers, **provenance, "image_id": images.get(v.id, ""), "measured_at": now,
            "build_seconds": decimal(build.get(v.id), 1),
        }  # fmt: skip
        for key, value in figures.items():
            if key == "failure":
                continue
            record[key] = value if isinstance(value, int) or value is None else decimal(float(value))
        out.append(record)
    upsert_rows(args.csv, out)
    width = max(len(r["variant"]) for r in out)
    for r in out:
        if r["failure"]:
            log(f"{r['variant']:<{width}}  failed: {r['failure']}")
        else:
            log(
                f"{r['variant']:<{width}}  alloc {r['alloc_rps']} req/s (x{r['alloc_rps_ratio']}),"
                f" p99 {r['alloc_p99_us']} us (x{r['alloc_p99_ratio']});"
                f" cpu {r['cpu_rps']} req/s (x{r['cpu_rps_ratio']});"
                f" peak memory {r['rss_bytes']} B; start-up {r['startup_ms']} ms; cold build {r['build_seconds']} s"
            )
    log(f"wrote {len(out)} rows to {args.csv}")
    return 1 if any(r["failure"] for r in out) else 0


if __name__ == "__main__":
    sys.exit(main())
