"""The benchmark's macros: table, chart, single figures and the findings, all from bench.csv.

The ratios are the headline: each is a variant's median over the baseline's median, both measured in
the same interleaved rounds, shown with the lowest and highest per-round ratio. The instruction count
per request stands beside them: a figure the machine's load cannot change. When bench.csv has no rows
the macros say so on the page instead of failing: an empty dataset is valid.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import charts, render
from .context import Row, Site, macro
from .render import Column, text

NOT_RUN = "Not measured yet: the benchmark has not been run (scripts/bench.py)."


def _rows(site: Site) -> list[Row]:
    return list(site.data.rows("bench"))


def _ok(site: Site) -> list[Row]:
    return [r for r in _rows(site) if not r["failure"]]


def _not_run(site: Site, what: str = "not measured yet") -> str:
    return what + site.notes.ref("data", NOT_RUN)


def _ratio(row: Row, column: str) -> str:
    """``0.42× (0.40–0.45)``: the ratio, with the lowest and highest round where the data has them."""
    value = row.get(column)
    if value is None:
        return "–"
    low, high = row.get(f"{column}_min"), row.get(f"{column}_max")
    shown = f"{value:.2f}×" + (f" ({low:.2f}–{high:.2f})" if low is not None and high is not None else "")
    return render.sort_key(text(shown), round(value * 1000))


def _number(value: float | None, places: int = 0) -> str:
    return render.sort_key(text(f"{value:,.{places}f}"), round(value * 10**places)) if value is not None else "–"


def _provenance(site: Site, rows: list[Row]) -> str:
    first = rows[0]  # bench.csv holds one run: its schema's table rules hold every setting equal
    quiet = (
        "The machine was quiet: checked before the run, and in no measured interval did other processes use "
        f"more than {first['foreign_cpu_pct'] or 0:.1f}% of its CPU time"
        if first["quiet"] == "yes"
        else "The run was made on a busy machine and is flagged so (quiet = no)"
    )
    note = (
        f"Measured {text(first['measured_at'].strftime('%Y-%m-%d'))} on {text(first['cpu_model'])}, "
        f"{int(first['cores'])} logical CPUs, kernel {text(first['kernel'])}, Docker {text(first['docker_version'])}. "
        f"Each server ran on CPU {text(first['server_cpus'])} with {int(first['memory_bytes']) / 2**20:,.0f} MiB "
        f"of memory and {int(first['workers'])} runtime threads; {text(first['load_generator'])} ran on CPU "
        f"{text(first['load_cpus'])} with {int(first['connections'])} connections, {int(first['warmup_s'])} s of "
        f"warm-up and {int(first['duration_s'])} s of load per endpoint, "
        f"{turns(first)}, in {int(first['rounds'])} rounds. "
        f"{quiet}. Figures are medians of the rounds; a ratio is the median over {text(first['baseline'])}'s "
        "median, with the lowest and highest per-round ratio in brackets."
    )
    return site.notes.ref("data", note)


def turns(run: Row) -> str:
    """How a run's load was cut: in turns that alternate between the variants, or in one piece."""
    duration, turn = int(run["duration_s"]), int(run["slice_s"])
    if turn >= duration:
        return "each variant's in one piece"
    return f"in turns of {turn} s that alternate between the variants"


