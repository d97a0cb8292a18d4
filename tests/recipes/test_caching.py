"""cheatsheet.recipes.caching: the four Dockerfiles of the build-caching comparison build the same binary
with the same command and end in the same runtime stage; they differ only in their build stage."""

from __future__ import annotations

import pytest
from support import dockerfile_stages as stages

from cheatsheet.recipes.caching import COMPARED, METHOD_IDS, caching_dockerfile, plain_build, profile_env
from cheatsheet.recipes.dockerfile import BUILDER_IMAGE, RUN_AS, full_dockerfile


@pytest.fixture
def variant(recipes):
    return recipes.variant(*COMPARED)


def test_every_method_ends_in_the_same_runtime_stage_as_the_full_dockerfile(variant):
    runtime = stages(full_dockerfile(variant))[-1]
    for method in METHOD_IDS:
        last = stages(caching_dockerfile(variant, method))[-1]
        assert last[0] == runtime[0] and last[-2:] == [f"USER {RUN_AS}", runtime[-1]], method
        assert last[1].startswith("COPY --from=build ") and last[1].endswith(" /webserver"), method


def test_the_skeleton_is_the_sites_full_dockerfile(variant):
    assert caching_dockerfile(variant, "skeleton") == full_dockerfile(variant)


def test_naive_copies_everything_then_builds_with_the_measured_command(variant):
    build = stages(caching_dockerfile(variant, "naive"))[1]
    assert build == [f"FROM {BUILDER_IMAGE} AS build", "WORKDIR /src", "COPY . .", f"RUN {variant.build_command()}"]


def test_cargo_chef_cooks_and_builds_with_one_profile_from_the_environment(variant):
    text = caching_dockerfile(variant, "cargo-chef")
    chef, planner, build, _ = stages(text)[1:]
    assert chef[1].startswith("RUN cargo install cargo-chef --locked --version ")
    assert chef[-1] == "ENV CARGO_PROFILE_RELEASE_STRIP=symbols" == f"ENV {profile_env(variant)}"
    assert planner[-1] == "RUN cargo chef prepare --recipe-path recipe.json"
    cook = plain_build(variant, ("chef", "cook"))
    assert build[2] == f"RUN {cook} --recipe-path recipe.json"
    assert build[-1] == f"RUN {plain_build(variant)}"
    # the same flags as the measured command, the profile's --config moved to the environment
    assert variant.build_command() == plain_build(variant) + " --config 'profile.release.strip=\"symbols\"'"
    assert "RUSTFLAGS='-C target-feature=+crt-static' cargo chef cook --release --locked" in cook


def test_cache_mounts_keep_the_registry_and_target_outside_the_image(variant):
    text = caching_dockerfile(variant, "cache-mounts")
    assert text.startswith("# syntax=docker/dockerfile:1\n")
    assert "RUN --mount=type=cache,target=/usr/local/cargo/registry --mount=type=cache,target=/src/target \\\n" in text
    assert (
        f"    {variant.build_command()} && cp /src/target/x86_64-unknown-linux-gnu/release/webserver /webserver\n"
        in text
    )
    assert "COPY --from=build /webserver /webserver\n" in text


def test_unknown_methods_and_targets_the_builder_lacks_are_refused(recipes, variant):
    with pytest.raises(ValueError, match="unknown caching method 'sccache'"):
        caching_dockerfile(variant, "sccache")
    with pytest.raises(ValueError, match="x86-64 glibc targets only"):
        caching_dockerfile(recipes.variant("webserver", "scratch-musl-rustls-ring"), "naive")
