"""cheatsheet.site.bench: the allocator benchmark on the libc page (table, chart, figures) and the
webserver page's start-up and memory table, each checked against bench.csv as committed."""

from __future__ import annotations

import html

import pytest
from support import cell_text, page, table_rows, tables

from cheatsheet.site.context import MacroError
from cheatsheet.site.render import format_bytes


@pytest.fixture
def bench(site) -> dict:
    return {r["variant"]: r for r in site.data.rows("bench")}


def test_the_committed_benchmark_covers_every_allocator_variant(bench):
    assert set(bench) == {
        "alloc-glibc-dynamic", "alloc-glibc-mimalloc", "alloc-glibc-static",
        "alloc-musl", "alloc-musl-mimalloc", "alloc-musl-jemalloc",
    }  # fmt: skip
    assert {r["baseline"] for r in bench.values()} == {"alloc-glibc-dynamic"}
    assert bench["alloc-glibc-dynamic"]["alloc_rps_ratio"] == 1.0
    assert {r["quiet"] for r in bench.values()} == {"yes"}  # published figures come from a quiet machine
    assert all(r["alloc_instructions"] for r in bench.values() if not r["failure"])


def test_the_libc_page_shows_every_benchmarked_variant_with_its_ratios(built_site, bench):
    doc = page(built_site, "concepts/libc/index.html")
    table = next(t for t in tables(doc) if "Instructions per /alloc" in t)
    shown = {cell_text(r[0]): r for r in table_rows(table)}
    assert set(shown) == set(bench)
    for vid, row in bench.items():
        if row["failure"]:
            assert "failed" in cell_text(shown[vid][2])
            continue
        ratio = f"{row['alloc_rps_ratio']:.2f}× ({row['alloc_rps_ratio_min']:.2f}–{row['alloc_rps_ratio_max']:.2f})"
        assert cell_text(shown[vid][2]) == ratio
        assert cell_text(shown[vid][5]).startswith(f"{row['alloc_instructions'] / 1e6:,.2f} M")
    raw = next(t for t in tables(doc) if "/cpu p99 (µs)" in t)
    for cells in table_rows(raw):
        assert cell_text(cells[1]).startswith(f"{bench[cell_text(cells[0])]['alloc_rps']:,.0f}")
    assert '<figure class="chart"' in doc and "<desc" in doc.split('<figure class="chart"', 1)[1]


def test_the_webserver_page_shows_start_up_and_memory_of_each_benchmarked_image(built_site, bench, site):
    doc = page(built_site, "programs/webserver/index.html")
    table = next(t for t in tables(doc) if "Start-up to first response" in t)
    shown = {cell_text(r[0]): r for r in table_rows(table)}
    assert set(shown) == {vid for vid, r in bench.items() if not r["failure"]}
    for vid, cells in shown.items():
        row, image = bench[vid], site.measured("webserver", vid)
        assert cell_text(cells[1]) == image["base"]
        assert cell_text(cells[4]) == format_bytes(int(image["image_bytes"]))
        assert cell_text(cells[5]).startswith(f"{row['startup_ms']:,.0f}")
        assert cell_text(cells[6]) == format_bytes(int(row["rss_bytes"]))


def test_a_figure_for_prose_is_the_csv_value_and_a_bad_name_fails_loudly(site, bench):
    site.start_page("concepts/libc.md")
    shown = html.unescape(site.call("bench_figure", "alloc-musl", "alloc_rps_ratio"))
    assert shown == f"{bench['alloc-musl']['alloc_rps_ratio']:.2f}×"
    with pytest.raises(MacroError, match=r"concepts/libc\.md: 'alloc-nothing' is no variant of the recipes"):
        site.call("bench_figure", "alloc-nothing", "alloc_rps")
    with pytest.raises(MacroError, match=r"bench\.csv has no column 'speed'"):
        site.call("bench_figure", "alloc-musl", "speed")
