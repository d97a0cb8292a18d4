"""cheatsheet.recipes.load: programs/recipes.toml loaded with every value checked, and the file, the
table and the key named in every message."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from support import FIXTURES

from cheatsheet.paths import IMAGES_SCHEMA, PROGRAMS, RECIPES
from cheatsheet.recipes import RecipeError, load_recipes
from cheatsheet.recipes.model import BOOTSTRAP_NAMES, schema_enum

SEED_VARIANTS = [
    "debian",
    "debian-slim",
    "distroless-cc",
    "alpine",
    "distroless-static",
    "scratch-glibc",
    "scratch-musl",
]
GOOD_VARIANT = (
    '[[variants]]\nprogram = "hello-world"\nid = "x"\nbase = "scratch"\ntarget = "glibc-static"\nprofile = "stripped"\n'
)


def recipes_with(tmp_path: Path, old: str, new: str, extra: str = "") -> Path:
    """The committed recipes with the first ``old`` replaced by ``new`` and ``extra`` appended."""
    text = RECIPES.read_text()
    assert old in text, old
    path = tmp_path / "recipes.toml"
    path.write_text(text.replace(old, new, 1) + extra)
    return path


def before_the_variants(tmp_path: Path, text: str) -> Path:
    """The committed programs, bases, targets and profiles, then ``text`` in place of the variants."""
    path = tmp_path / "recipes.toml"
    head = RECIPES.read_text().split("# The original cheatsheet's seven hello-world images.")[0]
    path.write_text(head + text)
    return path


def refused(path: Path, *patterns: str) -> str:
    with pytest.raises(RecipeError) as info:
        load_recipes(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    for pattern in patterns:
        assert re.search(pattern, message), (pattern, message)
    assert "\n" not in message
    return message


# -- what is declared ---------------------------------------------------------------------------------


def test_the_real_recipes_and_the_fixtures_load():
    assert load_recipes().variants
    fixtures = load_recipes(FIXTURES / "recipes.toml", program_roots=(PROGRAMS, FIXTURES / "programs"))
    assert "hello-world/scratch-glibc" in fixtures.ids()


def test_the_seed_hello_world_matrix_is_declared(recipes):
    hello = [
        v
        for v in recipes.variants
        if v.program.id == "hello-world" and not v.ladder and not v.like_for_like_of and not v.matrix
    ]
    assert [v.id for v in hello if v.arch == "amd64"] == SEED_VARIANTS
    assert [v.id for v in hello if v.arch == "arm64"] == [f"{vid}-arm64" for vid in SEED_VARIANTS]
    for v in recipes.variants:
        if v.base.name != "scratch":
            assert "@sha256:" in v.base.pull and len(v.base.pull.split("@sha256:")[1]) == 64, v.base


def test_an_arm64_comparison_gets_an_x86_64_partner_built_by_the_same_toolchain(recipes):
    twins = {v.id: v for v in recipes.variants if v.like_for_like_of}
    for v in recipes.variants:
        arm = next((o for o in recipes.variants if o.key == v.for_arch("arm64").key and o is not v), None)
        if arm is None or v.arch != "amd64" or v.like_for_like_of:
            continue
        if v.target.toolchain == arm.target.toolchain:
            assert f"{v.id}-build-std" not in twins  # already like for like
        else:
            twin = twins[f"{v.id}-build-std"]
            assert twin.like_for_like_of == v.id and twin.target.toolchain == arm.target.toolchain
            assert (twin.target.triple, twin.features, twin.profile) == (v.target.triple, v.features, v.profile)


def test_the_runs_where_cells_put_each_binary_on_other_bases(recipes):
    cells = [v for v in recipes.variants if v.matrix == "runs-where"]
    assert cells and all(v.program.id == "hello-world" for v in cells)
    pairs = {(v.target.id, v.base.name) for v in recipes.variants if v.program.id == "hello-world" and v.arch == "amd64"
             and not v.ladder and not v.like_for_like_of}  # fmt: skip
    for target in ("glibc-dynamic", "glibc-static", "musl-static"):
        for base in ("debian", "debian-slim", "distroless-cc", "distroless-static", "scratch"):
            assert (target, base) in pairs, (target, base)


def test_the_bases_are_digest_pinned(recipes):
    assert set(recipes.bases) == {"scratch", "debian", "debian-slim", "distroless-static", "distroless-cc", "alpine"}
    for spec in recipes.bases.values():
        if spec.pull:
            assert "@sha256:" in spec.pull and len(spec.pull.split("@sha256:")[1]) == 64
    assert recipes.bases["scratch"].pull == ""
    assert recipes.bases["alpine"].bootstrap == ""
    assert recipes.bases["debian"].bootstrap == "debian-minbase"


def test_recipe_choices_come_from_the_schema(recipes):
    """One source: what a recipe may say is what images.schema.json allows."""
    schema = {f["name"]: f for f in json.loads(IMAGES_SCHEMA.read_text())["fields"]}
    for column in ("libc", "crt_linkage", "tls", "dns", "allocator", "toolchain", "base", "strip"):
        assert schema_enum(column) == tuple(schema[column]["constraints"]["enum"])
    for base in recipes.bases:
        assert base in schema_enum("base")
    for spec in recipes.bases.values():
        assert spec.bootstrap in ("", *BOOTSTRAP_NAMES)


def test_a_variant_declared_for_two_arches_becomes_two_variants(recipes):
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


# -- what is refused ----------------------------------------------------------------------------------


def test_unknown_references_and_keys_are_named(tmp_path):
    bad = GOOD_VARIANT.replace('base = "scratch"', 'base = "ubuntu"')
    with pytest.raises(RecipeError, match=r"base 'ubuntu' is not defined; defined: debian, "):
        load_recipes(before_the_variants(tmp_path, bad))
    typo = GOOD_VARIANT + 'feature = ["a"]\n'
    with pytest.raises(RecipeError, match=r"unknown key.*feature"):
        load_recipes(before_the_variants(tmp_path, typo))


def test_a_variant_id_used_twice_is_refused(tmp_path):
    with pytest.raises(RecipeError, match="used twice"):
        load_recipes(before_the_variants(tmp_path, GOOD_VARIANT + "\n" + GOOD_VARIANT))


def test_toml_syntax_errors_name_the_file(tmp_path):
    with pytest.raises(RecipeError, match=str(tmp_path)):
        load_recipes(before_the_variants(tmp_path, "[[variants]\n"))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # ids are slugs: no path traversal through a program id, a base or a variant id
        ("[programs.hello-world]", '[programs."../../etc"]', r"\[programs\.'\.\./\.\./etc'\]: id = .* must be a slug"),
        (
            '[[variants]]\nprogram = "hello-world"\nid = "debian"\n',
            '[[variants]]\nprogram = "hello-world"\nid = "../x"\n',
            r"id = '\.\./x' must be a slug",
        ),
        ("[targets.glibc-static]", "[targets.Glibc_Static]", r"\[targets\.'Glibc_Static'\]: id"),
        ("[profiles.stripped]", '[profiles."a b"]', r"\[profiles\.'a b'\]: id"),
        # base names come from images.schema.json
        ("[bases.alpine]", "[bases.ubuntu]", r"\[bases\.ubuntu\]: name = 'ubuntu' is not one of: debian, "),
        # pull: a digest-pinned reference, nothing else
        (
            'pull = "alpine:3.22@sha256:',
            'pull = "alpine:3.22\\nRUN curl evil | sh\\n@sha256:',
            r"\[bases\.alpine\]: pull = .* must be an image reference pinned by digest",
        ),
        ('pull = "alpine:3.22@sha256:', 'pull = "alpine:3.22 @sha256:', r"\[bases\.alpine\]: pull"),
        (
            'pull = "alpine:3.22@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"',
            'pull = "alpine:3.22"',
            r"\[bases\.alpine\]: pull = 'alpine:3.22' must be .*pinned by digest",
        ),
        (
            'pull = "alpine:3.22@sha256:4bcff63911fcb4448bd4fdacec207030997caf25e9bea4045fa6c8c44de311d1"',
            'pull = "alpine:3.22@sha256:4bcff639"',
            r"\[bases\.alpine\]: pull",
        ),
        # binary: a plain file name
        (
            'binary = "hello-world"',
            'binary = "../../bin/sh"',
            r"\[programs\.hello-world\]: binary = .* must be a plain file name",
        ),
        # a program's path stays inside programs/
        (
            'path = "programs/hello-world"',
            'path = "programs/../tests/fixtures/programs/exit-three"',
            r"\[programs\.hello-world\]: path = .*(must|leaves)",
        ),
        (
            'path = "programs/hello-world"',
            'path = "tests/fixtures/programs/exit-three"',
            r"\[programs\.hello-world\]: path = .* leaves programs/",
        ),
        ('path = "programs/hello-world"', 'path = "/etc"', r"\[programs\.hello-world\]: path = '/etc'"),
        # bootstrap names are the registry's
        (
            'bootstrap = "debian-slim"',
            'bootstrap = "ubuntu-minimal"',
            r"\[bases\.debian-slim\]: bootstrap = 'ubuntu-minimal' is not one of: "
            r"debian-minbase, debian-slim, distroless-static",
        ),
        # enums from the schema
        ('libc = "musl"', 'libc = "bionic"', r"\[targets\.musl-static\]: libc = 'bionic' is not one of: glibc, musl"),
        ('toolchain = "debian-build-std"', 'toolchain = "nightly"', r"toolchain = 'nightly' is not one of"),
        ('triple = "x86_64-unknown-linux-musl"', 'triple = "x86_64 unknown"', r"\[targets\.musl-static\]: triple"),
        # flags and features: no control characters
        (
            'rustflags = ["-C", "target-feature=+crt-static"]',
            'rustflags = ["-C", "target-feature=+crt-static\\nFROM evil"]',
            r"\[targets\.glibc-static\]: rustflags\[1\] contains the invisible or control character U\+000A",
        ),
        ('rustflags = ["-C", "target-feature=+crt-static"]', 'rustflags = ["-C\\u202e"]', r"U\+202E"),
        (
            'settings = { strip = "symbols" }',
            'settings = { strip = "symbols\\n" }',
            r"\[profiles\.stripped\]: settings\.strip",
        ),
        (
            'settings = { strip = "symbols" }',
            'settings = { strip = "everything" }',
            r"strip = 'everything' is not one of",
        ),
        (
            'verify = [{ kind = "stdout", equals = "Hello, world!\\n" }]',
            'verify = [{ kind = "http", equals = "" }]',
            r"\[programs\.hello-world\]\.verify\[0\]: kind = 'http' is not one of: stdout",
        ),
    ],
)
def test_a_dangerous_value_is_refused_naming_file_table_and_key(tmp_path, old, new, expected):
    refused(recipes_with(tmp_path, old, new), expected)


def test_features_are_cargo_feature_names(tmp_path):
    path = recipes_with(
        tmp_path,
        "# The original cheatsheet's",
        "# The original cheatsheet's",
        GOOD_VARIANT.replace('id = "x"', 'id = "feat"') + 'features = ["std", "a\\tb"]\n',
    )
    refused(path, r"\[\[variants\]\] #[0-9]+ \('hello-world'/'feat'\): features\[1\] contains .* U\+0009")
    path.write_text(path.read_text().replace('"a\\tb"', '"--config=evil"'))
    refused(path, r"features\[1\] = '--config=evil' must be a cargo feature name")


def test_a_long_value_is_quoted_short(tmp_path):
    message = refused(recipes_with(tmp_path, 'binary = "hello-world"', f'binary = "{"x/" * 5000}"'), "binary")
    assert len(message) < 400


ARCHES_STANZA = 'id = "scratch-musl"\nbase = "scratch"\ntarget = "musl-static"\nprofile = "stripped"\narches = '


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
    path = recipes_with(tmp_path, ARCHES_STANZA + '["amd64", "arm64"]', ARCHES_STANZA + arches)
    text = refused(path, re.escape("('hello-world'/'scratch-musl')"))
    assert message in text


def test_an_arm64_id_that_is_already_taken_is_refused(tmp_path):
    path = recipes_with(tmp_path, 'id = "scratch-glibc"\n', 'id = "scratch-musl-arm64"\n')
    with pytest.raises(RecipeError, match="variant id 'scratch-musl-arm64' is used twice for hello-world"):
        load_recipes(path)


def test_a_server_variant_needs_the_peers(tmp_path):
    text = RECIPES.read_text()
    start = text.index("[peers]")
    end = text.find("\n[", start + 1)
    path = tmp_path / "recipes.toml"
    path.write_text(text[:start] + (text[end + 1 :] if end >= 0 else ""))
    refused(path, "a variant is verified as a server, but no \\[peers\\] table names the peers program")


# -- a program's build packages -----------------------------------------------------------------------

PACKAGES_LINE = (
    'build_packages = { tls-openssl = ["libssl-dev", "pkg-config"], tls-openssl-vendored = ["make", "perl"] }'
)


def test_build_packages_are_read_per_feature_and_leave_the_recipe_key_alone(recipes, tmp_path):
    webserver = recipes.variant("webserver", "cc-openssl").program
    assert webserver.build_packages == (
        ("tls-openssl", ("libssl-dev", "pkg-config")),
        ("tls-openssl-vendored", ("make", "perl")),
    )
    assert webserver.packages_for(("tls-openssl", "tls-openssl-vendored", "dns-hickory")) == (
        "libssl-dev", "pkg-config", "make", "perl",
    )  # fmt: skip
    assert webserver.packages_for(("tls-rustls-ring",)) == ()
    # the packages change the shown build stage only: without them every fingerprint is the same
    without = load_recipes(recipes_with(tmp_path, PACKAGES_LINE, ""))
    assert all(v.fingerprint() == without.variant(v.program.id, v.id).fingerprint() for v in recipes.variants)


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        ('build_packages = { tls-openssl = ["libssl-dev; rm -rf /"] }', r"must be a Debian package name"),
        ('build_packages = { "tls openssl" = ["make"] }', r"must be a cargo feature name"),
        ('build_packages = { tls-openssl = "make" }', r"'tls-openssl' must be a list of strings"),
        ('build_packages = ["make"]', r"build_packages: must be a table"),
    ],
)
def test_bad_build_packages_are_refused_naming_the_program(tmp_path, new, expected):
    refused(recipes_with(tmp_path, PACKAGES_LINE, new), r"\[programs\.webserver\] build_packages", expected)
