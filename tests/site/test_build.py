"""The site built for real with `mkdocs build --strict`: the committed site (built once per session),
values shown literally whatever the data holds, and the builds that bad data or a bad page stops.

Every kind of bad data is tested against the loader (tests/site/test_measurements.py): the builds here
prove once that such an error stops the build, with its position and no traceback.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from support import edit, images_only, mkdocs_build, page, table_rows, tables, texts

from cheatsheet.paths import MEASUREMENTS, copy_site
from cheatsheet.recipes.dockerfile import dockerfile
from cheatsheet.site.render import format_bytes

pytestmark = pytest.mark.slow
PAGES_WITH_DATA = ["index.html", "programs/hello-world/index.html", "programs/webserver/index.html"]


def hello_world_on_its_page(recipes) -> list[str]:
    """The hello-world variants of the program's own page: the size-ladder steps are on the binary-size
    page with their commands, the arm64 ones and their like-for-like partners in the side-by-side tables,
    the cells of the runs-where matrix in the base images' overview."""
    return [
        v.id
        for v in recipes.variants
        if v.program.id == "hello-world"
        and not v.ladder
        and v.arch == "amd64"
        and not v.like_for_like_of
        and not v.matrix
    ]


# -- the committed site ---------------------------------------------------------------------------


def test_strict_build_succeeds(built_site):
    assert (built_site / "index.html").is_file()
    for rel in PAGES_WITH_DATA:
        assert tables(page(built_site, rel)), f"{rel} shows no table"


def test_building_the_site_imports_no_docker_or_measurement_code(build_modules):
    """The strict build, in a fresh interpreter, loads nothing of the measure layer (Docker, base images,
    toolchains, the runner), and nothing of the data layer's writer."""
    assert "cheatsheet.site.macros" in build_modules  # the build did load the site's code
    loaded = [
        m
        for m in build_modules
        if m.startswith("cheatsheet.measure") or m in ("cheatsheet.data.store", "cheatsheet.util")
    ]
    assert loaded == []


def test_every_seed_figure_is_on_the_hello_world_page(built_site):
    doc = page(built_site, "programs/hello-world/index.html")
    shown = "\n".join(" | ".join(r) for t in tables(doc) for r in table_rows(t))
    seed = [r for r in csv.DictReader((MEASUREMENTS / "published.csv").open()) if r["program"] == "hello-world"]
    assert len(seed) >= 7
    for row in seed:
        assert row["size_as_published"] in shown, row


def test_the_measured_table_shows_each_variant_with_its_csv_figures(built_site, site, recipes):
    doc = page(built_site, "programs/hello-world/index.html")
    [measured] = [t for t in tables(doc) if "Compressed" in t][:1]
    by_variant = {r[0]: r for r in table_rows(measured)}
    variants = hello_world_on_its_page(recipes)
    assert sorted(by_variant) == sorted(variants)
    rows = [r for r in site.data.rows("images") if r["program"] == "hello-world" and r["variant"] in variants]
    assert len(rows) >= 6
    for row in rows:
        assert format_bytes(row["image_bytes"]) in by_variant[row["variant"]]


def test_footnotes_are_generated_and_resolve(built_site):
    doc = page(built_site, "programs/hello-world/index.html")
    refs = set(re.findall(r'href="#(fn:[^"]+)"', doc))
    targets = set(re.findall(r'<li id="(fn:[^"]+)"', doc))
    assert refs and refs <= targets


def test_dockerfiles_and_inline_code_render_as_their_characters(built_site, site, recipes):
    doc = page(built_site, "programs/hello-world/index.html")
    shown = set(texts(doc, "pre"))
    variants = hello_world_on_its_page(recipes)
    for variant in recipes.variants:
        if variant.program.id == "hello-world" and variant.id in variants:
            assert dockerfile(variant).strip() in shown, variant.id
    assert doc.count(">Dockerfile<") == 2 * len(variants)  # the titles of both tabs of every variant
    codes = texts(doc, "code")
    rows = [r for r in site.data.rows("images") if r["program"] == "hello-world" and r["variant"] in variants]
    assert len(rows) >= 6 and any(r["base_id"] for r in rows)
    for row in rows:
        assert row["variant"] in codes
        if row["base_id"]:
            assert row["base_id"][:19] in codes


