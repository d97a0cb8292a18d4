"""cheatsheet.site.arm64_builds: the arm64 build routes as the pages show them, every figure from
arm64_builds.csv, "not run here" where the data has no row, the bound where a build was stopped."""

from __future__ import annotations

import csv
import html

import pytest
from support import page, table_records, tables, write_csv

from cheatsheet.data.table import read_table
from cheatsheet.site.arm64_builds import ROUTE_TITLES, short_tool
from cheatsheet.site.context import MacroError, Site
from cheatsheet.site.measurements import load_measurements
from cheatsheet.site.render import format_bytes, text


def site_on(data_dir) -> Site:
    s = Site(lambda: load_measurements(data_dir))
    s.start_page("test.md")
    return s


def rows_of(data_dir) -> list[dict[str, str]]:
    """arm64_builds.csv of ``data_dir`` as text rows."""
    with open(data_dir / "arm64_builds.csv", newline="") as fh:
        return list(csv.DictReader(fh))


def test_the_table_shows_each_route_with_the_csv_figures(site):
    doc = site.call("arm64_routes_table", "webserver")
    rows = {r["route"]: r for r in site.data.rows("arm64_builds") if r["program"] == "webserver"}
    for route, row in rows.items():
        assert text(ROUTE_TITLES[route]) in doc
        if row["binary_bytes"] is not None:
            assert format_bytes(row["binary_bytes"]) in doc


def test_a_route_without_a_row_is_not_run_here_and_a_stopped_build_shows_its_bound(data_dir):
    rows = rows_of(data_dir)
    kept = [r for r in rows if not (r["program"] == "hello-world" and r["route"] == "zigbuild")]
    for r in kept:
        if r["program"] == "webserver" and r["route"] == "native-emulated":
            stopped = f"did not finish within the bound of {r['timeout_seconds']} s"
            empty = dict.fromkeys(
                ("build_seconds", "build_cpu_seconds", "binary_bytes", "glibc_max", "image_bytes"), ""
            )
            r.update(empty, outcome="timed-out", runs="", failure=stopped)
    write_csv(data_dir / "arm64_builds.csv", kept, list(rows[0]))
    read_table(data_dir / "arm64_builds.csv")
    site = site_on(data_dir)
    hello = site.call("arm64_routes_table", "hello-world")
    assert "not run here" in hello
    assert "not run here" in site.call("arm64_route_figure", "hello-world", "zigbuild", "build_seconds")
    bound = next(r["timeout_seconds"] for r in kept if r["program"] == "webserver")
    stopped = site.call("arm64_route_figure", "webserver", "native-emulated", "build_seconds")
    assert f"over {int(bound):,} s" in stopped
    assert site.call("arm64_route_ratio", "webserver", "native-emulated", "cross-gcc").startswith("over ")
    assert site.call("arm64_route_best", "webserver") != ROUTE_TITLES["native-emulated"]
    assert "Stopped at its bound" in site.finish_page()


def test_the_ratio_and_the_best_route_come_from_the_rows(site):
    rows = {r["route"]: r for r in site.data.rows("arm64_builds") if r["program"] == "hello-world"}
    built = {k: r for k, r in rows.items() if r["outcome"] == "built" and r["runs"] == "yes"}
    if len(built) < 2:
        pytest.skip("the committed data has fewer than two hello-world routes that built and ran")
    a, b = sorted(built)[:2]
    expected = f"{built[a]['build_seconds'] / built[b]['build_seconds']:.1f}×"
    assert html.unescape(site.call("arm64_route_ratio", "hello-world", a, b)) == expected
    fastest = min(built, key=lambda r: built[r]["build_seconds"])
    assert site.call("arm64_route_best", "hello-world") == ROUTE_TITLES[fastest]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("arm64_routes_table", "hello-nostd"), "arm64_builds.csv has no program 'hello-nostd'"),
        (("arm64_route_figure", "webserver", "buildx", "build_seconds"), "unknown route 'buildx'"),
        (("arm64_route_figure", "webserver", "zigbuild", "failure"), "arm64_route_figure shows one of"),
        (("arm64_route_ratio", "webserver", "zigbuild", "cross-gcc", "runs"), "compares times or sizes"),
    ],
)
def test_a_bad_argument_stops_the_build_naming_the_page(site, args, message):
    with pytest.raises(MacroError, match=f"^test\\.md: .*{message}"):
        site.call(*args)


def test_the_arm64_page_shows_both_tables(built_site, site):
    doc = page(built_site, "concepts/arm64/index.html")
    route_tables = [t for t in tables(doc) if "Cold build" in t]
    assert len(route_tables) == 2
    for table, program in zip(route_tables, ("hello-world", "webserver"), strict=True):
        records = table_records(table)
        rows = [r for r in site.data.rows("arm64_builds") if r["program"] == program]
        assert len(records) == len(ROUTE_TITLES)
        shown = {rec["Route"] for rec in records}
        assert {ROUTE_TITLES[r["route"]] for r in rows} <= shown


@pytest.mark.parametrize(
    ("line", "short"),
    [
        ("aarch64-linux-gnu-gcc (Debian 12.2.0-14) 12.2.0", "aarch64-linux-gnu-gcc 12.2.0"),
        ("zig 0.15.2 cc (cargo-zigbuild 0.20.1)", "zig 0.15.2"),
        ("gcc (Debian 12.2.0-14) 12.2.0, arm64, emulated", "gcc 12.2.0"),
        ("unavailable", "unavailable"),
    ],
)
def test_a_tool_is_shown_by_its_name_and_first_version(line, short):
    assert short_tool(line) == short
