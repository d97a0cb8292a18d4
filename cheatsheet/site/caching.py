"""Build-caching macros: the comparison of build_caching.csv as a table and a chart, each method's
Dockerfile as built, and the recommendation the figures support. The summaries are pure functions of
the rows (:func:`summaries`, :func:`recommended`), tested on their own (tests/site/test_caching.py)."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..recipes.caching import COMPARED, METHOD_SHORT, METHOD_TITLES, METHODS, caching_dockerfile
from . import charts, render
from .context import Row, Site, macro
from .render import Column, text

SCENARIO_TITLES = {
    "cold": "Cold",
    "source-edit": "Source edit",
    "dependency-added": "Dependency added",
    "lock-changed": "Cargo.lock changed",
}
#: The issue's target for the recommended Dockerfile: a source-only edit rebuilds in at most this
#: share of the cold build.
EDIT_TARGET = 0.10


@dataclass(frozen=True)
class Figure:
    """One method in one scenario over the repetitions: median seconds, range, crates compiled."""

    median: float
    low: float
    high: float
    crates: int
    runs: int


def summaries(rows: Sequence[Row]) -> dict[str, dict[str, Figure]]:
    """``{method: {scenario: Figure}}`` from the rows of build_caching.csv."""
    groups: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        groups.setdefault((r["method"], r["scenario"]), []).append(r)
    out: dict[str, dict[str, Figure]] = {}
    for (method, scenario), group in groups.items():
        seconds = [float(r["seconds"]) for r in group]
        out.setdefault(method, {})[scenario] = Figure(
            statistics.median(seconds),
            min(seconds),
            max(seconds),
            int(statistics.median(int(r["crates_compiled"]) for r in group)),
            len(group),
        )
    return out


def edit_share(figures: dict[str, Figure]) -> float | None:
    """A method's source-edit rebuild as a share of its cold build."""
    if "cold" not in figures or "source-edit" not in figures or figures["cold"].median <= 0:
        return None
    return figures["source-edit"].median / figures["cold"].median


def recommended(table: dict[str, dict[str, Figure]]) -> str | None:
    """Among the methods the classic builder can build as shown, the one whose source-edit rebuild is
    fastest (ties: the cheaper cold build); None without figures."""
    plain = [m for m, _, buildkit in METHODS if not buildkit and m in table and "source-edit" in table[m]]
    if not plain:
        return None

    def speed(method: str) -> tuple[float, float]:
        cold = table[method].get("cold")
        return table[method]["source-edit"].median, cold.median if cold else 0.0

    return min(plain, key=speed)


def _rows(site: Site) -> list[Row]:
    return list(site.data.rows("build_caching"))


def _seconds(figure: Figure | None, cold: Figure | None, scenario: str) -> str:
    if figure is None:
        return "–"
    out = f"{figure.median:.0f} s"
    if figure.runs > 1:
        out += f" ({figure.low:.0f}–{figure.high:.0f})"
    if scenario != "cold" and cold is not None and cold.median > 0:
        out += f", {figure.median / cold.median:.0%}"
    return text(out) + f"<br>{figure.crates} crates"


@macro
def caching_table(site: Site) -> str:
    """One row per method, one column per scenario: median wall time (range over the repetitions),
    its share of the method's cold build, and the crates compiled."""
    rows = _rows(site)
    if not rows:
        return "Not measured yet: `scripts/compare_caching.py` runs the comparison."
    table = summaries(rows)
    methods = [m for m, _, _ in METHODS if m in table]
    columns: list[Column[str]] = [Column("Method", lambda m: text(METHOD_TITLES[m]))]

    def cell(scenario: str) -> Callable[[str], str]:
        return lambda m: _seconds(table[m].get(scenario), table[m].get("cold"), scenario)

    for scenario, title in SCENARIO_TITLES.items():
        columns.append(Column(text(title), cell(scenario), align="r", key=scenario == "source-edit"))
    reps = max(f.runs for per in table.values() for f in per.values())
    first = rows[0]
    caption = (
        f"{text(first['program'])} ({text(first['variant'])}), {reps} repetition{'s' if reps != 1 else ''}, "
        f"measured {text(min(r['measured_at'] for r in rows).strftime('%Y-%m-%d'))} with "
        f"{render.code(first['builder'])} ({'made here' if first['builder_source'] == 'made-here' else 'pulled'}), "
        f"Docker {text(first['docker_version'])}, 2 CPUs. Each cell: the median wall time (lowest–highest), "
        "its share of the same method's cold build, and the crates cargo compiled."
    )
    apart = measured_apart(rows)
    if apart:
        several = reps != 1
        caption += (
            " "
            + "; ".join(text(METHOD_TITLES[m]) + (f" (repetition {n})" if several else "") for m, n in apart)
            + ": measured in a run of its own after the others, not in turns with them."
        )
    return caption + "\n\n" + render.table(columns, methods)


