"""The allocator benchmark on the site (issue 9): the libc page's table, chart and figures, and the
webserver page's start-up and memory table, each checked against bench.csv as committed."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from test_site import page, rows, tables

from cheatsheet.render import format_bytes
from cheatsheet.site import MacroError, Site
from cheatsheet.tables import read_table

REPO = Path(__file__).resolve().parent.parent
BENCH = {r["variant"]: r for r in read_table(REPO / "measurements" / "bench.csv").rows}
IMAGES = {(r["program"], r["variant"]): r for r in read_table(REPO / "measurements" / "images.csv").rows}


def cell_text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def test_the_committed_benchmark_covers_every_allocator_variant():
    assert set(BENCH) == {
        "alloc-glibc-dynamic", "alloc-glibc-mimalloc", "alloc-glibc-static",
        "alloc-musl", "alloc-musl-mimalloc", "alloc-musl-jemalloc",
    }  # fmt: skip
    assert {r["baseline"] for r in BENCH.values()} == {"alloc-glibc-dynamic"}
    assert BENCH["alloc-glibc-dynamic"]["alloc_rps_ratio"] == 1.0


def test_the_libc_page_shows_every_benchmarked_variant_with_its_ratios(built_site):
    doc = page(built_site, "concepts/libc/index.html")
    table = next(t for t in tables(doc) if "/alloc req/s" in t)
    shown = {cell_text(r[0]): r for r in rows(table)}
    assert set(shown) == set(BENCH)
    for vid, row in BENCH.items():
        if row["failure"]:
            assert "failed" in cell_text(shown[vid][3])
            continue
        assert cell_text(shown[vid][4]) == f"{row['alloc_rps_ratio']:.2f}×"
        assert cell_text(shown[vid][3]).startswith(f"{row['alloc_rps']:,.0f}")
    assert '<figure class="chart" style="width:100%"><svg' in doc


def test_the_webserver_page_shows_start_up_and_memory_of_each_benchmarked_image(built_site):
    doc = page(built_site, "programs/webserver/index.html")
    table = next(t for t in tables(doc) if "Start-up to first response" in t)
    shown = {cell_text(r[0]): r for r in rows(table)}
    assert set(shown) == {vid for vid, r in BENCH.items() if not r["failure"]}
    for vid, cells in shown.items():
        bench, image = BENCH[vid], IMAGES[("webserver", vid)]
        assert cell_text(cells[1]) == image["base"]
        assert cell_text(cells[4]) == format_bytes(int(image["image_bytes"]))
        assert cell_text(cells[5]).startswith(f"{bench['startup_ms']:,.0f}")
        assert cell_text(cells[6]) == format_bytes(int(bench["rss_bytes"]))


def test_a_figure_for_prose_is_the_csv_value_and_a_bad_name_fails_loudly():
    site = Site()
    site.start_page("concepts/libc.md")
    shown = html.unescape(site.bench_figure("alloc-musl", "alloc_rps_ratio"))
    assert shown == f"{BENCH['alloc-musl']['alloc_rps_ratio']:.2f}×"
    with pytest.raises(MacroError, match=r"concepts/libc\.md: bench\.csv has no row for 'alloc-nothing'"):
        site.bench_figure("alloc-nothing", "alloc_rps")
    with pytest.raises(MacroError, match=r"bench\.csv has no column 'speed'"):
        site.bench_figure("alloc-musl", "speed")
