"""Size ladders (issue 8): expansion of [ladders.*] into variants, validation, commands, and the page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from cheatsheet import ladder as L
from cheatsheet.datasets import load_measurements
from cheatsheet.recipes import RECIPES, RecipeError, load_recipes
from cheatsheet.site import MacroError, Site

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOTS = (REPO / "programs", FIXTURES / "programs")


@pytest.fixture(scope="module")
def recipes():
    return load_recipes()


@pytest.fixture(scope="module")
def ladder(recipes):
    [hello] = [item for item in recipes.ladders if item.id == "hello-size"]
    return hello


def variant(recipes, vid):
    [v] = [v for v in recipes.variants if v.id == vid]
    return v


# ---------------------------------------------------------------------------------------- expansion
def test_every_step_of_every_libc_is_a_variant_except_upx(ladder):
    assert ladder.libcs == ("glibc", "musl")
    assert [s.id for s in ladder.steps][:3] == ["release", "strip", "opt-s"]
    assert ladder.steps[-1].id == "upx" and ladder.steps[-1].not_measured
    ids = [v.id for v in ladder.variants]
    assert len(ids) == 2 * (len(ladder.steps) - 1)
    assert ids[0] == "ladder-glibc-01-release" and "ladder-musl-17-tiny" in ids
    for rung in ladder.rungs:
        if rung.step.id == "upx":
            assert rung.variant is None and "upx" in rung.absent
        else:
            assert (
                rung.variant is not None
                and rung.variant.id == f"ladder-{rung.libc}-{rung.step.number:02d}-{rung.step.id}"
            )
            assert rung.variant.ladder == "hello-size" and rung.variant.base.name == "scratch"


def test_steps_are_cumulative(recipes):
    strip = variant(recipes, "ladder-musl-02-strip").profile.settings
    assert strip == (("strip", "symbols"),)
    opt_z = dict(variant(recipes, "ladder-musl-04-opt-z").profile.settings)
    assert opt_z == {"strip": "symbols", "opt-level": "z"}  # z replaces s
    fat = dict(variant(recipes, "ladder-musl-06-lto-fat").profile.settings)
    assert fat["lto"] is True
    ia = variant(recipes, "ladder-musl-10-immediate-abort")
    assert dict(ia.profile.settings)["panic"] == "immediate-abort"
    assert ia.cargo_flags == ("-Zbuild-std-features=optimize_for_size", "-Zpanic-immediate-abort")
    linker = variant(recipes, "ladder-musl-14-linker-options")
    assert linker.program.id == "hello-nomain" and linker.features == ("write-all",)
    assert linker.rustflags[:2] == ("-Zlocation-detail=none", "-Zfmt-debug=none")
    assert "link-arg=-Wl,-z,noseparate-code" in linker.rustflags


def test_a_program_switch_resets_the_features(recipes):
    assert variant(recipes, "ladder-musl-15-no-std").features == ()
    assert variant(recipes, "ladder-musl-15-no-std").program.id == "hello-nostd"
    assert variant(recipes, "ladder-musl-17-tiny").features == ("nolibc", "tiny")


def test_libc_specific_additions_stay_with_their_libc(recipes):
    assert variant(recipes, "ladder-glibc-08-panic-abort").target.toolchain == "rustup"
    g9 = variant(recipes, "ladder-glibc-09-build-std")
    assert g9.target.id == "glibc-static-build-std" and g9.target.toolchain == "debian-build-std"
    assert g9.all_rustflags[:2] == ("-C", "target-feature=+crt-static")
    assert variant(recipes, "ladder-musl-09-build-std").target.id == "musl-static"
    assert "link-self-contained=no" in variant(recipes, "ladder-musl-16-no-libc").rustflags
    assert "link-self-contained=no" not in variant(recipes, "ladder-glibc-16-no-libc").rustflags


def test_build_command_shows_the_nightly_knobs_and_build_std_once(recipes):
    cmd = variant(recipes, "ladder-musl-10-immediate-abort").build_command()
    assert cmd.startswith("RUSTC_BOOTSTRAP=1 cargo build --release --locked --target x86_64-unknown-linux-musl")
    assert cmd.count("-Zbuild-std=std,panic_abort") == 1
    assert cmd.count("-Zbuild-std-features=optimize_for_size") == 1
    assert cmd.endswith("-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size -Zpanic-immediate-abort")
    assert 'profile.release.panic="immediate-abort"' in cmd
    # the toolchain adds -Zbuild-std itself: the variant's own cargo arguments must not repeat it
    assert "-Zbuild-std=std,panic_abort" not in variant(recipes, "ladder-musl-10-immediate-abort").cargo_args()
    glibc1 = variant(recipes, "ladder-glibc-01-release").build_command()
    assert glibc1 == (
        "RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --locked --target x86_64-unknown-linux-gnu"
    )


def test_build_std_is_what_the_toolchain_passes():
    source = (REPO / "cheatsheet" / "toolchain.py").read_text()
    assert f'cargo_args = ("{L.BUILD_STD}",)' in source


def test_variants_outside_ladders_keep_their_fingerprint(recipes):
    fp = variant(recipes, "scratch-musl").fingerprint()
    assert "cargo_flags" not in fp and "ladder" not in fp
    assert "cargo_flags" in variant(recipes, "ladder-musl-10-immediate-abort").fingerprint()


def test_the_fixture_ladder_expands(tmp_path):
    r = load_recipes(FIXTURES / "ladder.toml", program_roots=ROOTS)
    assert r.ids() == ["hello-world/ladder-glibc-01-release", "hello-nostd/ladder-glibc-02-tiny"]


# ------------------------------------------------------------------------------------------ errors
def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = RECIPES.read_text()
    assert old in text, old
    path = tmp_path / "recipes.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'adds = { profile = { opt-level = "s" } }',
            'adds = { profile = { opt-levle = "s" } }',
            r"\[\[ladders.hello-size.steps\]\] #3 \(opt-s\).adds: profile.'opt-levle' is not a cargo profile key",
        ),
        (
            'adds = { profile = { opt-level = "s" } }',
            'adds = { profil = { opt-level = "s" } }',
            r"#3 \(opt-s\).adds: unknown knob\(s\) 'profil'",
        ),
        (
            'adds = { cargo_flags = ["-Zbuild-std-features=optimize_for_size"] }',
            'adds = { cargo_flags = ["-Zbuild-std=core"] }',
            r"#9 \(build-std\).adds: cargo_flags\[0\] = '-Zbuild-std=core' is not an allowed cargo flag",
        ),
        (
            'adds = { cargo_flags = ["-Zbuild-std-features=optimize_for_size"] }',
            'adds = { cargo_flags = ["-Zbuild-std-features=x;rm -rf /"] }',
            r"is not an allowed cargo flag",
        ),
        ('id = "opt-s"', 'id = "Opt S"', r"#3: id = 'Opt S' must be a slug"),
        ('id = "opt-s"', 'id = "strip"', r"#3: step id 'strip' is used twice"),
        (
            'adds = { program = "hello-nomain" }',
            'adds = { program = "hello-nope" }',
            r"program 'hello-nope' is not defined",
        ),
        (
            'glibc = { target = "glibc-static-build-std" }',
            'glibc = { target = "musl-static" }',
            r"#9 \(build-std\).glibc: target 'musl-static' is a musl target",
        ),
        (
            'glibc = { target = "glibc-static-build-std" }',
            'glibc = { skip = "x", target = "musl-static" }',
            "only 'skip'",
        ),
        (
            'targets = ["glibc-static", "musl-static"]',
            'targets = ["glibc-static", "glibc-dynamic"]',
            "a second glibc target",
        ),
        ('price = "longer link"', 'price = ""', r"#5 \(lto-thin\): price = '' is empty"),
        (
            'price = "longer link"',
            'price = "longer\\u202elink"',
            r"price contains the invisible or control character U\+202E",
        ),
        ('price = "longer link"', 'prize = "longer link"', r"#5: unknown key\(s\) 'prize'"),
        (
            'adds = { profile = { strip = "symbols" } }',
            'adds = { profile = { strip = "all" } }',
            r"strip = 'all' is not one of",
        ),
    ],
)
def test_bad_ladder_values_are_load_errors_naming_file_table_and_key(tmp_path, old, new, message):
    path = broken(tmp_path, old, new)
    with pytest.raises(RecipeError) as err:
        load_recipes(path)
    assert str(err.value).startswith(f"{path}: ")
    assert re.search(message, str(err.value)), str(err.value)


def test_a_skipped_step_makes_no_variant_and_says_why(tmp_path):
    path = broken(
        tmp_path,
        'adds = { profile = { lto = "thin" } }',
        'adds = { profile = { lto = "thin" } }\nmusl = { skip = "thin LTO is not measured on musl" }',
    )
    r = load_recipes(path)
    [lad] = r.ladders
    rung = lad.rung("lto-thin", "musl")
    assert rung.variant is None and rung.absent == "thin LTO is not measured on musl"
    assert "ladder-musl-05-lto-thin" not in [v.id for v in r.variants]
    # the later steps still carry the skipped step's knob
    assert dict(lad.rung("lto-fat", "musl").variant.profile.settings)["lto"] is True


# -------------------------------------------------------------------------------------------- page
@pytest.fixture(scope="module")
def site():
    s = Site(load_measurements)
    s.start_page("concepts/binary-size.md")
    return s


def test_the_table_has_every_step_and_its_notes(site, ladder):
    out = site.ladder_table()
    lines = [ln for ln in out.splitlines() if ln.startswith("|")]
    assert len(lines) == 2 + len(ladder.steps)
    assert '<span id="ladder-glibc-01-release"></span>' in out
    upx = lines[-1]
    assert "not measured[^data-" in upx
    notes = site.finish_page()
    assert "no upx or upx-ucl package" in html.unescape(notes)


def test_the_table_shows_a_measured_row(site):
    data = site.data
    row = data.images_by_variant.get(("hello-world", "ladder-glibc-01-release"))
    if row is None:
        pytest.skip("the ladder is not measured in this checkout")
    assert f'data-sort="{row["image_bytes"]}"' in site.ladder_table()


def test_smallest_links_to_the_row(site):
    out = site.ladder_smallest("any", page="../concepts/binary-size.md")
    if "not measured yet" in out:
        pytest.skip("the ladder is not measured in this checkout")
    assert re.search(r"\]\(\.\./concepts/binary-size\.md#ladder-(glibc|musl)-\d\d-[a-z-]+\)\)$", out)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.ladder_table("nope"), "unknown ladder 'nope'; ladders in the recipes: hello-size"),
        (lambda s: s.ladder_smallest("tiny"), "argument 'kind' = 'tiny' is not one of: std, no_std, any"),
        (lambda s: s.ladder_smallest("std", page="javascript:alert(1)"), "must be a relative path to a page"),
        (lambda s: s.ladder_size("nope", "musl"), "has no step 'nope' for 'musl'"),
    ],
)
def test_bad_macro_arguments_fail_the_page(site, call, message):
    with pytest.raises(MacroError, match=re.escape(message)):
        call(site)


def test_ladder_steps_stay_out_of_the_default_size_table(site):
    out = site.image_size_table("hello-world")
    assert "ladder-" not in out and "scratch-musl" in out


def test_commands_show_the_build_command_and_dockerfile_of_each_step(site, ladder):
    out = site.ladder_commands()
    assert out.count('??? note "Step ') == len(ladder.steps)
    assert "-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size" in out
    assert "COPY hello-nostd /hello-nostd" in out


def test_the_built_page_has_the_table_and_an_inline_chart(built_site):
    doc = (built_site / "concepts" / "binary-size" / "index.html").read_text(encoding="utf-8")
    figure = re.search(r'<figure class="chart"[^>]*>(.*?)</figure>', doc, re.S)
    assert figure and "<svg" in figure.group(1)
    assert "<script" not in figure.group(1)
    assert 'id="ladder-musl-17-tiny"' in doc
    scratch = (built_site / "base-images" / "scratch" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="\.\./\.\./concepts/binary-size/#ladder-', scratch) or "not measured yet" in scratch


def test_a_failed_build_and_a_failed_run_are_footnoted_with_their_message(monkeypatch):
    s = Site(load_measurements)
    s.start_page("concepts/binary-size.md")
    real = s._measured
    fake_rows = {
        "ladder-musl-03-opt-s": {"image_bytes": None, "runs": "no", "failure": "cargo build failed: error: <boom>"},
        "ladder-musl-04-opt-z": {"image_bytes": 5000, "runs": "no", "failure": "printed '' instead of 'Hello'"},
    }
    monkeypatch.setattr(s, "_measured", lambda program, vid: fake_rows.get(vid) or real(program, vid))
    out = s.ladder_table()
    notes = s.finish_page()
    opt_s = next(ln for ln in out.splitlines() if ln.startswith("| 3 |"))
    opt_z = next(ln for ln in out.splitlines() if ln.startswith("| 4 |"))
    assert "build failed[^data-" in opt_s and "musl: not built" in opt_s
    assert 'data-sort="5000"' in opt_z and "musl: no[^data-" in opt_z
    assert "<boom>" not in notes
    assert "The build failed: cargo build failed: error: <boom>" in html.unescape(notes)
    assert "Does not run: printed '' instead of 'Hello'" in html.unescape(notes)
    assert "ladder-musl-03-opt-s" not in s.ladder_smallest("any")
