"""cheatsheet.recipes.model: what a variant decides (descriptors, cargo arguments, the build command,
the cache fingerprint) and how a target is expanded for another architecture."""

from __future__ import annotations

import pytest

from cheatsheet.recipes.model import BUILD_STD, needs_nightly, toml_scalar


def variant(recipes, vid):
    [v] = [v for v in recipes.variants if v.id == vid]
    return v


def test_profile_summary_and_strip(recipes):
    v = recipes.variant("hello-world", "debian")
    assert v.profile.summary() == "strip=symbols"
    assert v.profile.strip == "symbols"
    assert v.profile.config_args() == ("--config", 'profile.release.strip="symbols"')


def test_descriptors_are_the_columns_the_recipe_decides(recipes):
    v = recipes.variant("hello-world", "distroless-static")
    assert v.descriptors() == {
        "program": "hello-world",
        "variant": "distroless-static",
        "base": "distroless-static",
        "libc": "glibc",
        "crt_linkage": "static",
        "target": "x86_64-unknown-linux-gnu",
        "arch": "amd64",
        "tls": "none",
        "dns": "none",
        "allocator": "system",
        "roots": "none",
        "strip": "symbols",
        "cargo_profile": "strip=symbols",
        "rustflags": "-C target-feature=+crt-static",
    }


def test_build_command_shows_the_nightly_knobs_and_build_std_once(recipes):
    ia = variant(recipes, "ladder-musl-10-immediate-abort")
    cmd = ia.build_command()
    assert cmd.startswith("RUSTC_BOOTSTRAP=1 cargo build --release --locked --target x86_64-unknown-linux-musl")
    assert cmd.count(BUILD_STD) == 1
    assert cmd.count("-Zbuild-std-features=optimize_for_size") == 1
    assert cmd.endswith(f"{BUILD_STD} -Zbuild-std-features=optimize_for_size -Zpanic-immediate-abort")
    assert 'profile.release.panic="immediate-abort"' in cmd
    # the toolchain adds -Zbuild-std itself: the variant's own cargo arguments must not repeat it
    assert BUILD_STD not in ia.cargo_args()
    assert needs_nightly(ia) and not needs_nightly(variant(recipes, "ladder-glibc-01-release"))
    glibc1 = variant(recipes, "ladder-glibc-01-release").build_command()
    assert glibc1 == (
        "RUSTFLAGS='-C target-feature=+crt-static' cargo build --release --locked --target x86_64-unknown-linux-gnu"
    )


def test_variants_outside_ladders_keep_their_fingerprint(recipes):
    fp = variant(recipes, "scratch-musl").fingerprint()
    assert "cargo_flags" not in fp and "ladder" not in fp
    assert "cargo_flags" in variant(recipes, "ladder-musl-10-immediate-abort").fingerprint()


def test_the_default_architecture_leaves_the_cache_key_as_it_was(recipes):
    """Adding the architecture dimension must not make every x86-64 row stale."""
    amd = recipes.variant("hello-world", "scratch-musl").fingerprint()
    arm = recipes.variant("hello-world", "scratch-musl-arm64").fingerprint()
    assert "arch" not in amd["target"] and arm["target"]["arch"] == "arm64"


def test_a_target_for_another_architecture(recipes):
    musl = recipes.variant("hello-world", "scratch-musl").target
    arm = musl.for_arch("arm64")
    assert (arm.id, arm.triple, arm.arch) == (f"{musl.id}-arm64", "aarch64-unknown-linux-musl", "arm64")
    assert arm.toolchain == "debian-build-std" and arm.libc == musl.libc
    assert musl.for_arch("amd64") is musl
    with pytest.raises(ValueError, match="does not start with 'aarch64-'"):
        arm.__class__(**{**arm.__dict__, "triple": "x86_64-unknown-linux-musl"}).for_arch("amd64")


def test_profile_values_are_written_as_toml():
    assert [toml_scalar(v) for v in (True, 3, "z")] == ["true", "3", '"z"']
    with pytest.raises(TypeError):
        toml_scalar(1.5)
