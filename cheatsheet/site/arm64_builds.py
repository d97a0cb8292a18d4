"""The arm64 build routes, timed: a table per program and single figures for prose, from arm64_builds.csv.

Three routes build the same program for arm64 (``route`` in the data): the cross C linker, cargo-zigbuild
and a native build in an arm64 container under emulation. A route the data has no row for is shown as
"not run here", never guessed; a build stopped at its bound shows the bound. Sentences on the page that
state measured behaviour take their figures and their winner from these macros.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import render
from .context import Row, Site, macro
from .render import Column, text

DATASET = "arm64_builds"
#: How the pages name each route (the data's ``route`` values).
ROUTE_TITLES = {
    "cross-gcc": "Cross C linker",
    "zigbuild": "cargo-zigbuild",
    "native-emulated": "Native, emulated",
}
NOT_RUN = "not run here"
#: The columns a figure may be asked for, and how each is shown.
FIGURES = ("build_seconds", "build_cpu_seconds", "binary_bytes", "image_bytes", "glibc_max", "runs", "rustc_version")


def routes(site: Site) -> tuple[str, ...]:
    """The routes the schema allows, in its order."""
    enum = site.data.tables[DATASET].schema.field("route").enum
    return tuple(enum or ())


def _route(site: Site, route: object, argument: str = "route") -> str:
    value = site.string(argument, route)
    if value not in routes(site):
        raise site.fail(f"unknown route {value!r}; known: {', '.join(routes(site))}")
    return value


def _program(site: Site, program: object) -> str:
    value = site.string("program", program)
    known = site.data.tables[DATASET].schema.field("program").enum or ()
    if value not in known:
        raise site.fail(f"{DATASET}.csv has no program {value!r}; known: {', '.join(known)}")
    return value


def _rows(site: Site, program: str) -> dict[str, Row]:
    return {r["route"]: r for r in site.data.rows(DATASET) if r["program"] == program}


def _not_run(site: Site, program: str, route: str) -> str:
    return NOT_RUN + site.notes.ref(
        "data",
        f"Not run here: {DATASET}.csv has no build of {text(program)} by the {text(route)} route "
        "(scripts/measure_arm64_routes.py).",
    )


def _seconds(value: float) -> str:
    shown = f"{value:,.1f} s" if value < 10 else f"{value:,.0f} s"
    return render.sort_key(text(shown), round(value * 10))


def _build_time(site: Site, row: Row) -> str:
    if row["outcome"] == "timed-out":
        return render.sort_key(
            text(f"over {row['timeout_seconds']:,} s"), row["timeout_seconds"] * 10 + 1
        ) + site.notes.ref("data", f"Stopped at its bound: {text(row['failure'])}.")
    if row["outcome"] == "failed":
        return "failed" + site.notes.ref("data", f"The build failed: {text(row['failure'])}")
    return _seconds(row["build_seconds"])


def short_tool(line: str) -> str:
    """``aarch64-linux-gnu-gcc 12.2.0`` from a tool's version line (its name and first version number)."""
    name = line.split(maxsplit=1)[0] if line.split() else line
    version = re.search(r"\b[0-9]+\.[0-9]+(?:\.[0-9]+)?\b", line.removeprefix(name))
    return f"{name} {version.group(0)}" if version else name


def _glibc(value: str) -> str:
    return text(value.removeprefix("GLIBC_")) if value else "–"


def figure(site: Site, row: Row, column: str) -> str:
    """One figure of a row for prose or a cell; "–" where the build left it empty."""
    value: Any = row[column]
    if column == "build_seconds":
        return _build_time(site, row)
    if value is None or value == "":
        return "–"
    if column == "build_cpu_seconds":
        return _seconds(value)
    if column.endswith("_bytes"):
        return render.size(int(value))
    if column == "glibc_max":
        return _glibc(value)
    if column == "runs":
        return "yes" if value == "yes" else "no" + site.notes.ref("data", f"Under emulation: {text(row['failure'])}")
    return text(value)


