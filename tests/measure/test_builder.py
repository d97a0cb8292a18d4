"""cheatsheet.measure.builder and .verbatim without Docker: the tag's release, the recipe of the local
builder and what decides it, and the line a failed build is reported by."""

from __future__ import annotations

import dataclasses

import pytest

from cheatsheet.measure.bases.common import BaseImage
from cheatsheet.measure.builder import PACKAGES, PROXIES, builder_key, environment, make_script, release_of
from cheatsheet.measure.errors import MeasureError
from cheatsheet.measure.toolchain import Toolchain
from cheatsheet.measure.verbatim import build_failure, crate_context
from cheatsheet.recipes.dockerfile import BUILDER_IMAGE, full_dockerfile


def test_the_tag_names_the_release_the_builder_must_hold():
    assert release_of(BUILDER_IMAGE) == "1.95.0"
    assert release_of("rust:1.96.1-slim-trixie") == "1.96.1"
    for bad in ("rust:slim", "debian:1.95.0-slim", "rust:1.95-slim-bookworm"):
        with pytest.raises(MeasureError, match="is not a rust:<release>-slim-<suite> tag"):
            release_of(bad)


def test_the_local_builder_is_made_as_the_official_image_is():
    script = make_script("1.95.0-x86_64-unknown-linux-gnu")
    assert f"apt-get install -y --no-install-recommends {' '.join(PACKAGES)}" in script
    assert PACKAGES == ("ca-certificates", "gcc", "libc6-dev")
    assert "/usr/local/rustup/toolchains/1.95.0-x86_64-unknown-linux-gnu" in script
    assert 'default_toolchain = "1.95.0-x86_64-unknown-linux-gnu"' in script
    assert f"for p in {' '.join(PROXIES)}; do ln /usr/local/cargo/bin/rustup" in script
    assert "/mnt/toolchain/share" not in script  # no documentation copied
    assert environment("1.95.0") == [
        "RUSTUP_HOME=/usr/local/rustup",
        "CARGO_HOME=/usr/local/cargo",
        "PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "RUST_VERSION=1.95.0",
    ]


def test_the_builder_is_made_again_when_the_base_or_the_toolchain_changes():
    base = BaseImage("debian-slim", "cheatsheet-base/debian-slim:x", "sha256:" + "1" * 64, "bootstrapped", "", 1, "")
    tc = Toolchain("rustup", "", "/x/rustc", "/x/cargo", "1.95.0", "rustc 1.95.0", {}, (), (), "f" * 64)
    key = builder_key(base, tc, "script")
    assert key == builder_key(base, tc, "script")
    assert key != builder_key(dataclasses.replace(base, image_id="sha256:" + "2" * 64), tc, "script")
    assert key != builder_key(base, dataclasses.replace(tc, fingerprint="e" * 64), "script")
    assert key != builder_key(base, tc, "another script")


def test_a_failed_build_is_reported_by_its_error_line():
    output = (
        "Step 5/9 : RUN rustup target add x86_64-unknown-linux-musl\n"
        " ---> Running in 1234\n"
        "info: downloading component 'rust-std' for 'x86_64-unknown-linux-musl'\n"
        "error: component download failed for rust-std-x86_64-unknown-linux-musl: could not download file\n"
        "The command '/bin/sh -c rustup target add x86_64-unknown-linux-musl' returned a non-zero code: 1\n"
    )
    assert build_failure(output).startswith("error: component download failed for rust-std")
    assert build_failure("nothing useful\nlast line\n") == "last line"


def test_the_context_is_the_crate_and_the_full_dockerfile(recipes, tmp_path):
    variant = recipes.variant("hello-world", "scratch-glibc")
    crate_context(variant, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Cargo.lock", "Cargo.toml", "Dockerfile", "src"]
    assert (tmp_path / "Dockerfile").read_text() == full_dockerfile(variant)