# -- values shown literally -----------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) a | b {{ 7*7 }} **no**"
# A text starting with "-", "+" or "=" is refused by the reader (a spreadsheet would run it: see
# tests/data/test_values.py); every other way a text can open a block is shown as its characters.
TITLES = [
    "* star",
    "1986. A year",
    "1) one",
    "# heading",
    "> quote",
    "!!! note",
    "a  b   c",
    "| pipe |",
    "<b>x</b> &amp; {{ 1 }}",
    "Τίτλος — ünïcode",
]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """One strict build of a copy whose data holds Markdown, HTML and template syntax in every kind of
    text: a cell of the published table, citation titles and notes, cells of a page of its own."""
    project = copy_site(tmp_path_factory.mktemp("hostile") / "project")
    data = project / "measurements"
    edit(data / "published.csv", ",debian:slim,", f',"{HOSTILE}",')
    sources = data / "sources.csv"
    extra = [f'src{i},Short {i},"{t}",somewhere,2026-01-01,"{t}"' for i, t in enumerate(TITLES)]
    sources.write_text("\n".join(sources.read_text().splitlines() + extra) + "\n")
    published = data / "published.csv"
    cells = [
        f'src{i},hello-world,debian,1,debian,"{t}",glibc,dynamic,none,none,,1000,1KB,' for i, t in enumerate(TITLES)
    ]
    published.write_text("\n".join(published.read_text().splitlines() + cells) + "\n")
    body = "\n\n".join(
        f'Cited{{{{ cite("src{i}") }}}}.\n\n{{{{ published_table("src{i}", "hello-world") }}}}'
        for i in range(len(TITLES))
    )
    (project / "docs" / "hostile.md").write_text("# Hostile\n\n" + body + "\n")
    edit(project / "mkdocs.yml", "  - Methodology: methodology.md", "  - Methodology: methodology.md\n  - hostile.md")
    out = project.parent / "out"
    proc = mkdocs_build(project, out)
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


def test_data_values_render_as_text(hostile_site):
    doc = page(hostile_site, "programs/hello-world/index.html")
    assert "<script>alert(1)</script>" not in doc
    assert 'href="javascript:alert' not in doc and "<strong>no</strong>" not in doc and ">49<" not in doc
    cells = [c for t in tables(doc) for r in table_rows(t) for c in r]
    assert HOSTILE in cells


def test_citation_titles_and_cells_render_as_their_characters(hostile_site):
    """A citation title, a footnote note and table cells show exactly the CSV text in the built HTML."""
    doc = page(hostile_site, "hostile/index.html")
    notes = texts(doc, "li", "id", "fn:src-")
    cells = texts(doc, "td")
    for title in TITLES:
        assert f"{title}. somewhere. Figures copied on 2026-01-01. {title}" in notes, (title, notes)
        assert title in cells, (title, cells)
    article = doc[doc.index("<article") : doc.index("</article>")]
    assert re.findall(r"<(?:h[1-6]|ul|ol|blockquote|pre|hr|dl|details|div class=.admonition)\b", article) == [
        "<h1",  # the page's own title
        "<hr",  # the footnotes' rule
        "<ol",  # the footnotes
    ]


# -- what stops the build -------------------------------------------------------------------------


def test_bad_data_stops_the_build_with_its_position_and_no_traceback(site_copy, tmp_path):
    edit(site_copy / "measurements" / "published.csv", ",124000000,124MB,", ",124 million,124MB,")
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert re.search(
        r"measurements/published\.csv:2:\d+: column 'image_bytes': '124 million' is not an integer", proc.stderr
    ), proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert not (tmp_path / "out" / "programs" / "hello-world" / "index.html").exists()


def test_empty_data_builds_and_a_page_asking_for_an_unknown_variant_stops_the_build(site_copy, tmp_path):
    """An empty images.csv is valid data, so the site builds and says what is not measured (what the
    validator accepts, the site builds); a page naming a variant the recipes lack fails, naming the page."""
    images_only(site_copy / "measurements")
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "not measured" in (tmp_path / "out" / "programs" / "hello-world" / "index.html").read_text()
    with (site_copy / "docs" / "index.md").open("a") as fh:
        fh.write("\n{{ image_size('hello-world', 'scratch-newlib') }}\n")
    proc = mkdocs_build(site_copy, tmp_path / "out2")  # mkdocs-macros prints a macro error with its traceback
    assert proc.returncode != 0
    assert re.search(r"MacroError_: index\.md: hello-world has no variant 'scratch-newlib'", proc.stdout + proc.stderr)


def test_an_undefined_name_in_a_page_stops_the_build(site_copy, tmp_path):
    with (site_copy / "docs" / "index.md").open("a") as fh:
        fh.write("\n{{ image_size_tabel }}\n")
    proc = mkdocs_build(site_copy, tmp_path / "out")
    assert proc.returncode != 0
    assert "image_size_tabel" in proc.stdout + proc.stderr
