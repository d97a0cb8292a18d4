"""cheatsheet.site.bench: the allocator benchmark on the libc page (table, chart, figures) and the
webserver page's start-up and memory table, each checked against bench.csv as committed."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil

import pytest
from support import (
    bench_rows,
    cell_text,
    markdown_rows,
    page,
    table_records,
    table_rows,
    tables,
    write_bench_rows,
    write_csv,
)

from cheatsheet.data.table import read_table
from cheatsheet.paths import MEASUREMENTS
from cheatsheet.site.charts import NARROW, WIDE
from cheatsheet.site.context import MacroError, Site
from cheatsheet.site.measurements import Measurements, load_measurements
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
    # published figures come from a quiet machine, or from a run that a second one reproduced
    checks = list(load_measurements().rows("bench_checks"))
    reproduced = bool(checks) and all(abs(c["rerun"] / c["committed"] - 1) * 100 <= c["limit_pct"] for c in checks)
    assert {r["quiet"] for r in bench.values()} == {"yes"} or reproduced
    assert all(r["alloc_instructions"] for r in bench.values() if not r["failure"])


def test_the_libc_page_shows_every_benchmarked_variant_with_its_ratios(built_site, bench):
    doc = page(built_site, "concepts/libc/index.html")
    table = next(t for t in tables(doc) if "Instructions per /alloc" in t)
    shown = {r["Variant"]: r for r in table_records(table)}
    assert set(shown) == set(bench)
    for vid, row in bench.items():
        if row["failure"]:
            assert "failed" in shown[vid]["/alloc req/s"]
            continue
        ratio = f"{row['alloc_rps_ratio']:.2f}× ({row['alloc_rps_ratio_min']:.2f}–{row['alloc_rps_ratio_max']:.2f})"
        assert shown[vid]["/alloc req/s"] == ratio
        assert shown[vid]["Instructions per /alloc"].startswith(f"{row['alloc_instructions'] / 1e6:,.2f} M")
    raw = next(t for t in tables(doc) if "/cpu p99 (µs)" in t)
    for cells in table_rows(raw):
        assert cell_text(cells[1]).startswith(f"{bench[cell_text(cells[0])]['alloc_rps']:,.0f}")
    assert '<figure class="chart"' in doc and "<desc" in doc.split('<figure class="chart"', 1)[1]


def test_the_webserver_page_shows_start_up_and_memory_of_each_benchmarked_image(built_site, bench, site):
    doc = page(built_site, "programs/webserver/index.html")
    table = next(t for t in tables(doc) if "Start-up to first response" in t)
    shown = {r["Variant"]: r for r in table_records(table)}
    assert set(shown) == {vid for vid, r in bench.items() if not r["failure"]}
    for vid, cells in shown.items():
        row, image = bench[vid], site.measured("webserver", vid)
        assert cells["Base"] == image["base"]
        assert cells["Image"] == format_bytes(int(image["image_bytes"]))
        assert cells["Start-up to first response (ms)"].startswith(f"{row['startup_ms']:,.0f}")
        assert cells["Peak memory under load"] == format_bytes(int(row["rss_bytes"]))


def test_a_figure_for_prose_is_the_csv_value_and_a_bad_name_fails_loudly(site, bench):
    site.start_page("concepts/libc.md")
    shown = html.unescape(site.call("bench_figure", "alloc-musl", "alloc_rps_ratio"))
    assert shown == f"{bench['alloc-musl']['alloc_rps_ratio']:.2f}×"
    with pytest.raises(MacroError, match=r"concepts/libc\.md: 'alloc-nothing' is no variant of the recipes"):
        site.call("bench_figure", "alloc-nothing", "alloc_rps")
    with pytest.raises(MacroError, match=r"bench\.csv has no column 'speed'"):
        site.call("bench_figure", "alloc-musl", "speed")


# -- the chart on a run made up for the test (bench.csv may have no run yet) ------------------------


@pytest.fixture
def bench_site(tmp_path) -> Site:
    """The page context on the committed data with support.bench_rows as bench.csv (read and checked
    against the schema as the build reads it)."""
    shutil.copy(MEASUREMENTS / "bench.schema.json", tmp_path / "bench.schema.json")
    table = read_table(write_bench_rows(tmp_path / "bench.csv"))
    data = load_measurements()
    with_run = Measurements({**data.tables, "bench": table}, data.recipes)
    s = Site(lambda: with_run)
    s.start_page("test.md")
    return s


def ci_spans(svg: str) -> list[tuple[float, float]]:
    """The value each range line of a linear chart starts and ends at, read back through the axis'
    labelled guides, in drawing order."""
    guides = {
        float(v): float(x)
        for x, v in re.findall(r'<text x="([0-9.]+)" y="[0-9.]+" class="(?:major)?">([0-9.]+)×</text>', svg)
    }
    (v0, x0), (v1, x1) = sorted(guides.items())[:2]
    per_unit = (x1 - x0) / (v1 - v0)
    spans = []
    for d in re.findall(r'<g class="ci"><path d="([^"]+)"', svg):
        xs = [float(x) for x in re.findall(r"[ML]([0-9.]+) ", d)]
        spans.append((v0 + (min(xs) - x0) / per_unit, v0 + (max(xs) - x0) / per_unit))
    return spans


def test_the_chart_shows_every_variant_with_the_range_of_its_rounds_wide_and_narrow(bench_site):
    out = bench_site.call("bench_chart")
    svgs = re.findall(r"<svg .*?</svg>", out)
    assert len(svgs) == 2 and "chart-wide" in svgs[0] and "chart-narrow" in svgs[1]
    rows = bench_rows()
    expected = sorted(
        (float(r[f"{c}_min"]), float(r[f"{c}_max"])) for r in rows for c in ("alloc_rps_ratio", "cpu_rps_ratio")
    )
    for svg, width in zip(svgs, (WIDE, NARROW), strict=True):
        assert f'viewBox="0 0 {width} ' in svg
        assert all(r["variant"] in svg for r in rows)
        spans = sorted(ci_spans(svg))
        assert len(spans) == len(expected)  # a range on every bar, both series
        for (low, high), (e_low, e_high) in zip(spans, expected, strict=True):
            assert low == pytest.approx(e_low, abs=0.01) and high == pytest.approx(e_high, abs=0.01)


# -- the check: a second run compared with the committed one ---------------------------------------


def check_site(tmp_path, rows: list[dict[str, str]]) -> Site:
    """The page context on the committed data with ``rows`` as bench_checks.csv."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(MEASUREMENTS / "bench_checks.schema.json", tmp_path / "bench_checks.schema.json")
    header = (MEASUREMENTS / "bench_checks.csv").read_text().splitlines()[0].split(",")
    table = read_table(write_csv(tmp_path / "bench_checks.csv", rows, header) if rows else _header_only(tmp_path))
    data = load_measurements()
    s = Site(lambda: Measurements({**data.tables, "bench_checks": table}, data.recipes))
    s.start_page("test.md")
    return s


