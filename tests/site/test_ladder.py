"""cheatsheet.site.ladder: the size ladder's table, chart, commands and smallest rows, from the ladder of
programs/recipes.toml and the measured rows of images.csv (committed: every step that can be measured
is, so missing rows fail these tests)."""

from __future__ import annotations

import html
import re

import pytest
from support import page

from cheatsheet.site.context import MacroError, Site
from cheatsheet.site.ladder import anchor, inline, is_no_std
from cheatsheet.site.measurements import load_measurements
from cheatsheet.site.render import size


@pytest.fixture
def site() -> Site:
    s = Site(load_measurements)
    s.start_page("concepts/binary-size.md")
    return s


@pytest.fixture
def ladder(recipes):
    [hello] = [item for item in recipes.ladders if item.id == "hello-size"]
    return hello


def measured_rungs(site, ladder):
    """(rung, row) of every step of the ladder that has a variant, with its measured row (asserted)."""
    out = []
    for rung in ladder.rungs:
        if rung.variant is None:
            continue
        row = site.measured(rung.variant.program.id, rung.variant.id)
        assert row is not None, f"{rung.variant.id} is not measured: run scripts/measure.py --only '{rung.variant.id}'"
        out.append((rung, row))
    return out


def test_the_table_has_every_step_and_its_notes(site, ladder):
    out = site.call("ladder_table")
    lines = [ln for ln in out.splitlines() if ln.startswith("|")]
    assert len(lines) == 2 + len(ladder.steps)
    assert '<span id="ladder-glibc-01-release"></span>' in out
    upx = lines[-1]
    assert "not measured[^data-" in upx
    notes = site.finish_page()
    assert "no upx or upx-ucl package" in html.unescape(notes)


def test_the_table_shows_every_measured_row(site, ladder):
    table = site.call("ladder_table")
    assert "not measured yet" not in table
    for rung, row in measured_rungs(site, ladder):
        if row["image_bytes"] is None:
            assert f'<span id="{rung.variant.id}"></span>build failed' in table
        else:
            assert f'<span id="{rung.variant.id}"></span>{size(row["image_bytes"])}' in table


def test_smallest_links_to_the_smallest_row_that_runs(site, ladder):
    rungs = measured_rungs(site, ladder)
    for kind in ("std", "no_std", "any"):
        out = site.call("ladder_smallest", kind, page="../concepts/binary-size.md")
        runs = [
            (row["image_bytes"], rung)
            for rung, row in rungs
            if row["runs"] == "yes"
            and row["image_bytes"] is not None
            and kind in ("any", "no_std" if is_no_std(rung.variant.program.dir) else "std")
        ]
        assert runs, f"no {kind} step of the ladder runs"
        smallest, rung = min(runs, key=lambda item: item[0])
        assert out.startswith(size(smallest)), (kind, out)
        assert out.endswith(f"](../concepts/binary-size.md#{anchor(rung)}))"), (kind, out)
    assert site.call("ladder_smallest", "any").endswith(f"](#{anchor(rung)}))")  # no page: a link on this page


def test_a_steps_size_for_prose(site, ladder):
    row = next(row for r, row in measured_rungs(site, ladder) if r.step.id == "no-std" and r.libc == "musl")
    assert site.call("ladder_size", "no-std", "musl") == size(row["image_bytes"])
    assert site.call("ladder_size", "upx", "musl").startswith("not measured[^data-")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (("ladder_table", "nope"), "unknown ladder 'nope'; ladders in the recipes: hello-size"),
        (("ladder_smallest", "tiny"), "argument 'kind' = 'tiny' is not one of: std, no_std, any"),
        (("ladder_smallest", "std", "hello-size", "javascript:alert(1)"), "must be a relative path to a page"),
        (("ladder_size", "nope", "musl"), "has no step 'nope' in column 'musl'"),
    ],
)
def test_bad_macro_arguments_fail_the_page(site, call, message):
    with pytest.raises(MacroError, match=re.escape(message)):
        site.call(*call)


def test_commands_show_the_build_command_and_dockerfile_of_each_step(site, ladder):
    out = site.call("ladder_commands")
    assert out.count('??? note "Step ') == len(ladder.steps)
    assert "-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size" in out
    assert "COPY hello-nostd /hello-nostd" in out


def test_the_chart_is_an_inline_svg_of_the_measured_steps(site):
    out = site.call("ladder_chart")
    assert out.startswith('<figure class="chart"') and "<svg" in out and "\n" not in out.split("<figcaption")[0]


def test_step_texts_show_code_spans_as_code_and_the_rest_as_text():
    assert inline("`cargo build --release` then x<y") == "<code>cargo build --release</code>&#32;then x&#60;y"
    assert inline("an `unpaired backtick") == "an &#96;unpaired backtick"


def test_a_failed_build_and_a_failed_run_are_footnoted_with_their_message(site, monkeypatch):
    real = site.measured
    fake_rows = {
        "ladder-musl-03-opt-s": {
            "image_bytes": None,
            "runs": "no",
            "failure": "cargo build failed: error: <boom>",
            "toolchain": "debian-build-std",
            "rustc_version": "rustc 1.96.0",
        },
        "ladder-musl-04-opt-z": {
            "image_bytes": 5000,
            "runs": "no",
            "failure": "printed '' instead of 'Hello'",
            "toolchain": "debian-build-std",
            "rustc_version": "rustc 1.96.0",
        },
    }
    monkeypatch.setattr(site, "measured", lambda program, vid: fake_rows.get(vid) or real(program, vid))
    out = site.call("ladder_table")
    notes = site.finish_page()
    opt_s = next(ln for ln in out.splitlines() if ln.startswith('| <span data-sort="3">3. '))
    opt_z = next(ln for ln in out.splitlines() if ln.startswith('| <span data-sort="4">4. '))
    assert "build failed[^data-" in opt_s and "musl: not built" in opt_s
    assert 'data-sort="5000"' in opt_z and "musl: no[^data-" in opt_z
    assert "<boom>" not in notes
    assert "The build failed: cargo build failed: error: <boom>" in html.unescape(notes)
    assert "Does not run: printed '' instead of 'Hello'" in html.unescape(notes)
    assert "ladder-musl-03-opt-s" not in site.call("ladder_smallest", "any")


def test_the_built_pages_have_the_table_an_inline_chart_and_links_to_the_smallest_rows(built_site):
    doc = page(built_site, "concepts/binary-size/index.html")
    figure = re.search(r'<figure class="chart"[^>]*>(.*?)</figure>', doc, re.S)
    assert figure and "<svg" in figure.group(1)
    assert "<script" not in figure.group(1)
    assert 'id="ladder-musl-17-tiny"' in doc
    assert "not measured yet" not in doc
    scratch = page(built_site, "base-images/scratch/index.html")
    assert len(re.findall(r'href="\.\./\.\./concepts/binary-size/#ladder-(?:glibc|musl)-\d\d-[a-z-]+"', scratch)) == 2
    assert "not measured yet" not in scratch