def measured_apart(rows: Sequence[Row]) -> list[tuple[str, int]]:
    """(method, repetition) pairs whose every build came after every build of the other methods in that
    repetition: measured in a separate run, not in turns with them."""
    out = []
    for method, repetition in {(r["method"], r["repetition"]) for r in rows}:
        same = [r for r in rows if r["repetition"] == repetition]
        own = [r["measured_at"] for r in same if r["method"] == method]
        others = [r["measured_at"] for r in same if r["method"] != method]
        if others and min(own) > max(others):
            out.append((method, repetition))
    return sorted(out, key=lambda pair: (pair[1], list(METHOD_TITLES).index(pair[0])))


@macro
def caching_chart(site: Site) -> str:
    """The table's medians as bars, one group per method, one bar per scenario."""
    rows = _rows(site)
    if not rows:
        return "No chart: the comparison has not been run yet."
    table = summaries(rows)
    methods = [m for m, _, _ in METHODS if m in table]
    series = [
        charts.Series(
            title,
            [table[m][s].median if s in table[m] else None for m in methods],
            [(table[m][s].low, table[m][s].high) if s in table[m] else None for m in methods],
        )
        for s, title in SCENARIO_TITLES.items()
    ]
    wide, narrow = (
        charts.bar_chart(
            "Build wall time per method and change",
            [METHOD_SHORT[m] for m in methods],
            series,
            value_format=lambda v: f"{v:.0f} s",
            axis_title="seconds; lines: lowest to highest repetition",
            logarithmic=False,
            width=width,
        )
        for width in (charts.WIDE, charts.NARROW)
    )
    return charts.figure(wide, text("The medians of the table above; shorter is better."), narrow)


@macro
def caching_verdict(site: Site) -> str:
    """The recommendation and where it stands against the 10 % target, from the rows."""
    rows = _rows(site)
    if not rows:
        return "Not measured yet."
    table = summaries(rows)
    best = recommended(table)
    if best is None:
        return "No method that the classic builder can build was measured."
    share = edit_share(table[best])
    said = (
        f"Of the files any builder can build, **{text(METHOD_TITLES[best])}** rebuilt fastest after a source-only "
        f"edit: {table[best]['source-edit'].median:.0f} s"
    )
    if share is not None:
        met = "within" if share <= EDIT_TARGET else "short of"
        said += f", {share:.0%} of its cold build, {met} the {EDIT_TARGET:.0%} this project aims for"
    said += "."
    mounts = table.get("cache-mounts")
    if mounts and "source-edit" in mounts:
        m_share = edit_share(mounts)
        said += (
            f" Cache mounts, which need BuildKit, took {mounts['source-edit'].median:.0f} s"
            + (f" ({m_share:.0%} of cold)" if m_share is not None else "")
            + " for the same edit, measured here with named volumes."
        )
    return said


def findings(rows: Sequence[Row]) -> list[str]:
    """What the crate counts and the binaries say, one sentence per method, then one on the binaries."""
    table = summaries(rows)
    out = []
    for method, title, _ in METHODS:
        per = table.get(method)
        if not per or "cold" not in per:
            continue
        counts = ", ".join(
            f"{per[s].crates} after {SCENARIO_TITLES[s].lower()}" for s in SCENARIO_TITLES if s != "cold" and s in per
        )
        out.append(f"**{text(title)}** compiled {per['cold'].crates} crates cold, then {text(counts)}.")
    by_state: dict[tuple[str, int], set[str]] = {}
    for r in rows:
        by_state.setdefault((r["scenario"], r["repetition"]), set()).add(r["binary_sha256"])
    if by_state:
        same = all(len(hashes) == 1 for hashes in by_state.values())
        out.append(
            "In every state, all methods built the same binary, byte for byte."
            if same
            else "The methods did not all build the same binary in every state: "
            + ", ".join(text(f"{s} (repetition {n})") for (s, n), h in sorted(by_state.items()) if len(h) > 1)
            + "."
        )
    return out


@macro
def caching_findings(site: Site) -> str:
    """:func:`findings` as a list."""
    rows = _rows(site)
    if not rows:
        return "Not measured yet."
    return "\n".join(f"- {line}" for line in findings(rows))


@macro
def caching_method_dockerfile(site: Site, method: str) -> str:
    """The Dockerfile of ``method`` for the compared variant, and how it was built here."""
    method = site.string("method", method)
    if method not in METHOD_TITLES:
        raise site.fail(f"unknown caching method {method!r}; known: {', '.join(METHOD_TITLES)}")
    rows = _rows(site)
    program, vid = (rows[0]["program"], rows[0]["variant"]) if rows else COMPARED
    variant = site.data.recipes.variant(program, vid)
    hows = {r["how"] for r in rows if r["method"] == method}
    if hows == {"docker-build"}:
        how = "Built here exactly as printed (`docker build`, the classic builder)."
    elif hows == {"named-volumes"}:
        how = (
            "Not built here as printed: this Docker client has no BuildKit, so the same mechanism was run "
            "with named volumes (the build stage in `docker run` with the registry and `target/` on volumes, "
            "then the runtime stage with `docker build`)."
        )
    else:
        how = "Not measured here."
    return how + "\n\n" + render.code_block(caching_dockerfile(variant, method), "dockerfile", title="Dockerfile")
