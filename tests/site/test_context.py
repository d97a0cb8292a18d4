"""cheatsheet.site.context: the page context every macro renders with: argument checks that name the
page and the argument, lookups, the footnotes of one page, and the registry of macros."""

from __future__ import annotations

import pytest

from cheatsheet.site import macros as site_macros
from cheatsheet.site.context import MACROS, MacroError, macro


def test_every_topic_registers_its_macros():
    assert site_macros.MACROS is MACROS
    expected = {
        "cite", "image_size_table", "published_table", "provenance_table", "schema_table", "image_size",
        "binary_size", "size_difference", "base_size", "dockerfile", "ladder_table", "ladder_chart",
        "ladder_commands", "ladder_smallest", "ladder_size", "tls_matrix", "tls_cost_table",
        "server_checks_table", "base_facts_table", "base_fact", "arch_table", "base_arch_table", "bench_table",
        "startup_memory_table", "bench_chart", "bench_figure", "bench_raw_table", "bench_relation", "bench_best",
        "bench_check", "bench_check_table", "bench_second_run", "bench_toolchains", "build_time",
        "runs_where", "check_outcome", "tls_matrix_summary", "tls_cost_summary", "needs_table", "chooser_criteria",
        "chooser_static", "chooser_form", "schema_tables", "macro_table", "rules_table", "hardened_run",
        "hardening_table", "hardening_contents_table", "hardening_summary", "hardening_overview_table",
        "caching_table", "caching_chart", "caching_verdict", "caching_method_dockerfile", "caching_findings",
        "arm64_routes_table", "arm64_route_figure", "arm64_route_ratio", "arm64_route_best",
    }  # fmt: skip
    assert set(MACROS) == expected


def test_a_macro_name_is_registered_once():
    with pytest.raises(ValueError, match="a macro named 'cite' is registered twice"):

        @macro
        def cite(site, source):
            return ""


def test_call_renders_a_macro_on_the_current_page(site):
    assert site.call("image_size", "hello-world", "debian") == MACROS["image_size"](site, "hello-world", "debian")


def test_errors_name_the_page_and_what_exists(site):
    with pytest.raises(
        MacroError,
        match=r"^test\.md: unknown program 'hello'; known: hello-nomain, hello-nostd, hello-world, webserver",
    ):
        site.call("image_size", "hello", "debian")
    with pytest.raises(MacroError, match=r"unknown source 'blog'; sources\.csv has: seed"):
        site.call("cite", "blog")
    site.start_page("index.md")
    with pytest.raises(MacroError, match=r"^index\.md: hello-world has no variant 'debian-sid'; known: debian,"):
        site.call("image_size", "hello-world", "debian-sid")


def test_an_empty_variant_list_names_the_argument(site):
    with pytest.raises(
        MacroError, match=r"^test\.md: argument 'variants' is an empty list; name at least one variant of hello-world"
    ):
        site.call("image_size_table", "hello-world", variants=[])


def test_a_string_for_a_list_names_the_argument(site):
    with pytest.raises(MacroError, match=r"argument 'variants' must be a list of variant ids, not str 'debian'"):
        site.call("image_size_table", "hello-world", variants="debian")


def test_a_duplicated_variant_is_an_error(site):
    with pytest.raises(MacroError, match=r"argument 'variants' names 'debian' twice"):
        site.call("image_size_table", "hello-world", variants=["debian", "scratch-musl", "debian"])


def test_arguments_of_the_wrong_type_are_named(site):
    with pytest.raises(MacroError, match=r"argument 'program' must be a string, not list"):
        site.call("image_size", ["hello-world"], "debian")
    with pytest.raises(MacroError, match=r"argument 'variants\[1\]' must be a string, not int"):
        site.call("image_size_table", "hello-world", variants=["debian", 3])
    with pytest.raises(MacroError, match=r"hello-world has no variant 'debain'"):
        site.call("size_difference", "hello-world", "debian", "debain")


def test_the_default_variant_list_leaves_ladder_steps_and_other_architectures_out(site):
    ids = site.variant_list("hello-world", None)
    assert "scratch-musl" in ids and "alpine" in ids
    assert not [v for v in ids if v.startswith("ladder-") or v.endswith("-arm64")]


def test_footnotes_start_afresh_on_each_page(site):
    site.call("image_size_table", "hello-world")
    assert site.finish_page()
    site.start_page("other.md")
    assert site.finish_page() == ""


def test_a_header_note_is_one_note_whatever_the_rows(site):
    rows = [{"k": "a", "n": "same"}, {"k": "b", "n": "same"}]
    one = site.header_note(rows, lambda r: r["k"], lambda r: r["n"])
    assert one == site.notes.ref("data", "same")
    two = site.header_note([*rows, {"k": "c", "n": "other"}], lambda r: r["k"], lambda r: r["n"])
    assert site.notes.notes[two[2:-1]] == "a, b: same c: other"
    assert site.header_note(rows, lambda r: r["k"], lambda r: "") == ""