@macro
def arm64_routes_table(site: Site, program: object) -> str:
    """Each arm64 build route of ``program`` side by side: cold build time, CPU time, how busy the machine
    was, binary, the newest glibc version it needs, and whether its image runs under emulation."""
    pid = _program(site, program)
    rows = _rows(site, pid)
    items = list(routes(site))
    busy = site.notes.ref(
        "data",
        "Other processes' share of all CPUs while the build ran, and the mean one-minute load average (the "
        "build's own processes included): the machine may be shared. Other work lengthens the wall time; "
        "the CPU time it changes far less.",
    )
    cpu_note = site.notes.ref(
        "data",
        "User and system CPU time summed over cores: on the host, of cargo and every compiler and linker it ran; "
        "in the arm64 container, its cgroup's counter, qemu's translation included.",
    )
    when = sorted({f"{r['measured_at']:%Y-%m-%d} with Docker {r['docker_version']} on {r['cpus']} CPUs"
                   for r in rows.values()})  # fmt: skip
    cold = site.notes.ref(
        "data",
        "An empty target directory, the crates downloaded (or vendored) beforehand, each build bounded by a "
        "timeout. Where std is rebuilt (-Zbuild-std), compiling it is part of the figure."
        + (f" Measured {text('; '.join(when))}." if when else ""),
    )
    glibc_note = site.notes.ref(
        "data",
        "The newest GLIBC_ symbol version the binary requires (aarch64-linux-gnu-readelf -V): it runs on "
        "that glibc release or a newer one.",
    )
    tools_note = site.notes.ref(
        "data",
        "The compiler's release and where its aarch64 std came from; the linker and C compiler by name and "
        "version (arm64_builds.csv has each one's full version line).",
    )
    emulated = site.notes.ref(
        "data",
        "The binary in the variant's own image on its arm64 base, checked on the x86-64 machine under "
        "user-mode emulation (qemu-user through binfmt_misc), as the variant's own row is.",
    )

    def cell(column: str, shown: Callable[[Row], str] | None = None) -> Callable[[str], str]:
        def make(route: str) -> str:
            row = rows.get(route)
            if row is None:  # said once, in the key column
                return _not_run(site, pid, route) if column == "build_seconds" else "–"
            return shown(row) if shown else figure(site, row, column)

        return make

    def busy_cell(row: Row) -> str:
        others = "–" if row["others_cpu_pct"] is None else f"{row['others_cpu_pct']:.0f} %"
        load = "–" if row["load_average"] is None else f"{row['load_average']:.1f}"
        return text(f"{others}, {load}")

    def toolchain(row: Row) -> str:
        std = "std rebuilt" if row["std"] == "rebuilt" else "prebuilt std"
        return text(f"{row['rustc_version'].split(' (')[0]}, {std}; {short_tool(row['linker'])}")

    columns: list[Column[str]] = [
        Column("Route", lambda r: text(ROUTE_TITLES.get(r, r))),
        Column(f"Cold build{cold}", cell("build_seconds"), "r", key=True),
        Column(f"CPU time{cpu_note}", cell("build_cpu_seconds"), "r"),
        Column(f"Others' CPU, load{busy}", cell("", busy_cell), "r"),
        Column("Binary", cell("binary_bytes"), "r"),
        Column(f"Needs glibc{glibc_note}", cell("glibc_max"), "r"),
        Column(f"Runs{emulated}", cell("runs")),
        Column(f"Compiler; linker{tools_note}", cell("", toolchain)),
    ]
    return render.table(columns, items)


@macro
def arm64_route_figure(site: Site, program: object, route: object, column: object) -> str:
    """One figure of one route's build for prose (a time, a size, a glibc version, yes/no), or "not run here"."""
    pid, rid = _program(site, program), _route(site, route)
    col = site.string("column", column)
    if col not in FIGURES:
        raise site.fail(f"arm64_route_figure shows one of {', '.join(FIGURES)}, not {col!r}")
    row = _rows(site, pid).get(rid)
    return _not_run(site, pid, rid) if row is None else figure(site, row, col)


def _built(site: Site, program: str, column: str) -> dict[str, Row]:
    return {r: row for r, row in _rows(site, program).items() if row["outcome"] == "built" and row[column] is not None}


@macro
def arm64_route_ratio(
    site: Site, program: object, route: object, other: object, column: object = "build_seconds"
) -> str:
    """How many times ``route``'s figure is ``other``'s (``7.9×``), for times and sizes; "not run here"
    when either has no figure. A build stopped at its bound reads "over N×" (the bound over the other's)."""
    pid, a, b = _program(site, program), _route(site, route), _route(site, other, "other")
    col = site.string("column", column)
    if col not in ("build_seconds", "build_cpu_seconds", "binary_bytes", "image_bytes"):
        raise site.fail(f"arm64_route_ratio compares times or sizes, not {col!r}")
    rows = _rows(site, pid)
    if b not in _built(site, pid, col):
        return _not_run(site, pid, b)
    below = rows[b][col]
    if not below:
        return "–"  # nothing is a multiple of zero
    row = rows.get(a)
    if row is None:
        return _not_run(site, pid, a)
    if row["outcome"] == "timed-out" and col == "build_seconds":
        return text(f"over {row['timeout_seconds'] / below:.1f}×")
    if row[col] is None:
        return _not_run(site, pid, a)
    return text(f"{row[col] / below:.1f}×")


@macro
def arm64_route_best(site: Site, program: object, column: object = "build_seconds") -> str:
    """The route whose build of ``program`` built, ran under emulation and had the lowest ``column`` (a time
    or a size), by its title; "not run here" before any did."""
    pid, col = _program(site, program), site.string("column", column)
    if col not in ("build_seconds", "build_cpu_seconds", "binary_bytes"):
        raise site.fail(f"arm64_route_best picks by a time or a size, not {col!r}")
    candidates = {r: row for r, row in _built(site, pid, col).items() if row["runs"] == "yes"}
    if not candidates:
        return NOT_RUN + site.notes.ref("data", f"{DATASET}.csv has no build of {text(pid)} that ran.")
    best = min(candidates, key=lambda r: candidates[r][col])
    return text(ROUTE_TITLES.get(best, best))