@macro
def bench_toolchains(site: Site) -> str:
    """Which compiler built which of the benchmarked variants (from images.csv), and what that means for
    the ratios between them."""
    rows = _rows(site)
    if not rows:
        return _not_run(site, "Not measured yet")
    built = {(r["program"], r["variant"]): r for r in site.data.rows("images")}
    groups: dict[tuple[str, str], list[str]] = {}
    unknown = []
    for r in rows:
        image = built.get((r["program"], r["variant"]))
        if image is None:
            unknown.append(r["variant"])
        else:
            groups.setdefault((image["rustc_release"], image["toolchain"]), []).append(r["variant"])
    missing = (
        f" images.csv has no row for {', '.join(unknown)}, so the compiler of "
        f"{'that variant' if len(unknown) == 1 else 'those variants'} is not shown here."
        if unknown
        else ""
    )
    if not groups:
        return text(missing.strip())
    if len(groups) == 1:
        ((release, toolchain),) = groups
        return text(
            f"All {len(rows) - len(unknown)} variants were built by one compiler, rustc {release} (the "
            f"{toolchain} toolchain), so the ratios compare C libraries and allocators, not compilers. "
            f"{site.data.toolchain_notes[toolchain]}{missing}"
        )
    parts = [
        f"rustc {release} ({toolchain}) built {', '.join(vids)}"
        for (release, toolchain), vids in sorted(groups.items())
    ]
    return text(
        "Not every variant was built by the same compiler: " + "; ".join(parts) + ". A ratio between "
        "variants of different compilers compares the two releases too; the instruction counts show how "
        f"much work each binary does per request, whichever compiler made it.{missing}"
    )


def _failed_or(site: Site, fn: Callable[[Row], str]) -> Callable[[Row], str]:
    return lambda r: ("failed" + site.notes.ref("data", text(r["failure"]))) if r["failure"] else fn(r)


@macro
def bench_table(site: Site) -> str:
    """Per variant: the ratios to the baseline with their spread, instructions per request, memory, start-up."""
    rows = _rows(site)
    if not rows:
        return _not_run(site, "The benchmark has not been run yet")
    title_note = _provenance(site, rows)
    instructions_note = site.notes.ref(
        "data",
        "Instructions the server executed per /alloc request, counted by callgrind (valgrind) over "
        f"{rows[0]['instruction_requests'] or 0:,} requests after a warm-up: "
        "the same on a busy machine as on an idle one.",
    )

    def instructions(r: Row) -> str:
        value, ratio = r["alloc_instructions"], r["alloc_instructions_ratio"]
        if value is None:
            return "–"
        return render.sort_key(text(f"{value / 1e6:,.2f} M ({ratio:.2f}×)"), int(value))

    def memory(r: Row) -> str:
        if r["rss_bytes"] is None:
            return "–"
        return render.size(int(r["rss_bytes"])) + text(f" ({r['rss_ratio']:.2f}×)")

    columns: list[Column[Row]] = [
        Column("Variant" + title_note, lambda r: render.code(r["variant"])),
        Column("Allocator", lambda r: text(f"{r['libc']} {r['crt_linkage']}, {r['allocator']}")),
        Column("/alloc req/s", _failed_or(site, lambda r: _ratio(r, "alloc_rps_ratio")), "r", key=True),
        Column("/alloc p99", _failed_or(site, lambda r: _ratio(r, "alloc_p99_ratio")), "r"),
        Column("/cpu req/s", _failed_or(site, lambda r: _ratio(r, "cpu_rps_ratio")), "r"),
        Column("Instructions per /alloc" + instructions_note, _failed_or(site, instructions), "r"),
        Column("Peak memory", _failed_or(site, memory), "r"),
        Column("Start-up (ms)", _failed_or(site, lambda r: _number(r["startup_ms"])), "r"),
        Column("Cold build (s)", lambda r: _number(r["build_seconds"], 1), "r"),
    ]
    return render.table(columns, rows)


@macro
def bench_raw_table(site: Site) -> str:
    """The absolute figures behind the ratios: medians with the lowest and highest round."""
    rows = _ok(site)
    if not rows:
        return _not_run(site, "The benchmark has not been run yet")

    def spread(column: str) -> Callable[[Row], str]:
        def cell(r: Row) -> str:
            median, low, high = r[column], r.get(f"{column}_min"), r.get(f"{column}_max")
            if median is None:
                return "–"
            shown = f"{median:,.0f}" + (f" ({low:,.0f}–{high:,.0f})" if low is not None and high is not None else "")
            return render.sort_key(text(shown), round(median))

        return cell

    columns: list[Column[Row]] = [
        Column("Variant" + _provenance(site, rows), lambda r: render.code(r["variant"])),
        Column("/alloc req/s", spread("alloc_rps"), "r", key=True),
        Column("/alloc p99 (µs)", spread("alloc_p99_us"), "r"),
        Column("/cpu req/s", spread("cpu_rps"), "r"),
        Column("/cpu p99 (µs)", spread("cpu_p99_us"), "r"),
    ]
    return render.table(columns, rows)


