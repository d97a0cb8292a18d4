#!/usr/bin/env python3
"""Build hello-world and the webserver for arm64 three ways, timed, and record them in measurements/arm64_builds.csv.

The routes (cheatsheet/measure/arm64_routes.py): cross-gcc (Debian's rustc with std rebuilt by
-Zbuild-std, linked by aarch64-linux-gnu-gcc), zigbuild (the same, linked by zig cc through
cargo-zigbuild from requirements/zigbuild.lock) and native-emulated (Debian's arm64 cargo and rustc in
an arm64 container, run by qemu-user). Each build is cold and bounded; its binary goes into the
variant's image, which is checked under emulation like the variant itself. Each row is written as soon
as it is measured (atomically, replacing the row of the same program, variant and route), so an
interrupted run keeps what it finished and leaves the file valid.

Examples:
  python scripts/measure_arm64_routes.py --list
  python scripts/measure_arm64_routes.py                                 # every program and route
  python scripts/measure_arm64_routes.py --only 'hello-world/*'
  python scripts/measure_arm64_routes.py --only webserver/native-emulated --timeout 1500
  python scripts/measure_arm64_routes.py --missing                       # only what the CSV lacks
  python scripts/measure_arm64_routes.py --prepare-only                  # only what is made once, untimed
Exit status: 0 every selected build recorded (a build that hit its bound is recorded too),
1 some could not be measured, 2 bad arguments or data.
"""

from __future__ import annotations

import argparse
import fnmatch
import subprocess
import sys

from cheatsheet.data.schema import Schema
from cheatsheet.data.store import fit_to_schema, upsert_rows
from cheatsheet.data.table import validate_row
from cheatsheet.data.text import DataError
from cheatsheet.measure import cli
from cheatsheet.measure.arm64_routes import ARCH, PROGRAMS, ROUTES, TIMEOUTS, measure_route, prepare
from cheatsheet.measure.bases.common import BaseUnavailable
from cheatsheet.measure.cli import log
from cheatsheet.measure.context import Context
from cheatsheet.measure.docker import DockerUnavailable
from cheatsheet.measure.emulation import cannot_run
from cheatsheet.measure.errors import MeasureError
from cheatsheet.measure.toolchain import ToolchainError
from cheatsheet.paths import MEASUREMENTS, label

CSV = MEASUREMENTS / "arm64_builds.csv"
SCHEMA = MEASUREMENTS / "arm64_builds.schema.json"


def selected(globs: list[str]) -> list[tuple[str, str]]:
    """(program, route) pairs whose ``program/route`` matches one of ``globs`` (all without any)."""
    pairs = [(program, route) for program in PROGRAMS for route in ROUTES]
    if not globs:
        return pairs
    return [p for p in pairs if any(fnmatch.fnmatchcase(f"{p[0]}/{p[1]}", g) for g in globs)]


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(__doc__)
    cli.add_only(parser, "measure the program/route pairs matching GLOB (default: all)")
    parser.add_argument("--list", action="store_true", help="print the program/route pairs and exit")
    cli.add_files(parser, CSV)
    parser.add_argument(
        "--timeout", type=int, default=None, metavar="S",
        help="bound of every build in seconds (default: " + ", ".join(f"{p} {s} s" for p, s in TIMEOUTS.items()) + ")",
    )  # fmt: skip
    parser.add_argument("--missing", action="store_true", help="measure only the pairs the CSV has no row for")
    parser.add_argument(
        "--prepare-only", action="store_true",
        help="make what the builds need and is not timed (toolchains, crates, cargo-zigbuild, the builder image, "
        "base images, the local peers), then stop: nothing is built or written",
    )  # fmt: skip
    args = parser.parse_args(argv)

    pairs = selected(args.only)
    if not pairs:
        log(
            f"error: no program/route matches {' '.join(args.only)}; known: "
            + ", ".join(f"{p}/{r}" for p, r in selected([]))
        )
        return 2
    if args.list:
        print("\n".join(f"{p}/{r}" for p, r in pairs))
        return 0
    if args.timeout is not None and args.timeout < 1:
        parser.error("--timeout must be at least 1 second")
    return cli.exit_status(lambda: measure(args, pairs))


def measure(args: argparse.Namespace, pairs: list[tuple[str, str]]) -> int:
    schema = Schema.load(SCHEMA)
    recipes, _ = cli.selection(args.recipes, [f"{program}/{PROGRAMS[program]}" for program, _ in pairs])
    existing = cli.refuse_invalid([(args.csv, "arm64_builds")])[args.csv]
    if args.missing:
        have = {(r["program"], r["route"]) for r in existing}
        pairs = [p for p in pairs if p not in have]
    if why := cannot_run(ARCH):
        log(f"error: the arm64 images cannot be checked here: {why}")
        return 2
    cli.make_dirs(args.cache_dir, args.csv.parent)
    ctx = Context(recipes=recipes, csv_path=args.csv, cache_dir=args.cache_dir, log=log)
    failed: list[str] = []
    try:
        # first what is made once and not timed (toolchains, crates, images), so that the timed builds follow
        # one another with nothing of this run between them
        for program, route in list(pairs):
            log(f"preparing {program}/{route} (not timed) ...")
            try:
                prepare(recipes.variant(program, PROGRAMS[program]), route, ctx)
            except DockerUnavailable as exc:
                log(f"error: {exc}")
                return 1
            except (MeasureError, ToolchainError, BaseUnavailable, subprocess.TimeoutExpired) as exc:
                log(f"error: preparing {program}/{route}: {str(exc).splitlines()[0]}")
                failed.append(f"{program}/{route}")
                pairs.remove((program, route))
        if args.prepare_only:
            log("prepared" + (f"; could not prepare {', '.join(failed)}" if failed else ""))
            return 1 if failed else 0
        for i, (program, route) in enumerate(pairs, start=1):
            variant = recipes.variant(program, PROGRAMS[program])
            bound = args.timeout or TIMEOUTS[program]
            where = f"[{i}/{len(pairs)}] {program}/{route}"
            log(f"{where}: cold build of {variant.id}, bounded at {bound} s ...")
            try:
                row, _cut = fit_to_schema(measure_route(variant, route, ctx, bound), schema)
                validate_row(schema, row, label=f"{label(args.csv)} (row of {program}/{route})")
                upsert_rows(args.csv, [row], label=label(args.csv), schema=schema)
            except DockerUnavailable as exc:
                log(f"error: {where}: {exc}")
                failed += [f"{p}/{r}" for p, r in pairs[i - 1 :]]
                break
            except (MeasureError, ToolchainError, BaseUnavailable, DataError, subprocess.TimeoutExpired) as exc:
                log(f"error: {where}: {str(exc).splitlines()[0]}")
                failed.append(f"{program}/{route}")
                continue
            figures = (
                f"{row['build_seconds']} s wall, {row['build_cpu_seconds']} s CPU, binary {row['binary_bytes']:,} B, "
                f"{row['glibc_max'] or 'no glibc'}, runs {row['runs']}"
                if row["outcome"] == "built"
                else f"{row['outcome']}: {row['failure']}"
            )
            log(f"{where}: {figures} (others {row['others_cpu_pct']} % of the CPUs, load {row['load_average']})")
    finally:
        ctx.close()
    if failed:
        log(f"not measured: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
