#!/usr/bin/env python3
"""Benchmark the webserver per C library and allocator, and write measurements/bench.csv.

The variants (by default webserver/alloc-*, declared in programs/recipes.toml) are first measured
like any other (scripts/measure.py's runner: built, checked, rows in images.csv). Then, on a quiet
machine, each image serves on one CPU while wrk loads it from another, in interleaved rounds;
callgrind counts the instructions per request; see cheatsheet/measure/bench/ and the methodology
page. The baseline is always benchmarked in the same run, and a run replaces the whole file.

Examples:
  python scripts/bench.py                        # the full run (about 30 minutes on two cores)
  python scripts/bench.py --check                # run again and compare every ratio with bench.csv
  python scripts/bench.py --rounds 1 --max-rounds 1 --duration 1 --warmup 0 --startup-runs 1 \\
      --no-build-time --instruction-requests 20 --only webserver/alloc-musl --csv /tmp/bench.csv
Exit status: 0 every variant benchmarked (and, with --check, every ratio within 10 %),
1 some variant failed or a ratio moved more, 2 bad arguments or the run could not start.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from cheatsheet.data.schema import Schema
from cheatsheet.data.store import upsert_rows
from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.measure import cli
from cheatsheet.measure.bases.common import BaseUnavailable
from cheatsheet.measure.bench.load import BenchError, Settings
from cheatsheet.measure.bench.run import plan, run
from cheatsheet.measure.bench.summary import check_rows
from cheatsheet.measure.cli import log, not_negative, positive
from cheatsheet.measure.context import Context
from cheatsheet.measure.docker import DockerUnavailable
from cheatsheet.measure.errors import MeasureError
from cheatsheet.measure.toolchain import ToolchainError
from cheatsheet.paths import MEASUREMENTS, label

BASELINE = "alloc-glibc-dynamic"
#: `--check` fails when a published ratio moved by more than this between the two runs.
CHECK_LIMIT = 0.10
CHECKS_SCHEMA = MEASUREMENTS / "bench_checks.schema.json"


def memory(text: str) -> int:
    """``512m``, ``1g``, ``1048576``: a memory size in bytes (argparse type)."""
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    number, unit = (text[:-1], units[text[-1].lower()]) if text[-1:].lower() in units else (text, 1)
    try:
        value = int(float(number) * unit)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a memory size (e.g. 512m, 1g, 1048576)") from None
    if value < 16 * 1024**2:
        raise argparse.ArgumentTypeError(f"{text!r} is less than 16 MiB")
    return value


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = cli.parser(__doc__)
    cli.add_only(parser, "variants to benchmark besides the baseline (default: webserver/alloc-*)")
    parser.add_argument("--baseline", default=BASELINE, help="the variant every ratio is taken to (always benchmarked)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="run again into a temporary file and compare every ratio with the committed bench.csv",
    )
    parser.add_argument("--rounds", type=positive, default=5, help="rounds at least (default %(default)s)")
    parser.add_argument(
        "--max-rounds",
        type=positive,
        default=9,
        help="rounds at most, while a ratio's rounds spread wider than 10%% (default %(default)s)",
    )
    parser.add_argument("--duration", type=positive, default=10, help="seconds of load per endpoint and round")
    parser.add_argument(
        "--slice",
        type=positive,
        default=Settings.slice_s,
        help="seconds of load per turn: each endpoint's --duration is cut into turns that alternate between "
        "the images (default %(default)s)",
    )
    parser.add_argument("--warmup", type=not_negative, default=3, help="seconds of uncounted load before each")
    parser.add_argument("--startup-runs", type=positive, default=4, help="timed starts per image and round")
    parser.add_argument("--connections", type=positive, default=16)
    parser.add_argument("--server-cpus", default="1", help="CPUs of the server (docker run --cpuset-cpus)")
    parser.add_argument("--load-cpus", default="0", help="CPUs of the load generator (taskset)")
    parser.add_argument("--memory", type=memory, default=memory("512m"), help="the server's memory limit")
    parser.add_argument("--workers", type=positive, default=2, help="the server's runtime threads (WORKERS)")
    parser.add_argument(
        "--instruction-requests",
        type=positive,
        default=200,
        help="/alloc requests counted under callgrind (default %(default)s)",
    )
    parser.add_argument("--no-build-time", action="store_true", help="skip the cold build of each binary")
    parser.add_argument(
        "--max-steal",
        type=float,
        default=Settings.max_steal_pct,
        help="the hypervisor's steal (%%) above which the run does not start, and a round with more is "
        "flagged in the rows (default %(default)s)",
    )
    parser.add_argument(
        "--allow-busy", action="store_true", help="run although the machine is busy (every row then says quiet = no)"
    )
    cli.add_files(parser, MEASUREMENTS / "bench.csv")
    parser.add_argument("--images-csv", type=Path, default=MEASUREMENTS / "images.csv")
    parser.add_argument(
        "--checks-csv",
        type=Path,
        default=None,
        help="where --check writes its comparison, and a new run empties it (default: bench_checks.csv beside --csv)",
    )
    args = parser.parse_args(argv)
    if args.max_rounds < args.rounds:
        parser.error("--max-rounds must be at least --rounds")
    args.checks_csv = args.checks_csv or args.csv.with_name("bench_checks.csv")
    return args


def report_check(committed: Path, rerun: Path, checks: Path) -> int:
    """Print each ratio's change from the committed run to the second one and write them to ``checks``
    (bench_checks.csv); 1 if any moved more than the limit."""
    schema = Schema.load(MEASUREMENTS / "bench.schema.json")
    old = {r["variant"]: dict(r) for r in read_table(committed, schema).rows}
    new = {r["variant"]: dict(r) for r in read_table(rerun, schema).rows}
    rows = check_rows(old, new, CHECK_LIMIT * 100)
    if not rows:
        log(f"--check: {committed} has no ratio to compare with; run scripts/bench.py first")
        return 1
    cpus = {old[r["variant"]]["cpu_model"] for r in rows} | {rows[0]["cpu_model"]}
    if len(cpus) > 1:
        log(f"--check: the committed run and this one ran on different CPUs ({' / '.join(sorted(cpus))}): "
            "the comparison is of two machines as well as two runs")  # fmt: skip
    worst = 0.0
    for r in rows:
        change = r["rerun"] / r["committed"] - 1
        worst = max(worst, abs(change))
        flag = "" if abs(change) <= CHECK_LIMIT else "   <-- beyond ±10%"
        log(f"{r['variant']:<24} {r['ratio']:<26} committed {r['committed']:8.3f}  now {r['rerun']:8.3f}  "
            f"change {change:+7.1%}{flag}")  # fmt: skip
    upsert_rows(checks, rows, label=label(checks), replace_all=True, schema=Schema.load(CHECKS_SCHEMA))
    ok = worst <= CHECK_LIMIT
    log(f"--check: the largest change is {worst:.1%}: {'within' if ok else 'beyond'} ±{CHECK_LIMIT:.0%}; "
        f"written to {label(checks)}")  # fmt: skip
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    return cli.exit_status(lambda: bench(args))


def bench(args: argparse.Namespace) -> int:
    recipes, chosen = cli.selection(args.recipes, args.only, ["webserver/alloc-*"])
    baseline = cli.selection(args.recipes, [f"webserver/{args.baseline}"])[1][0]
    cli.refuse_invalid(
        [(args.csv, "bench"), (args.checks_csv or args.csv.with_name("bench_checks.csv"), "bench_checks")]
    )
    settings = Settings(
        rounds=args.rounds, max_rounds=args.max_rounds, duration_s=args.duration, warmup_s=args.warmup,
        startup_per_round=args.startup_runs, connections=args.connections, server_cpus=args.server_cpus,
        load_cpus=args.load_cpus, memory_bytes=args.memory, workers=args.workers, max_steal_pct=args.max_steal,
        slice_s=args.slice,
    )  # fmt: skip
    the_plan = plan(chosen, baseline, settings, build_time=not args.no_build_time and not args.check,
                    instruction_requests=args.instruction_requests, allow_busy=args.allow_busy)  # fmt: skip
    cli.make_dirs(args.cache_dir)
    ctx = Context(recipes=recipes, csv_path=args.images_csv, cache_dir=args.cache_dir, log=log)
    try:
        out = run(the_plan, ctx, log)
    except (DockerUnavailable, BenchError, BaseUnavailable, ToolchainError, MeasureError, DataError) as exc:
        log(f"error: {str(exc).splitlines()[0]}")
        return 2
    finally:
        ctx.close()
    schema = Schema.load(MEASUREMENTS / "bench.schema.json")
    records = [{**dict.fromkeys(schema.names), **r} for r in out]
    checks = args.checks_csv
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            rerun = Path(tmp) / "bench.csv"
            upsert_rows(rerun, records, schema=schema)  # the same checks as the real file
            return report_check(args.csv, rerun, checks)
    upsert_rows(args.csv, records, schema=schema, replace_all=True)
    # a new run has not been checked yet: the check of the run it replaced goes with it
    upsert_rows(checks, [], label=label(checks), replace_all=True, schema=Schema.load(CHECKS_SCHEMA))
    for r in records:
        if r["failure"]:
            log(f"{r['variant']:<22} failed: {r['failure']}")
        else:
            log(f"{r['variant']:<22} /alloc {r['alloc_rps']} req/s (x{r['alloc_rps_ratio']}), "
                f"p99 {r['alloc_p99_us']} us "
                f"(x{r['alloc_p99_ratio']}); /cpu x{r['cpu_rps_ratio']}; peak memory {r['rss_bytes']} B "
                f"(x{r['rss_ratio']}); start-up {r['startup_ms']} ms; {r['alloc_instructions']} instructions per "
                f"/alloc request (x{r['alloc_instructions_ratio']}); cold build {r['build_seconds']} s")  # fmt: skip
    log(f"wrote {len(records)} rows to {args.csv} ({records[0]['rounds']} rounds, quiet: {records[0]['quiet']})")
    return 1 if any(r["failure"] for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