@macro
def startup_memory_table(site: Site) -> str:
    """The benchmarked images as images: base, size, time from ``docker run`` to the first good
    response, and peak memory under load (the webserver page's view of bench.csv)."""
    rows = _ok(site)
    if not rows:
        return _not_run(site, "The benchmark has not been run yet")
    title_note = _provenance(site, rows)

    def image(r: Row) -> Row | None:
        return site.measured(r["program"], r["variant"])

    columns: list[Column[Row]] = [
        Column("Variant" + title_note, lambda r: render.code(r["variant"])),
        Column("Base", lambda r: text(image(r)["base"]) if image(r) else "–"),  # type: ignore[index]
        Column("C library", lambda r: f"{text(r['libc'])}, {text(r['crt_linkage'])}"),
        Column("Allocator", lambda r: text(r["allocator"])),
        Column("Image", lambda r: site.size(image(r), "image_bytes", r["program"], r["variant"]), "r"),
        Column("Start-up to first response (ms)", lambda r: _number(r["startup_ms"]), "r", key=True),
        Column("Peak memory under load", lambda r: render.size(int(r["rss_bytes"])) if r["rss_bytes"] else "–", "r"),
    ]
    return render.table(columns, rows)


@macro
def bench_chart(site: Site) -> str:
    """Throughput on /alloc and /cpu relative to the baseline, each bar with its per-round range."""
    rows = [r for r in _ok(site) if r["alloc_rps_ratio"] or r["cpu_rps_ratio"]]
    if not rows:
        return _not_run(site, "No chart: the benchmark has not been run yet")

    def series(title: str, column: str) -> charts.Series:
        values = [r[column] if r[column] else None for r in rows]  # a zero ratio is no bar
        ranges = [
            (r[f"{column}_min"], r[f"{column}_max"]) if r.get(f"{column}_min") is not None else None for r in rows
        ]
        return charts.Series(title, values, ranges)

    wide, narrow = (  # drawn twice: for the text column of a large screen and for a phone
        charts.bar_chart(
            f"Requests per second relative to {rows[0]['baseline']}",
            [r["variant"] for r in rows],
            [series("/alloc (allocator-bound)", "alloc_rps_ratio"), series("/cpu (control)", "cpu_rps_ratio")],
            value_format=lambda v: f"{v:.2f}×",
            axis_title="throughput relative to the baseline (1.0 = the same); lines: lowest to highest round",
            logarithmic=False,
            width=width,
        )
        for width in (charts.WIDE, charts.NARROW)
    )
    caption = text(
        "The ratios of the table below: each bar is the median over the baseline's median, the line across "
        "its end runs from the lowest to the highest per-round ratio."
    )
    return charts.figure(wide, caption, narrow)


@macro
def bench_figure(site: Site, variant: object, column: object) -> str:
    """One figure of bench.csv for prose: a ratio as "0.42×", bytes as a size, others as numbers."""
    vid = site.string("variant", variant)
    col = site.string("column", column)
    if col not in site.data.tables["bench"].schema.names:
        raise site.fail(f"bench.csv has no column {col!r}")
    if not site.data.recipes.variants or vid not in {v.id for v in site.data.recipes.variants}:
        raise site.fail(f"{vid!r} is no variant of the recipes")
    rows = {r["variant"]: r for r in _rows(site)}
    if vid not in rows:
        return _not_run(site)
    value = rows[vid][col]
    if value is None or value == "":
        return "not measured" + site.notes.ref(
            "data", f"bench.csv has no {text(col)} for {text(vid)}: {text(rows[vid]['failure'] or 'not recorded')}."
        )
    return format_figure(col, value)


