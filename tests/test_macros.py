"""The macro functions called directly, on the committed data and on small edited copies."""

from __future__ import annotations

import re
import shutil

import pytest
from rows import image_row, write_csv

from cheatsheet.datasets import MEASUREMENTS, load_measurements
from cheatsheet.site import MacroError, Site


@pytest.fixture
def site() -> Site:
    s = Site(load_measurements)
    s.start_page("test.md")
    return s


def test_unmeasured_variant_falls_back_to_the_published_figure_with_reasons(site):
    shown = site.image_size("hello-world", "alpine")
    assert shown.startswith("7.47 MB[^data-") and "[^src-" in shown
    notes = site.finish_page()
    assert "can only be pulled from a registry" in notes and "Rust Docker Cheatsheet" in notes


def test_measured_figures_never_mix_with_published_ones(site):
    with pytest.raises(MacroError, match="not measured: alpine"):
        site.size_difference("hello-world", "debian", "alpine")
    with pytest.raises(MacroError, match="no measured binary size"):
        site.binary_size("hello-world", "alpine")  # published only: its base cannot be obtained here


def test_errors_name_the_page_and_what_exists(site):
    with pytest.raises(
        MacroError,
        match=r"^test\.md: unknown program 'hello'; known: hello-nomain, hello-nostd, hello-world, webserver",
    ):
        site.image_size("hello", "debian")
    with pytest.raises(MacroError, match=r"unknown source 'blog'; sources\.csv has: seed"):
        site.cite("blog")
    with pytest.raises(MacroError, match="no measured image uses base 'alpine'"):
        site.base_size("alpine")
    with pytest.raises(MacroError, match="webserver has no variant 'scratch-glibc-rustls'; known: original"):
        site.dockerfile("webserver", "scratch-glibc-rustls")


def test_footnotes_start_afresh_on_each_page(site):
    site.image_size_table("hello-world")
    assert site.finish_page()
    site.start_page("other.md")
    assert site.finish_page() == ""


def test_a_note_every_row_shares_goes_on_the_header_once(site):
    table = site.image_size_table("hello-world", variants=["debian", "scratch-glibc"])
    header = table.splitlines()[0]
    strip_label = re.search(r"Binary(\[\^data-[0-9a-f]+\])", header).group(1)
    assert table.count(strip_label) == 1
    assert "cargo's strip = symbols setting" in site.finish_page()


def test_two_tables_on_a_page_share_labels_for_the_same_note(site):
    first = site.image_size_table("hello-world", variants=["alpine"])
    second = site.image_size_table("hello-world", variants=["alpine", "scratch-musl"])
    label = re.search(r"not measured(\[\^data-[0-9a-f]+\])", first).group(1)
    assert label in second
    assert site.finish_page().count(label.strip("[]") + "]:") == 1


def test_a_row_that_does_not_run_says_why(tmp_path):
    data_dir = tmp_path / "measurements"
    shutil.copytree(MEASUREMENTS, data_dir)
    write_csv(data_dir / "images.csv", [image_row(runs="no", failure="exit status 1: exec /hello-world: no such file")])
    s = Site(lambda: load_measurements(data_dir))
    s.start_page("x.md")
    table = s.image_size_table("hello-world", variants=["scratch-musl"])
    assert "| no[^data-" in table
    assert "Does not run: exit status 1&#58; exec /hello-world&#58; no such file" in s.finish_page()


def test_schema_table_lists_every_column_with_its_unit(site):
    table = site.schema_table("images")
    assert table.count("\n") == 2 + len(site.data.images.schema.fields) - 1
    # empty only in the row of a build that failed (a rule of the schema says when)
    assert "| <code>image&#95;bytes</code> | integer (B) | no | 0 to 1,000,000,000,000 |" in table
    with pytest.raises(MacroError, match="unknown dataset 'image'; known: images, published, sources, toolchains"):
        site.schema_table("image")
