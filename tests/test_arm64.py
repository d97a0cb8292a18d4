"""arm64 (issue 11): recipes declared for two architectures, emulation detection, image configs that
declare arm64, the side-by-side tables, and a smoke measurement of one arm64 image with real Docker
under real user-mode emulation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rows import empty_datasets

from cheatsheet import arch_site
from cheatsheet.emulation import cannot_run, host_arch
from cheatsheet.measure import Context, MeasureError, declare_architecture, inspect_image, runnable
from cheatsheet.recipes import RecipeError, load_recipes
from cheatsheet.render import format_bytes
from cheatsheet.tables import read_table

REPO = Path(__file__).resolve().parent.parent
RECIPES = REPO / "programs" / "recipes.toml"


# -- recipes ------------------------------------------------------------------------------------
def test_a_variant_declared_for_two_arches_becomes_two_variants():
    recipes = load_recipes()
    amd, arm = recipes.variant("hello-world", "scratch-musl"), recipes.variant("hello-world", "scratch-musl-arm64")
    assert (amd.arch, arm.arch) == ("amd64", "arm64")
    assert (amd.target.triple, arm.target.triple) == ("x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl")
    assert arm.base == amd.base and arm.profile == amd.profile and arm.features == amd.features
    assert arm.descriptors()["arch"] == "arm64" and amd.descriptors()["arch"] == "amd64"
    # rustup has no aarch64 std here: every arm64 target rebuilds std
    glibc = recipes.variant("hello-world", "scratch-glibc-arm64")
    assert glibc.target.triple == "aarch64-unknown-linux-gnu" and glibc.target.toolchain == "debian-build-std"
    assert glibc.target.libc == "glibc" and glibc.target.crt_linkage == "static"
    assert "+crt-static" in " ".join(glibc.all_rustflags)


def test_the_default_architecture_leaves_the_cache_key_as_it_was():
    """Adding the architecture dimension must not make every x86-64 row stale."""
    recipes = load_recipes()
    amd = recipes.variant("hello-world", "scratch-musl").fingerprint()
    arm = recipes.variant("hello-world", "scratch-musl-arm64").fingerprint()
    assert "arch" not in amd["target"] and arm["target"]["arch"] == "arm64"


def with_variant(tmp_path: Path, old: str, new: str) -> Path:
    text = RECIPES.read_text()
    assert old in text
    path = tmp_path / "recipes.toml"
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.parametrize(
    "arches, message",
    [
        ('["amd64", "riscv64"]', "arches[1] = 'riscv64' is not one of: amd64, arm64"),
        ('["arm64", "arm64"]', "must name each architecture once"),
        ("[]", "must name each architecture once"),
        ('"arm64"', "'arches' must be a list of strings"),
    ],
)
def test_a_bad_arches_value_names_the_file_the_variant_and_the_value(tmp_path, arches, message):
    stanza = 'id = "scratch-musl"\nbase = "scratch"\ntarget = "musl-static"\nprofile = "stripped"\narches = '
    path = with_variant(tmp_path, stanza + '["amd64", "arm64"]', stanza + arches)
    with pytest.raises(RecipeError) as err:
        load_recipes(path)
    assert str(path) in str(err.value) and "('hello-world'/'scratch-musl')" in str(err.value)
    assert message in str(err.value)


def test_an_arm64_id_that_is_already_taken_is_refused(tmp_path):
    path = with_variant(tmp_path, 'id = "scratch-glibc"\n', 'id = "scratch-musl-arm64"\n')
    with pytest.raises(RecipeError, match="variant id 'scratch-musl-arm64' is used twice for hello-world"):
        load_recipes(path)


# -- emulation ----------------------------------------------------------------------------------
def binfmt(tmp_path: Path, entry: str | None, registered: bool = True) -> Path:
    d = tmp_path / "binfmt_misc"
    d.mkdir()
    if registered:
        (d / "register").write_text("")
    if entry is not None:
        (d / "qemu-aarch64").write_text(entry)
    return d


ENTRY = "enabled\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: {flags}\noffset 0\nmagic 7f454c46\n"


def test_emulation_with_the_fix_binary_flag_is_usable(tmp_path):
    assert cannot_run("arm64", binfmt(tmp_path, ENTRY.format(flags="POF"))) == ""
    assert cannot_run(host_arch(), tmp_path / "nowhere") == ""  # the machine's own architecture needs nothing


@pytest.mark.parametrize(
    "entry, registered, reason",
    [
        (None, False, "binfmt_misc is not mounted"),
        (None, True, "no binfmt_misc entry qemu-aarch64 is registered"),
        (ENTRY.format(flags="PO"), True, "lacks the F flag, so it does not work inside containers"),
        (ENTRY.format(flags="POF").replace("enabled", "disabled"), True, "is disabled"),
    ],
)
def test_missing_or_unusable_emulation_is_one_line_saying_why(tmp_path, entry, registered, reason):
    why = cannot_run("arm64", binfmt(tmp_path, entry, registered))
    assert reason in why and "\n" not in why


def test_variants_of_an_architecture_that_cannot_run_are_skipped_with_one_line(monkeypatch):
    recipes = load_recipes()
    chosen = [recipes.variant("hello-world", v) for v in ("scratch-musl", "scratch-musl-arm64", "debian-arm64")]
    monkeypatch.setattr("cheatsheet.measure.cannot_run", lambda arch: "no emulator here" if arch == "arm64" else "")
    said: list[str] = []
    kept = runnable(chosen, said.append)
    assert [v.id for v in kept] == ["scratch-musl"]
    assert said == ["skipped: 2 arm64 variants: no emulator here"]


def test_a_machine_without_emulation_measures_x86_64_and_writes_nothing_for_arm64(tmp_path, monkeypatch):
    """The whole runner: the arm64 rows are skipped before anything is built, the CSV stays as it was."""
    from cheatsheet import measure

    out = empty_datasets(tmp_path, ("images",))
    before = (out / "images.csv").read_bytes()
    monkeypatch.setattr(measure, "cannot_run", lambda arch: "emulation unavailable" if arch == "arm64" else "")
    said: list[str] = []
    ctx = Context(recipes=load_recipes(), csv_path=out / "images.csv", cache_dir=tmp_path / "cache", log=said.append)
    failures = measure.run([load_recipes().variant("hello-world", "scratch-glibc-arm64")], ctx)
    assert failures == 0 and (out / "images.csv").read_bytes() == before
    assert said[0] == "skipped: 1 arm64 variant: emulation unavailable"
    assert said[-1].startswith("done: 0 of 0 variants measured")


# -- the side-by-side tables ----------------------------------------------------------------------
def test_pairs_come_from_the_recipes_not_from_ids_in_the_data():
    variants = [v for v in load_recipes().variants if v.program.id == "hello-world"]
    found = arch_site.pairs(variants)
    seed = ("debian", "debian-slim", "distroless-cc", "alpine", "distroless-static", "scratch-glibc", "scratch-musl")
    assert [(a.id, b.id) for a, b in found] == [(v, f"{v}-arm64") for v in seed]


def test_the_arm64_page_shows_each_pair_with_the_csv_figures(built_site):
    from test_site import page, tables
    from test_site import rows as table_rows

    images = {(r["program"], r["variant"]): r for r in read_table(REPO / "measurements" / "images.csv").rows}
    pairs = arch_site.pairs([v for v in load_recipes().variants if v.program.id == "hello-world"])
    doc = page(built_site, "concepts/arm64/index.html")
    hello = next(t for t in tables(doc) if "Image arm64" in t and "scratch-musl" in t)
    by_variant = {r[0]: r for r in table_rows(hello)}
    assert sorted(by_variant) == sorted(native.id for native, _ in pairs)
    for native, arm in pairs:
        cells = by_variant[native.id]
        for row, cell in (
            (images.get(("hello-world", native.id)), cells[3]),
            (images.get(("hello-world", arm.id)), cells[4]),
        ):
            if row is None:
                assert "not measured" in cell
            else:
                assert cell == format_bytes(int(row["image_bytes"]))


# -- image configs and a real arm64 image ---------------------------------------------------------
pytest_docker = pytest.mark.docker


def docker(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, timeout=300, check=False, **kw)


@pytest_docker
def test_a_from_scratch_image_is_declared_arm64_with_its_layers_unchanged(tmp_path):
    (tmp_path / "payload").write_bytes(b"\x7fELF not really a program\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY payload /payload\n")
    tag = "cheatsheet-test/arch:declared"
    assert docker("build", "--quiet", "--tag", tag, str(tmp_path)).returncode == 0
    try:
        before = inspect_image(tag)
        ctx = Context(recipes=load_recipes(), csv_path=tmp_path / "x.csv", cache_dir=tmp_path, log=lambda _m: None)
        declare_architecture(tag, "arm64", ctx)
        after = inspect_image(tag)
        assert (after["Architecture"], after.get("Variant")) == ("arm64", "v8")
        assert after["RootFS"]["Layers"] == before["RootFS"]["Layers"] and after["Size"] == before["Size"]
        declare_architecture(tag, "arm64", ctx)  # already so: nothing to do, same image
        assert inspect_image(tag)["Id"] == after["Id"]
        with pytest.raises(MeasureError, match="no-such-image"):
            declare_architecture("cheatsheet-test/no-such-image:x", "arm64", ctx)
    finally:
        docker("rmi", "--force", tag)


@pytest_docker
def test_smoke_an_arm64_image_is_cross_built_measured_and_run_under_emulation(tmp_path):
    """The real thing, CI-sized: hello-world for aarch64 musl (std rebuilt for aarch64), FROM scratch,
    declared arm64, run under qemu-user-static; its row says arm64 on an x86-64 host."""
    why = cannot_run("arm64")
    assert not why, f"this machine cannot run arm64 images ({why}); run scripts/setup.sh test as root"
    out = empty_datasets(tmp_path, ("images", "base_images"))
    cmd = [sys.executable, str(REPO / "scripts" / "measure.py"), "--only", "hello-world/scratch-musl-arm64",
           "--csv", str(out / "images.csv"), "--cache-dir", str(REPO / ".cache"), "--no-cache"]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1500, env=dict(os.environ), check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    [row] = read_table(out / "images.csv").rows
    assert (row["variant"], row["arch"], row["host_arch"]) == ("scratch-musl-arm64", "arm64", "x86_64")
    assert row["runs"] == "yes" and row["target"] == "aarch64-unknown-linux-musl"
    assert row["toolchain"] == "debian-build-std" and row["image_bytes"] == row["binary_bytes"] > 100_000
    image = inspect_image("cheatsheet/hello-world:scratch-musl-arm64")
    assert (image["Architecture"], image.get("Variant")) == ("arm64", "v8")
    ran = docker("run", "--rm", "cheatsheet/hello-world:scratch-musl-arm64")
    assert ran.stdout == b"Hello, world!\n"


def test_rustup_cannot_build_for_arm64_here_and_says_what_to_use(tmp_path):
    from cheatsheet.toolchain import ToolchainError, toolchain

    with pytest.raises(ToolchainError, match=r"rustup has no arm64 standard library here.*debian-build-std"):
        toolchain("rustup", tmp_path, "arm64")
    with pytest.raises(ToolchainError, match="No toolchain builds for 'riscv64'"):
        toolchain("debian-build-std", tmp_path, "riscv64")
