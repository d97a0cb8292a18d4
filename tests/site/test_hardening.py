"""cheatsheet.site.hardening: the sentences on who runs hardened come from the rows, the tables show each
check with its exact error, and a base with no rows says why."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support import HARDENING_ROW, hardening_row, write_csv

from cheatsheet.data.table import read_table
from cheatsheet.paths import MEASUREMENTS
from cheatsheet.site.context import MacroError, Site
from cheatsheet.site.hardening import bases_that_pass, summary, words
from cheatsheet.site.measurements import load_measurements
from cheatsheet.site.pages import render_pages
from cheatsheet.site.render import text


def row(variant: str, base: str = "scratch", **changes: object) -> dict:
    when = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    typed: dict = {**hardening_row(variant=variant, base=base), "files": 1, "setuid_files": 0,
                   "world_writable_dirs": 0, "packages": None, "measured_at": when}  # fmt: skip
    typed.update(changes)
    return typed


FAIL = {"hardened": "no", "hardened_failure": "exit status 1: Permission denied <b>"}


def test_every_image_passing_says_so_and_counts_the_root_defaults():
    assert summary([row("a")]) == "The image checked here passes the hardened run. It runs as root unless " \
                                  "<code>docker run</code> is told otherwise."  # fmt: skip
    both = summary([row("a"), row("b", default_user="nonroot", default_user_kind="name")], "on scratch")
    assert both.startswith("Both images checked here on scratch pass the hardened run.")
    assert both.endswith("1 of them run as root unless <code>docker run</code> is told otherwise.")
    three = summary([row(v, default_user="65532", default_user_kind="uid") for v in "abc"])
    assert three.startswith("All 3 images") and three.endswith("None of them runs as root by default.")


def test_a_failure_is_named_with_its_exact_error_shown_as_text():
    said = summary([row("a"), row("b", **FAIL)])
    assert said.startswith(
        "1 of the 2 images checked here pass the hardened run; <code>hello-world/b</code> fails it: "
    )
    assert text("exit status 1: Permission denied <b>") in said and "<b>" not in said


def test_a_needed_tmpfs_is_said():
    said = summary([row("a", read_only_tmpfs="/tmp")])
    assert f"<code>hello-world/a</code> needs a tmpfs at <code>{text('/tmp')}</code> on a read-only root" in said


def test_bases_that_pass_are_those_whose_every_image_passes():
    rows = [row("a"), row("b", base="debian"), row("c", base="debian", **FAIL)]
    assert bases_that_pass(rows) == (["scratch"], ["debian"])


def test_lists_read_as_words():
    assert (words(["a"]), words(["a", "b"]), words(["a", "b", "c"])) == ("a", "a and b", "a, b and c")


def test_a_summary_of_nothing_is_refused():
    with pytest.raises(ValueError, match="at least one row"):
        summary([])


# -- the macros on data ----------------------------------------------------------------------------


def site_with(data_dir: Path, rows: list[dict[str, str]]) -> Site:
    write_csv(data_dir / "hardening.csv", rows, list(HARDENING_ROW))
    s = Site(lambda: load_measurements(data_dir))
    s.start_page("x.md")
    return s


def images_on(base: str, count: int) -> list[dict]:
    found = [r for r in read_table(MEASUREMENTS / "images.csv").rows if r["base"] == base and r["runs"] == "yes"]
    assert len(found) >= count, f"images.csv has fewer than {count} images on {base} that run"
    return found[:count]


def hardening_of(image: dict, **changes: str) -> dict[str, str]:
    return hardening_row(program=image["program"], variant=image["variant"], base=image["base"],
                         arch=image["arch"], recipe_key=image["recipe_key"], **changes)  # fmt: skip


@pytest.fixture
def scratch_site(data_dir: Path) -> tuple[Site, list[dict]]:
    first, second = images_on("scratch", 2)
    failing = {"read_only": "no", "read_only_failure": "exit status 1: Read-only file system (os error 30)",
               "hardened": "no", "hardened_failure": "exit status 1: Read-only file system (os error 30)"}  # fmt: skip
    rows = [hardening_of(first), hardening_of(second, setuid_files="1", setuid_paths="/su", **failing)]
    return site_with(data_dir, rows), [first, second]


def test_the_table_shows_each_check_and_a_failure_as_its_footnote(scratch_site):
    site, (_, second) = scratch_site
    table = site.call("hardening_table", "scratch")
    lines = [line for line in table.splitlines() if line.startswith("|")]  # the caption line aside
    assert "All together" in lines[0] and "<code>--read-only</code>" in lines[0]
    assert len(lines) == 4  # header, alignment, two images
    failing = next(line for line in lines if f"<code>{second['variant']}</code>" in line)
    assert "| no[^data-" in failing
    assert text("exit status 1: Read-only file system (os error 30)") in site.finish_page()


def test_the_contents_table_gives_images_that_differ_their_own_rows(scratch_site):
    site, _ = scratch_site
    table = site.call("hardening_contents_table", ["scratch"])
    assert len([line for line in table.splitlines() if line.startswith("|")]) == 4
    assert "not measured here[^data-" in table
    notes = site.finish_page()
    assert text("not measured here: no scanner database") in notes and text("/su") in notes


def test_the_overview_and_the_sentence_come_from_the_rows(scratch_site):
    site, _ = scratch_site
    overview = site.call("hardening_overview_table")
    assert '| scratch | amd64 | <span data-sort="1">1 of 2</span> |' in overview
    said = site.call("hardening_summary")
    assert said.startswith("1 of the 2 images checked here pass the hardened run;")
    assert "On scratch, at least one image does not." in said


def test_images_that_offer_the_same_share_a_row(data_dir):
    first, second = images_on("scratch", 2)
    site = site_with(data_dir, [hardening_of(first, files="1"), hardening_of(second, files="3")])
    table = site.call("hardening_contents_table", "scratch")
    assert len(table.splitlines()) == 3 and '<span data-sort="1">1 to 3</span>' in table


def test_the_hardened_line_is_the_command_as_run(scratch_site):
    site, (first, second) = scratch_site
    shown = site.call("hardened_run", first["program"], first["variant"])
    assert shown.startswith("```sh\ndocker run --user 65532:65532 --read-only --cap-drop ALL --security-opt "
                            "no-new-privileges --rm your-image\n```")  # fmt: skip
    assert shown.endswith("passes its check run this way.")
    failed = site.call("hardened_run", second["program"], second["variant"])
    assert "fails its check run this way: " + text("exit status 1: Read-only file system (os error 30).") in failed


def test_a_base_with_no_rows_says_why_and_a_bad_argument_fails_loudly(scratch_site):
    site, _ = scratch_site
    shown = site.call("hardening_table", "alpine")
    assert shown.startswith("No image on alpine has been checked hardened here.[^data-")
    assert "can only be pulled from a registry" in site.finish_page()
    with pytest.raises(MacroError, match="unknown base 'ubuntu'"):
        site.call("hardening_summary", "ubuntu")
    assert site.call("hardened_run", "hello-world", "debian-musl").startswith("Not measured yet: ")
    with pytest.raises(MacroError, match="hello-world has no variant 'nope'"):
        site.call("hardened_run", "hello-world", "nope")


def test_every_base_page_shows_its_rows_through_the_macros():
    pages = render_pages(load_measurements())
    for page in ("debian.md", "distroless.md", "scratch.md", "alpine.md"):
        shown = pages[f"base-images/{page}"]
        assert "### Run hardened" in shown and "hardening_table" not in shown, page
    assert "## Run hardened" in pages["base-images/index.md"]
