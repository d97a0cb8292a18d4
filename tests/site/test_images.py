"""cheatsheet.site.images: the measured table beside published figures, single figures for prose,
provenance, the Dockerfile tabs, citations and the datasets' schemas."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from support import REPO, cell_text, image_row, images_only, load_script

from cheatsheet.paths import copy_site
from cheatsheet.recipes import load_recipes
from cheatsheet.recipes.dockerfile import dockerfile, dockerfile_sha256, full_dockerfile
from cheatsheet.site.context import MacroError, Site
from cheatsheet.site.images import verbatim_note, verbatim_status
from cheatsheet.site.measurements import load_measurements
from cheatsheet.site.render import code, size, text


def site_on(data_dir: Path) -> Site:
    s = Site(lambda: load_measurements(data_dir))
    s.start_page("x.md")
    return s


# -- single figures -------------------------------------------------------------------------------


def test_unmeasured_variant_falls_back_to_the_published_figure_with_reasons(site):
    shown = site.call("image_size", "hello-world", "alpine")
    published = site.published_row("hello-world", "alpine")
    assert shown.startswith(text(published["size_as_published"]) + "[^data-") and "[^src-" in shown  # as printed
    notes = site.finish_page()
    assert "can only be pulled from a registry" in notes and "Rust Docker Cheatsheet" in notes


def test_a_measured_figure_shows_its_exact_bytes(site):
    row = site.measured("hello-world", "scratch-musl")
    assert row is not None
    assert site.call("image_size", "hello-world", "scratch-musl") == size(row["image_bytes"])
    assert site.call("binary_size", "hello-world", "scratch-musl") == size(row["binary_bytes"])
    other = site.measured("hello-world", "debian")
    assert site.call("size_difference", "hello-world", "debian", "scratch-musl") == size(
        abs(other["image_bytes"] - row["image_bytes"])
    )


def test_a_build_time_is_the_rows_cold_build_or_says_why_there_is_none(site):
    timed = next(r for r in site.data.rows("images") if r["build_seconds"] is not None and r["arch"] == "amd64")
    assert site.call("build_time", timed["program"], timed["variant"]) == f"{timed['build_seconds']:,.0f} s"
    untimed = [r for r in site.data.rows("images") if r["build_seconds"] is None and r["arch"] == "amd64"]
    if untimed:  # rows measured before build times were recorded
        assert site.call("build_time", untimed[0]["program"], untimed[0]["variant"]).startswith("not timed[^data-")
    assert site.call("build_time", "hello-world", "alpine").startswith("not measured[^data-")


def test_measured_figures_never_mix_with_published_ones(site):
    """A difference or a binary size of a variant measured nowhere here says so; it never borrows the
    published figure (and an unknown variant still fails the page)."""
    assert site.call("size_difference", "hello-world", "debian", "alpine").startswith("not measured[^data-")
    assert site.call("binary_size", "hello-world", "alpine").startswith("not measured[^data-")
    assert "can only be pulled from a registry" in site.finish_page()
    with pytest.raises(MacroError, match="hello-world has no variant 'alpine-2'"):
        site.call("binary_size", "hello-world", "alpine-2")


def test_base_size_is_the_latest_x86_64_measurement_of_the_base(site):
    rows = [r for r in site.data.rows("images") if r["base"] == "debian" and r["arch"] == "amd64"]
    latest = max(rows, key=lambda r: r["measured_at"])
    assert site.call("base_size", "debian") == size(latest["base_bytes"])
    assert site.call("base_size", "alpine").startswith("not measured[^data-")
    with pytest.raises(MacroError, match="unknown base 'ubuntu'"):
        site.call("base_size", "ubuntu")


# -- the measured table ---------------------------------------------------------------------------


def test_a_note_every_row_shares_goes_on_the_header_once(site):
    table = site.call("image_size_table", "hello-world", variants=["debian", "scratch-glibc"])
    header = next(line for line in table.splitlines() if line.startswith("|"))  # below the caption
    strip_label = re.search(r"Binary(\[\^data-[0-9a-f]+\])", header).group(1)
    assert table.count(strip_label) == 1
    assert "cargo's strip = symbols setting" in site.finish_page()


def test_a_base_note_every_measured_row_shares_is_in_the_header(site):
    table = site.call("image_size_table", "hello-world", variants=["debian", "scratch-glibc"])
    header = next(line for line in table.splitlines() if line.startswith("|"))  # below the caption
    label = re.search(r"Base(\[\^data-[0-9a-f]+\])", header).group(1)
    assert table.count(label) == 1
    assert "bootstrapped from Debian 12 packages" in site.finish_page()
    assert text("x") == "x"  # the cells stay literal text
    assert Path(REPO / "docs" / "javascripts" / "tablesort.js").is_file()


def test_two_tables_on_a_page_share_labels_for_the_same_note(site):
    first = site.call("image_size_table", "hello-world", variants=["alpine"])
    second = site.call("image_size_table", "hello-world", variants=["alpine", "scratch-musl"])
    label = re.search(r"not measured(\[\^data-[0-9a-f]+\])", first).group(1)
    assert label in second
    assert site.finish_page().count(label.strip("[]") + "]:") == 1


def test_every_size_in_the_measured_table_carries_its_exact_bytes(site):
    table = site.call("image_size_table", "hello-world")
    shown = [r for r in site.data.images_by_program["hello-world"] if f"<code>{text(r['variant'])}</code>" in table]
    assert len(shown) >= 6
    for row in shown:
        for column in ("image_bytes", "compressed_bytes", "binary_bytes"):
            assert size(row[column]) in table
    assert not re.search(r"\| [0-9.]+ [kMG]?B \|", table.replace(" | ", " |\n| ")), "a bare size"


def test_ladder_steps_stay_out_of_the_default_size_table(site):
    out = site.call("image_size_table", "hello-world")
    assert "ladder-" not in out and "scratch-musl" in out


def test_a_row_that_does_not_run_says_why(data_dir):
    images_only(data_dir, [image_row(runs="no", failure="exit status 1: exec /hello-world: no such file")])
    s = site_on(data_dir)
    table = s.call("image_size_table", "hello-world", variants=["scratch-musl"])
    assert "| no[^data-" in table
    assert "Does not run: exit status 1&#58; exec /hello-world&#58; no such file" in s.finish_page()


def test_cold_build_times_get_a_column_once_a_row_has_one(data_dir):
    timed = image_row(build_seconds="61.25")
    untimed = image_row(variant="scratch-glibc", libc="glibc", target="x86_64-unknown-linux-gnu", toolchain="rustup",
                        rustflags="-C target-feature=+crt-static", rustc_release="1.95.0",
                        rustc_version="rustc 1.95.0 (59807616e 2026-04-14)")  # fmt: skip
    images_only(data_dir, [timed, untimed])
    s = site_on(data_dir)
    shown = s.call("image_size_table", "hello-world", variants=["scratch-musl", "scratch-glibc"])
    header, _rule, *body = [
        [c.strip() for c in line.strip("|").split("|")] for line in shown.splitlines() if line[:1] == "|"
    ]
    column = next(i for i, name in enumerate(header) if name.startswith("Cold build (s)[^data-"))
    assert {cell_text(r[0]): r[column] for r in body} == {"scratch-musl": "61.2", "scratch-glibc": "–"}
    assert "from an empty target directory" in s.finish_page()
    images_only(data_dir, [untimed])
    s = site_on(data_dir)
    assert "Cold build" not in s.call("image_size_table", "hello-world", variants=["scratch-glibc"])  # no dashes


def test_no_measured_rows_show_as_not_measured(data_dir):
    """A header-only images.csv is valid, so the site builds: every table and figure says what is not measured."""
    images_only(data_dir)
    s = site_on(data_dir)
    table = s.call("image_size_table", "hello-world")
    assert table.count("not measured") >= 7
    assert s.call("provenance_table", "hello-world") == "No measured rows for <code>hello-world</code> yet."
    assert s.call("base_size", "debian").startswith("not measured[^data-")
    assert s.call("binary_size", "hello-world", "debian").startswith("not measured[^data-")


@pytest.fixture(scope="module")
def thousand_rows(tmp_path_factory) -> Site:
    project = copy_site(tmp_path_factory.mktemp("scale") / "project")
    load_script(REPO / "scripts" / "bench_build.py").add_synthetic_rows(project, 1000)
    recipes = load_recipes(project / "programs" / "recipes.toml")
    data = load_measurements(project / "measurements", recipes=recipes)
    site = Site(lambda: data)
    site.start_page("scale.md")
    return site


def test_a_measured_note_is_referenced_once_per_table_even_with_a_thousand_rows(thousand_rows):
    """Python-Markdown's footnotes take time quadratic in the references to one note: a note
    shared by many rows goes once in a header, whatever the number of rows."""
    table = thousand_rows.call("image_size_table", "hello-world")
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


# -- other tables ---------------------------------------------------------------------------------


def test_schema_table_lists_every_column_with_its_unit(site):
    table = site.call("schema_table", "images")
    assert table.count("\n") == 2 + len(site.data.tables["images"].schema.fields) - 1
    # empty only in the row of a build that failed (a rule of the schema says when)
    row = next(line for line in table.splitlines() if line.startswith("| <code>image&#95;bytes</code> | "))
    assert row.endswith("| integer (B) | no | 1 to 1,000,000,000,000 |")  # after its meaning, the key column
    with pytest.raises(
        MacroError,
        match="unknown dataset 'image'; known: arm64_builds, base_images, bench, bench_checks, build_caching, "
        "dockerfile_builds, hardening, images, published, sources, toolchains",
    ):
        site.call("schema_table", "image")


def test_provenance_table_says_where_each_row_came_from(site):
    table = site.call("provenance_table", "hello-world")
    steps = {v.id for v in site.data.recipes.variants if v.ladder}
    rows = [r for r in site.data.images_by_program["hello-world"] if r["variant"] not in steps]  # on their page
    lines = [line for line in table.splitlines() if line.startswith("|")]
    assert len(lines) == 2 + len(rows)
    assert lines[0].startswith('| Variant | <span class="table-key">Measured</span> | Toolchain |')
    # a setting every row shares is said once, in the caption above the table
    said = table.split("\n{: .table-caption }")[0] if "table-caption" in table else ""
    for column, title in (("arch", "Built for"), ("host_arch", "Measured on"), ("docker_version", "Docker")):
        values = {text(r[column]) for r in rows}
        if len(values) == 1:
            assert f"**{title}**: {values.pop()}" in said and f"| {title} |" not in lines[0]
        else:
            assert f"| {title} |" in lines[0] + "|"
    for row in rows:
        assert (
            f"<code>{text(row['variant'])}</code> | {text(row['measured_at'].strftime('%Y-%m-%d'))} | "
            f"rustc {text(row['rustc_release'])}," in table
        )


def test_a_published_table_keeps_the_sources_order_and_wording(site):
    table = site.call("published_table", "seed", "hello-world")
    rows = site.data.published_by_program[("seed", "hello-world")]
    lines = table.splitlines()[2:]
    assert len(lines) == len(rows)
    for line, row in zip(lines, rows, strict=True):
        shown = f'<span data-sort="{row["image_bytes"]}">{text(row["size_as_published"])}</span>'
        assert line.startswith(f"| {text(row['base_as_published'])} | {shown}")  # as printed, sorted by bytes
    with pytest.raises(MacroError, match="unknown program 'nginx'"):
        site.call("published_table", "seed", "nginx")


def test_the_page_shows_the_full_dockerfile_first_and_the_measured_stage_byte_for_byte(site):
    variant = site.data.recipes.variants[0]
    shown = site.call("dockerfile", variant.program.id, variant.id)
    assert shown.index('=== "Full Dockerfile"') < shown.index('=== "Measured stage"')
    body = "\n".join(line.removeprefix("    ") for line in shown.splitlines())
    assert full_dockerfile(variant) in body and dockerfile(variant) in body
    with pytest.raises(MacroError, match="webserver has no variant 'scratch-glibc-rustls'; known: original"):
        site.call("dockerfile", "webserver", "scratch-glibc-rustls")


# -- whether a full Dockerfile was built as shown ------------------------------------------------------


def verbatim_row(variant, **changes) -> dict:
    row = {"program": variant.program.id, "variant": variant.id, "dockerfile_sha256": dockerfile_sha256(variant),
           "builder": "rust:1.95.0-slim-bookworm", "builder_source": "made-here", "built": "yes", "runs": "yes",
           "runs_as": "65532:65532", "image_bytes": 455_000, "binary_bytes": 454_000, "build_seconds": 41.6,
           "failure": "", "build_packages": "", "host_packages": "",
           "host_arch": "amd64", "measured_at": dt.datetime(2026, 12, 2, tzinfo=dt.UTC)}  # fmt: skip
    row.update(changes)
    return row


def test_the_line_above_a_full_dockerfile_follows_its_row(recipes):
    v = recipes.variant("hello-world", "scratch-glibc")
    measured = {"binary_bytes": 454_000, "toolchain": "rustup", "rustc_release": "1.95.0"}
    assert verbatim_status(v, None, measured).startswith("**Built as shown:** not yet.")
    built = verbatim_status(v, verbatim_row(v), measured)
    assert built.startswith("**Built as shown:** yes, on the measuring machine on 2026-12-02: ")
    assert f"took 42 s with {code('rust:1.95.0-slim-bookworm')} (made here from Debian packages)" in built
    assert f"running as user {code('65532:65532')}" in built
    assert "the measured binary's size to the byte" in built
    larger = verbatim_status(v, verbatim_row(v, binary_bytes=454_120), measured)
    assert "120 bytes larger than the measured one (454,120 against 454,000), although both were built" in larger
    packages = verbatim_row(v, binary_bytes=455_216, build_packages="libssl-dev=3.0.22-1~deb12u2",
                            host_packages="libssl-dev=3.0.19-1~deb12u2")  # fmt: skip
    linked = verbatim_status(v, packages, measured)
    assert f"the build stage installed {code('libssl-dev=3.0.22-1~deb12u2')} from Debian's current" in linked
    assert f"the measuring machine's {code('libssl-dev=3.0.19-1~deb12u2')}." in linked
    musl = {"binary_bytes": 455_456, "toolchain": "debian-build-std", "rustc_release": "1.96.0"}
    other = verbatim_status(v, verbatim_row(v, binary_bytes=447_096), musl)
    assert "8,360 bytes smaller than the measured one (447,096 against 455,456): the measured binary" in other
    assert f"rustc {text('1.96.0')} with the standard library rebuilt from source" in other
    stale = verbatim_status(v, verbatim_row(v, dockerfile_sha256="0" * 64), measured)
    assert stale.startswith("**Built as shown:** not this version.") and "2026-12-02" in stale
    failed = verbatim_status(v, verbatim_row(v, built="no", runs=None, failure="error: <toolchain> missing"), measured)
    assert failed.startswith("**Built as shown:** no, it could not be built on the measuring machine on 2026-12-02")
    assert code("error: <toolchain> missing") in failed and "<toolchain>" not in failed
    broken = verbatim_status(v, verbatim_row(v, runs="no", failure="exit status 1"), measured)
    assert "but the image failed the program's check: <code>exit status 1</code>" in broken


def test_the_choosers_note_on_a_full_dockerfile_is_plain_words(recipes):
    v = recipes.variant("hello-world", "scratch-glibc")
    assert verbatim_note(v, None).startswith("Not built as shown here yet")
    assert verbatim_note(v, verbatim_row(v)) == "Built as shown and run here on 2026-12-02, as user 65532:65532."
    assert verbatim_note(v, verbatim_row(v, dockerfile_sha256="0" * 64)).startswith("Not built as shown here yet")
    assert verbatim_note(v, verbatim_row(v, built="no", runs=None, failure="x")).startswith("Could not be built")
