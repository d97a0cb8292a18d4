"""The site as a whole: strict build, seed tables from CSV rows, bad data fails the build loudly."""

from __future__ import annotations

import csv
import html
import re
from pathlib import Path

import pytest
from conftest import REPO, mkdocs_build

from cheatsheet.datasets import load_measurements

PAGES_WITH_DATA = ["index.html", "programs/hello-world/index.html", "programs/webserver/index.html"]


def page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def tables(doc: str) -> list[str]:
    return re.findall(r"<table>.*?</table>", doc, re.S)


def rows(table: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    out = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        out.append([html.unescape(re.sub(r"<sup.*?</sup>|<[^>]+>", "", c)).strip() for c in cells])
    return out


def test_strict_build_succeeds(built_site):
    assert (built_site / "index.html").is_file()
    for rel in PAGES_WITH_DATA:
        assert tables(page(built_site, rel)), f"{rel} shows no table"


def test_every_seed_figure_is_on_the_hello_world_page(built_site):
    doc = page(built_site, "programs/hello-world/index.html")
    shown = "\n".join(" | ".join(r) for t in tables(doc) for r in rows(t))
    for row in csv.DictReader((REPO / "measurements" / "published.csv").open()):
        if row["program"] == "hello-world":
            assert row["size_as_published"] in shown, row


def test_the_measured_table_shows_each_variant_with_its_csv_figures(built_site):
    data = load_measurements()
    doc = page(built_site, "programs/hello-world/index.html")
    [measured] = [t for t in tables(doc) if "Compressed" in t][:1]
    by_variant = {r[0]: r for r in rows(measured)}
    # every hello-world variant but the size-ladder steps, which the binary-size page shows, and the
    # arm64 ones, which the side-by-side table shows
    variants = [
        v.id for v in data.recipes.variants if v.program.id == "hello-world" and not v.ladder and v.arch == "amd64"
    ]
    assert sorted(by_variant) == sorted(variants)
    from cheatsheet.render import format_bytes

    for row in data.images.rows:
        if row["program"] == "hello-world" and row["variant"] in variants:
            assert format_bytes(row["image_bytes"]) in by_variant[row["variant"]]


def test_footnotes_are_generated_and_resolve(built_site):
    doc = page(built_site, "programs/hello-world/index.html")
    refs = set(re.findall(r'href="#(fn:[^"]+)"', doc))
    targets = set(re.findall(r'<li id="(fn:[^"]+)"', doc))
    assert refs and refs <= targets


def break_csv(project: Path, name: str, old: str, new: str) -> None:
    path = project / "measurements" / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


BAD_PUBLISHED = [
    (
        ",124000000,124MB,",
        ",124 million,124MB,",
        r"published\.csv:2:\d+: column 'image_bytes': '124 million' is not an integer",
    ),
    (
        ",124000000,124MB,",
        ",-124000000,124MB,",
        r"published\.csv:2:\d+: column 'image_bytes': -124000000 is below the minimum 0",
    ),
    (
        "seed,hello-world,debian,1,debian,debian,glibc,",
        "seed,hello-world,debian,1,debian,debian,bionic,",
        r"published\.csv:2:\d+: column 'libc': 'bionic' is not one of: glibc, musl",
    ),
    (
        "seed,hello-world,debian-slim,",
        "seed,hello-world,debian,",
        r"published\.csv:3:1: duplicate key \(seed, hello-world, debian\): first at line 2",
    ),
]


@pytest.mark.parametrize(
    "old, new, expected", BAD_PUBLISHED, ids=["text-in-size", "negative-size", "unknown-enum", "duplicate-key"]
)
def test_a_malformed_csv_fails_the_build_with_file_line_and_column(site_copy, tmp_path, old, new, expected):
    break_csv(site_copy, "published.csv", old, new)
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert re.search(r"measurements/" + expected, proc.stdout + proc.stderr), proc.stderr[-3000:]
    assert not (tmp_path / "out" / "programs" / "hello-world" / "index.html").exists()


def test_a_csv_missing_a_column_fails_the_build(site_copy, tmp_path):
    path = site_copy / "measurements" / "sources.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:3]) for line in lines[:1]) + "\n")
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert "measurements/sources.csv:1:" in proc.stderr and "missing column 'retrieved'" in proc.stderr


HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) a | b {{ 7*7 }} **no**"


def test_data_values_render_as_text(site_copy, tmp_path):
    break_csv(site_copy, "published.csv", ",debian:slim,", f',"{HOSTILE}",')
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = (tmp_path / "out" / "programs" / "hello-world" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in doc
    assert 'href="javascript:alert' not in doc and "<strong>no</strong>" not in doc and ">49<" not in doc
    cells = [c for t in tables(doc) for r in rows(t) for c in r]
    assert HOSTILE in cells


def test_a_page_naming_an_unknown_variant_fails_the_build(site_copy, tmp_path):
    with (site_copy / "docs" / "index.md").open("a") as fh:
        fh.write('\n{{ image_size("hello-world", "debian-sid") }}\n')
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert "index.md: hello-world has no variant 'debian-sid'; known: debian," in proc.stdout + proc.stderr


def test_an_undefined_name_in_a_page_fails_the_build(site_copy, tmp_path):
    with (site_copy / "docs" / "index.md").open("a") as fh:
        fh.write("\n{{ image_size_tabel }}\n")
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert "image_size_tabel" in proc.stdout + proc.stderr


def test_a_measured_row_without_a_recipe_fails_the_build(site_copy, tmp_path):
    from rows import image_row, write_csv

    write_csv(site_copy / "measurements" / "images.csv", [image_row(variant="scratch-newlib")])
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert "measurements/images.csv:2:" in proc.stderr and "hello-world/scratch-newlib is not a variant" in proc.stderr


def test_validate_script_reports_the_committed_data_valid():
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "validate.py")], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("measurements valid: images.csv ")
