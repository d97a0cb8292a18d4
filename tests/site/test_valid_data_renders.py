"""Rows the schema allows render as what they are ("not built", "–", "not measured"), never a traceback."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from cheatsheet.paths import MEASUREMENTS
from cheatsheet.recipes import load_recipes
from cheatsheet.site.arch import _delta
from cheatsheet.site.context import Site
from cheatsheet.site.measurements import load_measurements
from cheatsheet.site.pages import render_pages  # noqa: F401 -- importing it registers every macro


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
    site = site_of(out)
    for name in ("bench_table", "bench_chart", "startup_memory_table", "bench_raw_table"):
        assert "not been run" in site.call(name)
    assert site.call("bench_figure", "alloc-musl", "alloc_rps_ratio").startswith("not measured yet")


def test_published_sizes_sort_by_their_bytes():
    data = load_measurements()
    site = Site(lambda: data)
    site.start_page("test.md")
    table = site.call("published_table", "seed", "hello-world")
    assert 'data-sort="' in table.split("\n", 2)[2]


def test_a_difference_to_nothing_has_no_share():
    assert "%" not in _delta(5, 0) and "+5 B" in _delta(5, 0)