def format_figure(column: str, value: Any) -> str:
    if column.endswith("_ratio"):
        return text(f"{value:.2f}×")
    if column.endswith("_bytes"):
        return render.size(int(value))
    if column == "alloc_instructions":
        return text(f"{value / 1e6:,.2f} million")
    return text(f"{value:,.0f}") if isinstance(value, (int, float)) else text(value)


def _value(site: Site, vid: str, column: str) -> float | None:
    if column not in site.data.tables["bench"].schema.names:
        raise site.fail(f"bench.csv has no column {column!r}")
    row = next((r for r in _rows(site) if r["variant"] == vid), None)
    return row[column] if row is not None else None


@macro
def bench_relation(
    site: Site, variant: object, column: object, above: object, below: object, level: object, margin: object = 0.05
) -> str:
    """The page's own words for how a ratio compares with 1: ``above`` when it is more than ``margin``
    over, ``below`` when more than ``margin`` under, ``level`` otherwise. Where a second run checked the
    ratio (bench_checks.csv), a word holds only if it holds for both runs: a ratio one run put over
    1 + ``margin`` and the other did not is ``level``. The page writes the sentence; the data picks its words."""
    vid, col = site.string("variant", variant), site.string("column", column)
    words = [site.string(name, value) for name, value in (("above", above), ("below", below), ("level", level))]
    if not col.endswith("_ratio"):
        raise site.fail(f"bench_relation compares a ratio column, not {col!r}")
    if not isinstance(margin, (int, float)) or not 0 <= margin < 1:
        raise site.fail(f"argument 'margin' must be a number from 0 to 1, not {margin!r}")
    value = _value(site, vid, col)
    if value is None:
        return _not_run(site)
    runs = [value] + [r["rerun"] for r in _checks(site) if r["variant"] == vid and r["ratio"] == col]
    return text(words[0] if min(runs) > 1 + margin else words[1] if max(runs) < 1 - margin else words[2])


@macro
def bench_best(site: Site, column: object, among: object = None, lowest: object = False) -> str:
    """The variant with the highest (or, with ``lowest=True``, the lowest) value of ``column``, among the
    listed variants or all, as code; "not measured yet" before the first run."""
    col = site.string("column", column)
    if col not in site.data.tables["bench"].schema.names:
        raise site.fail(f"bench.csv has no column {col!r}")
    if among is not None and (isinstance(among, str) or not isinstance(among, (list, tuple)) or not among):
        raise site.fail(f"argument 'among' must be a non-empty list of variant ids, not {among!r}")
    rows = [r for r in _ok(site) if r[col] is not None and (among is None or r["variant"] in among)]
    if not rows:
        return _not_run(site)
    pick = min if lowest else max
    return render.code(pick(rows, key=lambda r: r[col])["variant"])


#: The ratios a check compares, as the benchmark table names them.
CHECKED_RATIOS = {
    "alloc_rps_ratio": "/alloc req/s",
    "alloc_p99_ratio": "/alloc p99",
    "cpu_rps_ratio": "/cpu req/s",
    "cpu_p99_ratio": "/cpu p99",
    "rss_ratio": "Peak memory",
    "startup_ratio": "Start-up",
    "alloc_instructions_ratio": "Instructions",
}


def _change(row: Row) -> float:
    return float(row["rerun"]) / float(row["committed"]) - 1


def _checks(site: Site) -> list[Row]:
    """The rows of bench_checks.csv: the second run of the committed one (their foreign key holds them to
    bench.csv's run, so a check of an older run never reaches the page)."""
    return list(site.data.rows("bench_checks"))


def check_summary(rows: list[Row]) -> tuple[Row, int]:
    """The ratio that moved most between the two runs, and how many moved beyond the limit."""
    worst = max(rows, key=lambda r: abs(_change(r)))
    beyond = sum(abs(_change(r)) * 100 > float(r["limit_pct"]) for r in rows)
    return worst, beyond


