"""The data contract: whatever scripts/validate.py accepts, the site builds, quickly.

Hypothesis generates schema-valid-looking datasets from the committed ones -- rows dropped, fields set
to empty, to their minimum or maximum, to the longest value allowed, to markup, to every enum value,
failed builds, a whole benchmark run -- and for each asserts: either the validator refuses it, naming
file, line and column, or every page renders (the build's macros), within a time bound. A crash or a
hang on data the validator accepted is a defect of one or the other.

``make test`` runs a few examples; ``CONTRACT_EXAMPLES=2000 pytest tests/test_contract.py`` the long run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cheatsheet.data.datasets import read_datasets
from cheatsheet.data.field import Field
from cheatsheet.data.table import Table
from cheatsheet.data.text import DataError, csv_line, invisible
from cheatsheet.measure.bench.summary import RATIOS
from cheatsheet.paths import MEASUREMENTS
from cheatsheet.recipes import RecipeError, load_recipes
from cheatsheet.site.arch import _delta
from cheatsheet.site.context import Site
from cheatsheet.site.measurements import load_measurements
from cheatsheet.site.pages import render_pages

EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "6"))
RENDER_BOUND_S = 60  # every page; a hang (pygal's title wrapping looped forever) fails here
HOSTILE = ("<script>alert(1)</script>", "{{ config }}", "[x](javascript:alert(1))", "a | b", "*emph* `code`", "&amp;")

COMMITTED = read_datasets()
RECIPES = load_recipes()
BENCH_VARIANTS = [v for v in RECIPES.variants if v.program.id == "webserver" and v.id.startswith("alloc-")]


def printable(max_size: int) -> st.SearchStrategy[str]:
    chars = st.characters(codec="utf-8").filter(lambda c: not invisible(c) and c not in "\n\r")
    return st.text(chars, min_size=1, max_size=max_size).filter(lambda s: s == s.strip() and s[0] not in "=+@-")


def value_for(f: Field, current: str) -> st.SearchStrategy[str]:
    """Text for field ``f`` that its own constraints accept (rules across fields may still refuse it)."""
    options: list[st.SearchStrategy[str]] = [st.just(current)]
    if not f.required:
        options.append(st.just(""))
    if f.type == "integer":
        low, high = f.minimum or 0, f.maximum or 10**9
        options += [st.sampled_from([str(low), str(high)]), st.integers(low, high).map(str)]
    elif f.type == "number":
        low, high = f.minimum or 0, f.maximum or 10**9
        options += [
            st.sampled_from([str(low), str(high), "0.0000001"]),
            st.floats(low, high, allow_nan=False).map(lambda x: f"{x:.3f}"),
        ]
    elif f.type == "date":
        options.append(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)).map(dt.date.isoformat))
    elif f.type == "datetime":
        options.append(
            st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2099, 12, 31)).map(
                lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
            )
        )
    elif f.enum:
        options.append(st.sampled_from(f.enum))
    elif f.pattern:
        limit = f.max_length or 120
        options.append(st.from_regex(f.pattern, fullmatch=True).filter(lambda s: 0 < len(s) <= limit and s.isascii()))
    else:
        limit = f.max_length or 300
        options += [st.sampled_from([h[:limit] for h in HOSTILE]), printable(limit), st.just("x" * limit)]
    return st.one_of(options)


@st.composite
def bench_run(draw: st.DrawFn) -> list[dict[str, str]]:
    """A consistent benchmark run: every variant's figures, and ratios to the baseline's."""
    schema = COMMITTED["bench"].schema
    base: dict[str, Any] = {}
    rows = []
    for v in BENCH_VARIANTS:
        figures: dict[str, Any] = {}
        for column in ("alloc_rps", "cpu_rps", "alloc_p99_us", "cpu_p99_us", "startup_ms"):
            median = draw(st.floats(1, 100000, allow_nan=False))
            figures[column] = round(median, 3)
            figures[f"{column}_min"] = round(median * draw(st.floats(0.5, 1)), 3)
            figures[f"{column}_max"] = round(median * draw(st.floats(1, 1.5)), 3)
            p50 = column.replace("p99", "p50")
            if p50 != column:
                figures[p50] = round(median * draw(st.floats(0.1, 1)), 3)
        figures["rss_bytes"] = draw(st.integers(1, 10**9))
        figures["alloc_instructions"] = draw(st.integers(1, 10**8))
        if not base:
            base = dict(figures)
        row = dict.fromkeys(schema.names, "")
        row.update({k: (f"{x:.3f}" if isinstance(x, float) else str(x)) for k, x in figures.items()})
        for ratio, of in RATIOS:
            row[ratio] = f"{float(row[of]) / float(base[of]):.3f}"
        row.update(
            program="webserver", variant=v.id, libc=v.target.libc, crt_linkage=v.target.crt_linkage,
            allocator=v.allocator, baseline=BENCH_VARIANTS[0].id, rounds="5", duration_s="10", slice_s="1",
            warmup_s="3",
            connections="16", server_cpus="1", load_cpus="0", memory_bytes="536870912", workers="2",
            load_generator="wrk 4.1.0", cpu_model="A CPU", cores="2", kernel="6.1.0", docker_version="20.10.24",
            quiet="yes", startup_runs="20", instruction_requests="200", measured_at="2026-12-01T00:00:00Z",
        )  # fmt: skip
        rows.append(row)
    return rows


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for name, table in COMMITTED.items():
        texts = draw(bench_run()) if name == "bench" and draw(st.booleans()) else [dict(t) for t in table.texts]
        if texts:
            drop = draw(st.sets(st.integers(0, len(texts) - 1), max_size=4))
            texts = [t for i, t in enumerate(texts) if i not in drop]
        for _ in range(draw(st.integers(0, 3))):
            if not texts:
                break
            i = draw(st.integers(0, len(texts) - 1))
            f = draw(st.sampled_from(table.schema.fields))
            texts[i][f.name] = draw(value_for(f, texts[i][f.name]))
        if name == "images" and texts and draw(st.booleans()):  # a build that failed: a finding, no sizes
            i = draw(st.integers(0, len(texts) - 1))
            texts[i].update(image_bytes="", compressed_bytes="", binary_bytes="", runs="no",
                            failure="cargo build failed: error[E0463]: can't find crate", health="", resolves="",
                            proxies="", trust_anchors="", anchors_from="")  # fmt: skip
        out[name] = texts
    return out


def write(directory: Path, name: str, table: Table, rows: list[dict[str, str]]) -> None:
    shutil.copy(MEASUREMENTS / f"{name}.schema.json", directory / f"{name}.schema.json")
    lines = [csv_line(table.header)] + [csv_line(row[h] for h in table.header) for row in rows]
    (directory / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


class Hang(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise Hang(f"rendering the pages took longer than {RENDER_BOUND_S} s")


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=EXAMPLES < 50)
@given(generated=datasets())
def test_what_the_validator_accepts_builds(generated: dict[str, list[dict[str, str]]], tmp_path_factory: Any) -> None:
    directory = tmp_path_factory.mktemp("measurements")
    for name, rows in generated.items():
        write(directory, name, COMMITTED[name], rows)
    try:
        data = load_measurements(directory, RECIPES)
    except (DataError, RecipeError) as exc:
        problems = exc.problems if isinstance(exc, DataError) else []
        for path, line, column, message in problems:  # the validator says why, and where
            assert path and line >= 1 and column >= 1 and message
        return
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(RENDER_BOUND_S)
    try:
        pages = render_pages(data)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert pages  # every page rendered: no traceback, no hang


def copy(tmp_path: Path) -> Path:
    out = tmp_path / "measurements"
    shutil.copytree(MEASUREMENTS, out)
    return out


def edit(path: Path, change) -> None:
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    header = path.read_text().splitlines()[0].split(",")
    rows = [r for r in (change(dict(r)) for r in rows) if r is not None]
    out = io.StringIO()
    writer = csv.DictWriter(out, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue())


def site_of(directory: Path) -> Site:
    data = load_measurements(directory, load_recipes())
    site = Site(lambda: data)
    site.start_page("test.md")
    return site


def test_a_failed_build_row_shows_not_built_with_its_failure(tmp_path):
    out = copy(tmp_path)

    def fail(row):
        if row["variant"] == "scratch-musl":
            row.update(image_bytes="", compressed_bytes="", binary_bytes="", runs="no",
                       failure="cargo build failed: error: linker `cc` not found")  # fmt: skip
        return row

    edit(out / "images.csv", fail)
    site = site_of(out)
    table = site.call("image_size_table", "hello-world")
    assert "not built" in table
    assert "linker &#96;cc&#96; not found" in site.finish_page()
    assert "not built" in site.call("binary_size", "hello-world", "scratch-musl")
    assert "not built" in site.call("size_difference", "hello-world", "scratch-musl", "scratch-glibc")


def test_a_base_without_a_row_shows_not_measured(tmp_path):
    out = copy(tmp_path)
    edit(out / "base_images.csv", lambda r: None if r["base"] == "debian-slim" else r)
    site = site_of(out)
    assert site.call("base_fact", "debian-slim", "shell").startswith("not measured")


def test_an_empty_benchmark_says_so(tmp_path):
    out = copy(tmp_path)
    edit(out / "bench.csv", lambda r: None)
    edit(out / "bench_checks.csv", lambda r: None)  # its rows name the run that is gone
    site = site_of(out)
    for name in ("bench_table", "bench_chart", "startup_memory_table", "bench_raw_table", "bench_check"):
        assert "not been run" in site.call(name)
    assert site.call("bench_figure", "alloc-musl", "alloc_rps_ratio").startswith("not measured yet")


def test_published_sizes_sort_by_their_bytes():
    data = load_measurements()
    site = Site(lambda: data)
    site.start_page("test.md")
    table = site.call("published_table", "seed", "hello-world")
    assert 'data-sort="' in table.split("\n", 2)[2]


def test_a_difference_to_nothing_has_no_share():
    # a no-break space between the figure and its unit: they stay on one line
    assert "%" not in _delta(5, 0) and "+5&#160;B" in _delta(5, 0)