def _header_only(tmp_path):
    path = tmp_path / "bench_checks.csv"
    path.write_text((MEASUREMENTS / "bench_checks.csv").read_text().splitlines()[0] + "\n")
    return path


def committed_check_rows() -> list[dict[str, str]]:
    with open(MEASUREMENTS / "bench_checks.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_check_sentence_and_table_follow_the_rows(site):
    rows = list(site.data.rows("bench_checks"))
    worst = max(rows, key=lambda r: abs(r["rerun"] / r["committed"] - 1))
    sentence = html.unescape(site.call("bench_check"))
    assert f"{worst['checked_at']:%Y-%m-%d}" in sentence and worst["variant"] in sentence
    assert f"{(worst['rerun'] / worst['committed'] - 1) * 100:+.1f} %" in sentence
    assert "on the same CPU model" in sentence  # the committed check was made on the committed run's CPU
    table = site.call("bench_check_table")
    shown = {cells[0]: cells[1:] for cells in markdown_rows(table)}
    assert set(shown) == {r["variant"] for r in rows}
    musl = {r["ratio"]: r for r in rows if r["variant"] == "alloc-musl"}
    change = musl["alloc_rps_ratio"]["rerun"] / musl["alloc_rps_ratio"]["committed"] - 1
    assert shown["alloc-musl"][0].startswith(f"{change * 100:+.1f} %")


def test_a_ratio_beyond_the_limit_is_flagged_and_counted(tmp_path):
    rows = [{**r, "rerun": r["committed"]} for r in committed_check_rows()]  # a second run that agreed exactly
    moved = next(r for r in rows if r["variant"] == "alloc-musl" and r["ratio"] == "alloc_p99_ratio")
    moved["rerun"] = f"{float(moved['committed']) * 1.25:.3f}"
    s = check_site(tmp_path, rows)
    assert f"1 of {len(rows)} ratios moved by more than ±10 %" in html.unescape(s.call("bench_check"))
    table = s.call("bench_check_table")
    cells = next(cells for cells in markdown_rows(table) if cells[0] == "alloc-musl")
    assert "+25.0 % (beyond the limit)" in cells  # (columns that are the same in every row go to the caption)


def test_a_check_on_another_cpu_says_so(tmp_path):
    rows = [{**r, "rerun": r["committed"], "cpu_model": "Another CPU"} for r in committed_check_rows()]
    sentence = html.unescape(check_site(tmp_path, rows).call("bench_check"))
    committed = {r["cpu_model"] for r in load_measurements().rows("bench")}
    assert f"on another CPU model (Another CPU; the committed run: {', '.join(sorted(committed))})" in sentence


def test_without_a_check_the_pages_say_so(tmp_path):
    s = check_site(tmp_path, [])
    assert s.call("bench_check").startswith("Not checked yet")
    assert s.call("bench_check_table").startswith("Not checked yet")


def test_a_relation_holds_only_if_both_runs_agree_on_it(tmp_path):
    """musl + mimalloc's throughput ratio, whichever side of 1 ± margin the committed run put it: alone
    it picks its word; with a check, the word holds only if the second run's ratio is on the same side,
    and a second run on the other side makes it "level"."""
    words = ("alloc-musl-mimalloc", "alloc_rps_ratio", "faster", "slower", "level")
    committed = next(r for r in load_measurements().rows("bench") if r["variant"] == "alloc-musl-mimalloc")
    value = committed["alloc_rps_ratio"]
    alone = "faster" if value > 1.05 else "slower" if value < 0.95 else "level"
    assert check_site(tmp_path / "none", []).call("bench_relation", *words) == alone
    rows = committed_check_rows()
    mine = next(r for r in rows if r["variant"] == "alloc-musl-mimalloc" and r["ratio"] == "alloc_rps_ratio")
    for rerun, expected in ((value, alone), (0.5 if value > 1 else 1.5, "level"), (1.0, "level")):
        mine["rerun"] = f"{rerun:.3f}"
        assert check_site(tmp_path / str(rerun), rows).call("bench_relation", *words) == expected


def test_the_second_runs_figure_follows_its_row_and_is_empty_without_a_check(tmp_path):
    rows = committed_check_rows()
    mine = next(r for r in rows if r["variant"] == "alloc-musl" and r["ratio"] == "rss_ratio")
    mine["rerun"] = "0.701"
    shown = check_site(tmp_path / "a", rows).call("bench_second_run", "alloc-musl", "rss_ratio")
    assert html.unescape(shown) == "; 0.70× in a second run"
    assert check_site(tmp_path / "b", []).call("bench_second_run", "alloc-musl", "rss_ratio") == ""
    with pytest.raises(MacroError, match="bench_second_run takes one of"):
        check_site(tmp_path / "c", []).call("bench_second_run", "alloc-musl", "rss_bytes")


def test_the_toolchain_sentence_names_the_compiler_of_every_variant(site):
    images = {(r["program"], r["variant"]): r for r in site.data.rows("images")}
    bench = list(site.data.rows("bench"))
    compilers = {(images[(r["program"], r["variant"])]["rustc_release"]) for r in bench}
    sentence = html.unescape(site.call("bench_toolchains"))
    assert all(f"rustc {release}" in sentence for release in compilers)
    assert sentence.startswith("Not every variant") == (len(compilers) > 1)


def toolchain_sentence_with_images(tmp_path, rows: list[dict[str, str]], header: list[str]) -> str:
    """bench_toolchains() with images.csv replaced by ``rows`` (the other datasets as committed)."""
    shutil.copy(MEASUREMENTS / "images.schema.json", tmp_path / "images.schema.json")
    images = read_table(write_csv(tmp_path / "images.csv", rows, header))
    data = load_measurements()
    s = Site(lambda: Measurements({**data.tables, "images": images}, data.recipes))
    s.start_page("test.md")
    return html.unescape(s.call("bench_toolchains"))


def test_one_compiler_for_every_variant_says_so_with_the_toolchain_note(tmp_path):
    """The benchmark's six variants built by one toolchain: the sentence says the ratios do not compare
    compilers, and gives that toolchain's note from toolchains.csv."""
    images = list(csv.DictReader(io.StringIO((MEASUREMENTS / "images.csv").read_text())))
    for row in images:
        if row["variant"].startswith("alloc-"):
            row.update(toolchain="debian-build-std", rustc_release="1.96.0")
    sentence = toolchain_sentence_with_images(tmp_path, images, list(images[0]))
    assert sentence.startswith("All 6 variants were built by one compiler, rustc 1.96.0 (the debian-build-std")
    assert "not compilers" in sentence and load_measurements().toolchain_notes["debian-build-std"] in sentence


def test_the_toolchain_sentence_says_which_variants_images_csv_lacks(tmp_path):
    """images.csv emptied (valid data) while bench.csv keeps its rows: the sentence says so, it does not
    stop the build. (Found by the empty-data site build.)"""
    header = (MEASUREMENTS / "images.csv").read_text().splitlines()[0].split(",")
    sentence = toolchain_sentence_with_images(tmp_path, [], header)
    assert sentence.startswith("images.csv has no row for alloc-glibc-dynamic,") and "not shown here" in sentence