@macro
def bench_check(site: Site) -> str:
    """One sentence: whether a second run reproduced the committed ratios, and the largest change."""
    rows = _checks(site)
    if not _ok(site):
        return _not_run(site, "Not checked: the benchmark has not been run yet")
    if not rows:
        return "Not checked yet: no second run has been compared with this one (`scripts/bench.py --check`)."
    worst, beyond = check_summary(rows)
    first = rows[0]
    verdict = (
        f"all {len(rows)} ratios held within ±{first['limit_pct']:.0f} %"
        if not beyond
        else f"{beyond} of {len(rows)} ratios moved by more than ±{first['limit_pct']:.0f} %"
    )
    committed_cpus = {r["cpu_model"] for r in _rows(site)}
    machine = (
        "on the same CPU model"
        if committed_cpus == {first["cpu_model"]}
        else f"on another CPU model ({first['cpu_model']}; the committed run: {', '.join(sorted(committed_cpus))})"
    )
    return text(
        f"A second, separate run on {first['checked_at']:%Y-%m-%d}, {machine} ({int(first['rounds'])} rounds, "
        f"{'a quiet machine' if first['quiet'] == 'yes' else 'flagged busy: quiet = no'}) was compared with "
        f"this one ratio by ratio: {verdict}; the largest change was {_change(worst) * 100:+.1f} % "
        f"({worst['variant']}, {CHECKED_RATIOS[worst['ratio']]})."
    )


@macro
def bench_check_table(site: Site) -> str:
    """Per variant and ratio: how much the second run's ratio differed from the committed one."""
    rows = _checks(site)
    if not rows:
        return bench_check(site)
    by_variant: dict[str, dict[str, Row]] = {}
    for r in rows:
        by_variant.setdefault(r["variant"], {})[r["ratio"]] = r
    first = rows[0]
    steal = max((r["steal_pct"] for r in rows if r["steal_pct"] is not None), default=None)
    note = site.notes.ref(
        "data",
        f"Committed run of {first['committed_at']:%Y-%m-%d} against a second run of {first['checked_at']:%Y-%m-%d} "
        f"({int(first['rounds'])} rounds of {int(first['duration_s'])} s, {turns(first)}; quiet: {text(first['quiet'])}"
        + (f"; the hypervisor took up to {steal:.1f} % of the CPU time in one round" if steal is not None else "")
        + "). A change is the second run's ratio over the committed one, less one; the check accepts "
        f"±{first['limit_pct']:.0f} %.",
    )

    def cell(ratio: str) -> Callable[[str], str]:
        def shown(variant: str) -> str:
            r = by_variant[variant].get(ratio)
            if r is None:
                return "–"
            change = _change(r)
            flag = " (beyond the limit)" if abs(change) * 100 > float(r["limit_pct"]) else ""
            return render.sort_key(text(f"{change * 100:+.1f} %{flag}"), round(change * 1000))

        return shown

    columns: list[Column[str]] = [Column("Variant" + note, render.code)]
    columns += [Column(text(title), cell(ratio), "r") for ratio, title in CHECKED_RATIOS.items()]
    return render.table(columns, list(by_variant))


@macro
def bench_second_run(site: Site, variant: object, column: object) -> str:
    """For prose after a ratio: what the second run (bench_checks.csv) measured for it, as
    "; 0.97× in a second run", or nothing when the ratio was not checked."""
    vid, col = site.string("variant", variant), site.string("column", column)
    if col not in CHECKED_RATIOS:
        raise site.fail(f"bench_second_run takes one of {', '.join(CHECKED_RATIOS)}, not {col!r}")
    row = next((r for r in _checks(site) if r["variant"] == vid and r["ratio"] == col), None)
    return "" if row is None else text(f"; {row['rerun']:.2f}× in a second run")
