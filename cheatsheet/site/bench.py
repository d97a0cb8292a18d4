"""The benchmark's macros: table, chart and single figures from bench.csv.

The ratios are the headline (each measured within one run, round by round); the absolute figures are
shown with their spread and the machine they came from, in the provenance note of the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import charts, render
from .context import Site, macro
from .render import Column, text


Row = dict[str, Any]


def _rows(site: Site) -> list[Row]:
    rows = list(site.data.rows("bench"))
    if not rows:
        raise site.fail("bench.csv has no rows: run scripts/bench.py")
    return rows


def _ratio(value: float | None) -> str:
    return render.sort_key(f"{value:.2f}×", round(value * 1000)) if value is not None else ""


def _spread(row: Row, column: str, unit: str, scale: float = 1.0) -> str:
    median, low, high = row[column], row.get(f"{column}_min"), row.get(f"{column}_max")
    if median is None:
        return ""
    shown = f"{median / scale:,.0f}{unit}"
    if low is not None and high is not None:
        shown += f" ({low / scale:,.0f}–{high / scale:,.0f})"
    return render.sort_key(text(shown), round(median))


def _provenance(site: Site, rows: list[Row]) -> str:
    first = rows[0]
    machines = {(r["cpu_model"], r["cores"], r["kernel"], r["docker_version"]) for r in rows}
    setups = {
        (r["rounds"], r["duration_s"], r["connections"], r["cpus"], r["memory_bytes"], r["workers"]) for r in rows
    }
    if len(machines) != 1 or len(setups) != 1:
        raise site.fail("bench.csv mixes runs from different machines or settings; re-run scripts/bench.py")
    note = (
        f"Measured {text(first['measured_at'].strftime('%Y-%m-%d'))} on {text(first['cpu_model'])}, "
        f"{int(first['cores'])} logical CPUs, kernel {text(first['kernel'])}, "
        f"Docker {text(first['docker_version'])}. Each server limited to {first['cpus']:g} CPU and "
        f"{render.format_bytes(int(first['memory_bytes']))} of memory, "
        f"{int(first['workers'])} runtime threads; {text(first['load_generator'])} with {int(first['connections'])} "
        f"connections for {int(first['duration_s'])} s per endpoint, {int(first['rounds'])} interleaved rounds. "
        f"Medians, with the lowest and highest round in brackets; ratios are to "
        f"{text(first['baseline'])}, taken round by round."
    )
    return site.notes.ref("data", note)


@macro
def bench_table(site: Site) -> str:
    rows = _rows(site)
    title_note = _provenance(site, rows)

    def failed_or(fn: Callable[[Row], str]) -> Callable[[Row], str]:
        return lambda r: ("failed" + site.notes.ref("data", text(r["failure"]))) if r["failure"] else fn(r)

    columns: list[Column[Row]] = [
        Column("Variant" + title_note, lambda r: render.code(r["variant"])),
        Column("C library", lambda r: f"{text(r['libc'])}, {text(r['crt_linkage'])}"),
        Column("Allocator", lambda r: text(r["allocator"])),
        Column("/alloc req/s", failed_or(lambda r: _spread(r, "alloc_rps", "")), "r"),
        Column("vs baseline", failed_or(lambda r: _ratio(r["alloc_rps_ratio"])), "r"),
        Column("/alloc p99 (µs)", failed_or(lambda r: _spread(r, "alloc_p99_us", "")), "r"),
        Column("p99 vs baseline", failed_or(lambda r: _ratio(r["alloc_p99_ratio"])), "r"),
        Column("/cpu req/s vs baseline", failed_or(lambda r: _ratio(r["cpu_rps_ratio"])), "r"),
        Column("Peak memory", failed_or(lambda r: render.size(int(r["rss_bytes"])) if r["rss_bytes"] else ""), "r"),
        Column("Start-up (ms)", failed_or(lambda r: _spread(r, "startup_ms", "")), "r"),
        Column(
            "Cold build (s)",
            lambda r: (
                render.sort_key(f"{r['build_seconds']:,.0f}", round(r["build_seconds"]))
                if r["build_seconds"] is not None
                else ""
            ),
            "r",
        ),
    ]
    return render.table(columns, rows)


@macro
def startup_memory_table(site: Site) -> str:
    """The benchmarked images as images: base, size, time from ``docker run`` to the first good
    response, and peak memory under load (the webserver page's view of bench.csv)."""
    rows = [r for r in _rows(site) if not r["failure"]]
    if not rows:
        raise site.fail("no variant of bench.csv was benchmarked successfully")
    title_note = _provenance(site, rows)

    def image(r: Row) -> Row | None:
        return site.measured(r["program"], r["variant"])

    def base(r: Row) -> str:
        row = image(r)
        return text(row["base"]) if row else ""

    def size(r: Row) -> str:
        row = image(r)
        return render.size(int(row["image_bytes"])) if row and row["image_bytes"] is not None else ""

    columns: list[Column[Row]] = [
        Column("Variant" + title_note, lambda r: render.code(r["variant"])),
        Column("Base", base),
        Column("C library", lambda r: f"{text(r['libc'])}, {text(r['crt_linkage'])}"),
        Column("Allocator", lambda r: text(r["allocator"])),
        Column("Image", size, "r"),
        Column("Start-up to first response (ms)", lambda r: _spread(r, "startup_ms", ""), "r"),
        Column("Peak memory under load", lambda r: render.size(int(r["rss_bytes"])) if r["rss_bytes"] else "", "r"),
    ]
    return render.table(columns, rows)


@macro
def bench_chart(site: Site) -> str:
    rows = [r for r in _rows(site) if not r["failure"]]
    if not rows:
        raise site.fail("no variant of bench.csv was benchmarked successfully")
    labels = [r["variant"] for r in rows]
    series = [
        charts.Series("/alloc (allocator-bound)", [round(r["alloc_rps"]) for r in rows]),
        charts.Series("/cpu (control)", [round(r["cpu_rps"]) for r in rows]),
    ]
    svg = charts.bar_chart(
        "Requests per second (median of rounds)",
        labels,
        series,
        value_format=lambda n: f"{n:,} req/s",
        axis_title="requests per second",
        logarithmic=False,
    )
    caption = text("The medians of the table below; the bars start at zero, so their lengths compare as ratios.")
    return charts.figure(svg, caption)


@macro
def bench_figure(site: Site, variant: object, column: object) -> str:
    """One figure of bench.csv for prose: a ratio as "0.42×", bytes as a size, others as numbers."""
    vid = site.string("variant", variant)
    col = site.string("column", column)
    rows = {r["variant"]: r for r in _rows(site)}
    if vid not in rows:
        raise site.fail(f"bench.csv has no row for {vid!r}; it has: {', '.join(rows)}")
    if col not in site.data.tables["bench"].schema.names:
        raise site.fail(f"bench.csv has no column {col!r}")
    value = rows[vid][col]
    if value is None or value == "":
        raise site.fail(f"bench.csv: {vid} has no {col} (failure: {rows[vid]['failure'] or 'none'})")
    if col.endswith("_ratio"):
        return text(f"{value:.2f}×")
    if col.endswith("_bytes"):
        return render.size(int(value))
    return text(f"{value:,.0f}") if isinstance(value, (int, float)) else text(value)
