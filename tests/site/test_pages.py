"""Sentences about measured behaviour follow the rows: each is tied to the data here, so a re-measurement
that changes the behaviour changes the page, and a page cannot claim what was not measured."""

from __future__ import annotations

import re

import pytest

from cheatsheet.site.measurements import load_measurements
from cheatsheet.site.pages import render_pages
from cheatsheet.site.render import text

DATA = load_measurements()
PAGES = render_pages(DATA)


def row(program: str, variant: str) -> dict | None:
    return DATA.images_by_variant.get((program, variant))


def test_static_glibc_name_resolution_is_said_as_measured():
    page = PAGES["concepts/crt-linkage.md"]
    measured = row("webserver", "scratch-glibc-getaddrinfo")
    assert measured is not None, "the getaddrinfo row the page speaks of is missing: measure it"
    said = "resolved the name" if measured["resolves"] == "yes" else "did not resolve the name"
    assert said in page
    assert "planned" not in page and "may fail" not in page


@pytest.mark.parametrize("page", ["base-images/scratch.md", "concepts/crt-linkage.md"])
def test_no_page_sends_static_glibc_users_to_nsswitch_against_the_data(page):
    measured = row("webserver", "scratch-glibc-getaddrinfo")
    assert measured is not None
    if measured["resolves"] == "yes":
        assert "failed to resolve names without one" not in PAGES[page]


def test_the_runs_where_matrix_is_the_rows():
    page = PAGES["base-images/index.md"]
    table = page.split("## Which binaries run where", 1)[1].split("##", 1)[0]
    lines = [line for line in table.splitlines() if line.startswith("| glibc, dynamic")]
    assert lines, "the matrix has no row for dynamic glibc"
    cells = [c.strip() for c in lines[0].strip("|").split("|")][1:]
    header = [
        c.strip() for c in next(ln for ln in table.splitlines() if ln.startswith("| Binary")).strip("|").split("|")
    ][1:]
    variant = {"debian": "debian", "debian-slim": "debian-slim", "distroless-cc": "distroless-cc",
               "distroless-static": "distroless-static-glibc-dynamic", "scratch": "scratch-glibc-dynamic"}  # fmt: skip
    for base, cell in zip(header, cells, strict=True):
        if base not in variant:
            continue
        measured = row("hello-world", variant[base])
        if measured is None:
            assert cell.startswith("not measured")
        else:
            assert cell.startswith("runs" if measured["runs"] == "yes" else "fails"), (base, cell)


def test_the_tls_matrix_count_is_the_rows():
    page = PAGES["programs/webserver.md"]
    said = re.search(r"([0-9]+) were built, and ([0-9]+) of those passed every server check", page)
    assert said, "the webserver page no longer says how many matrix images were built"
    assert "Twenty images" not in page


def test_published_figures_are_shown_as_printed():
    page = PAGES["programs/hello-world.md"]
    for r in DATA.rows("published"):
        if r["program"] == "hello-world":
            shown = re.escape(text(r["size_as_published"]))
            assert re.search(rf'data-sort="{r["image_bytes"]}">{shown}<', page), r["size_as_published"]


def test_a_source_is_linked_and_its_code_shown_as_code():
    page = PAGES["programs/hello-world.md"]
    assert '<a href="https://github.com/tbillington/rust-docker-cheatsheet">' in page
    assert "&#96;" not in page.split("[^src-", 1)[-1].split("\n", 1)[0]


def test_the_hello_world_provenance_leaves_the_ladder_out():
    page = PAGES["methodology.md"]
    table = page.split("## Provenance", 1)[1].split("##", 1)[0]
    assert "ladder-" not in table
    assert "ladder-musl-01-release" in PAGES["concepts/binary-size.md"]
