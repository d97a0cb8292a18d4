"""Issue 10, item 5 and issue 6's build scale: sizes with exact bytes, and each note once per table."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from conftest import REPO, copy_site

from cheatsheet.datasets import load_measurements
from cheatsheet.recipes import load_recipes
from cheatsheet.render import format_bytes, size, sort_key, tabs, text
from cheatsheet.site import Site

_spec = importlib.util.spec_from_file_location("bench_build", REPO / "scripts" / "bench_build.py")
assert _spec and _spec.loader
bench_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_build)


@pytest.mark.parametrize("n", [0, 999, 1000, 1_224_968, 116_582_467, 999_999_999_999])
def test_a_size_shows_its_figure_with_the_exact_bytes_on_hover_and_as_sort_key(n):
    assert size(n) == f'<abbr class="bytes" title="{n:,} bytes" data-sort="{n}">{format_bytes(n)}</abbr>'


@pytest.mark.parametrize("bad", [-1, 1.5, "12", True, None])
def test_a_size_is_a_non_negative_integer(bad):
    with pytest.raises((TypeError, ValueError)):
        size(bad)
    if not isinstance(bad, int) or isinstance(bad, bool):
        with pytest.raises(TypeError):
            sort_key("x", bad)


def test_tabs_indent_their_bodies_and_refuse_labels_that_need_escaping():
    assert tabs([("A", "x\n\ny"), ("B", "z")]) == '=== "A"\n\n    x\n\n    y\n\n=== "B"\n\n    z'
    with pytest.raises(ValueError):
        tabs([('say "hi"', "x")])


def test_every_size_in_the_measured_table_carries_its_exact_bytes():
    site = Site()
    site.start_page("test.md")
    table = site.image_size_table("hello-world")
    data = load_measurements()
    shown = [r for r in data.images_by_program["hello-world"] if f"<code>{text(r['variant'])}</code>" in table]
    assert len(shown) >= 6
    for row in shown:
        for column in ("image_bytes", "compressed_bytes", "binary_bytes"):
            assert size(row[column]) in table
    assert not re.search(r"\| [0-9.]+ [kMG]?B \|", table.replace(" | ", " |\n| ")), "a bare size"


@pytest.fixture(scope="module")
def thousand_rows(tmp_path_factory) -> Site:
    project = copy_site(tmp_path_factory.mktemp("scale") / "project")
    bench_build.add_synthetic_rows(project, 1000)
    recipes = load_recipes(project / "programs" / "recipes.toml")
    data = load_measurements(project / "measurements", recipes=recipes)
    site = Site(lambda: data)
    site.start_page("scale.md")
    return site


def test_a_measured_note_is_referenced_once_per_table_even_with_a_thousand_rows(thousand_rows):
    """Python-Markdown's footnotes take time quadratic in the references to one note: a note
    shared by many rows goes once in a header, whatever the number of rows."""
    table = thousand_rows.image_size_table("hello-world")
    assert table.count("\n") > 100  # a hundred and more synthetic hello-world rows (the others go elsewhere)
    refs: dict[str, int] = {}
    for label in re.findall(r"\[\^([a-z]+-[0-9a-f]+)\]", table):
        refs[label] = refs.get(label, 0) + 1
    notes = thousand_rows.notes.notes
    repeated = {label: n for label, n in refs.items() if n > 1 and not notes[label].startswith("Not measured")}
    assert repeated == {}, {label: (n, notes[label][:60]) for label, n in repeated.items()}
    header = table.splitlines()[0]
    assert "Toolchain[^" in header  # two toolchains: a column, explained once in its header
    toolchain_note = notes[re.search(r"Toolchain\[\^([a-z]+-[0-9a-f]+)\]", header).group(1)]
    assert "rustup: " in toolchain_note and "debian-build-std: " in toolchain_note


def test_a_base_note_every_measured_row_shares_is_in_the_header():
    site = Site()
    site.start_page("test.md")
    table = site.image_size_table("hello-world", variants=["debian", "scratch-glibc"])
    header = table.splitlines()[0]
    label = re.search(r"Base(\[\^data-[0-9a-f]+\])", header).group(1)
    assert table.count(label) == 1
    assert "bootstrapped from Debian 12 packages" in site.finish_page()
    assert text("x") == "x"  # the cells stay literal text
    assert Path(REPO / "docs" / "javascripts" / "tablesort.js").is_file()
