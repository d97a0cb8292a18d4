"""cheatsheet.recipes.dockerfile: the Dockerfile measured, and the complete one shown to readers whose
last stage is the measured one."""

from __future__ import annotations

import re

from support import dockerfile_instructions, dockerfile_stages

from cheatsheet.recipes.dockerfile import (
    BUILD_DIR,
    BUILD_STAGE,
    BUILDER_IMAGE,
    PLACEHOLDER_MAIN,
    RUN_AS,
    dockerfile,
    full_dockerfile,
)

instructions, stages = dockerfile_instructions, dockerfile_stages


# -- the measured Dockerfile --------------------------------------------------------------------------


def test_dockerfile_of_a_scratch_variant(recipes):
    v = recipes.variant("hello-world", "scratch-musl")
    text = dockerfile(v)
    assert 'FROM scratch\nCOPY hello-world /hello-world\nENTRYPOINT ["/hello-world"]\n' in text
    assert (
        "cargo build --release --locked --target x86_64-unknown-linux-musl --config 'profile.release.strip=\"symbols\"'"
        in text
    )
    assert "ARG BASE" not in text


def test_dockerfile_of_a_based_variant_defaults_to_the_pinned_pull_reference(recipes):
    v = recipes.variant("hello-world", "distroless-static")
    text = dockerfile(v)
    assert f"ARG BASE={v.base.pull.split('@')[0]}\nFROM ${{BASE}}\n" in text
    assert "RUSTFLAGS='-C target-feature=+crt-static' cargo build" in text


def test_dockerfile_of_another_architecture_says_how_to_build_the_image(recipes):
    text = dockerfile(recipes.variant("hello-world", "scratch-musl-arm64"))
    assert "# and the image with: docker buildx build --platform linux/arm64 .\n" in text
    assert "buildx" not in dockerfile(recipes.variant("hello-world", "scratch-musl"))


def test_shown_dockerfiles_name_tags_and_say_how_to_pin_them(recipes):
    """No digest that was never checked against a registry is shown as fact (issue 18): the builder
    and every base go by tag, and the full Dockerfile says how to pin them."""
    assert BUILDER_IMAGE == "rust:1.95.0-slim-bookworm"
    for v in recipes.variants:
        assert not re.search(r"@sha256:[0-9a-f]{64}", dockerfile(v) + full_dockerfile(v)), v.id
        assert "as name:tag@sha256:<digest>" in full_dockerfile(v), v.id


# -- the full Dockerfile: what holds for every variant ---------------------------------------------


def full_dockerfile_problems(variant, text: str | None = None) -> list[str]:
    """How ``full_dockerfile(variant)`` (or ``text``) breaks what every variant's must hold to."""
    problems = []
    text = full_dockerfile(variant) if text is None else text
    measured = instructions(dockerfile(variant))
    found = stages(text)
    if len(found) != 3:
        return [f"{len(found) - 1} stages, not a build stage and a runtime stage"]
    preamble, build, runtime = found
    binary, triple = variant.program.binary, variant.target.triple
    copy_measured = f"COPY {binary} /{binary}"
    copy_full = f"COPY --from={BUILD_STAGE} {BUILD_DIR}/target/{triple}/release/{binary} /{binary}"
    args = [line for line in measured if line.startswith("ARG ")]
    # The last stage is dockerfile(variant) but for the three changes a shipped multi-stage file needs,
    # and only those: ARG BASE stands before the first FROM, COPY takes the binary from the build
    # stage, and USER makes it run unprivileged (just before the ENTRYPOINT).
    if preamble != args:
        problems.append(f"before the first FROM: {preamble}, not the measured ARG lines {args}")
    expected_runtime = [copy_full if line == copy_measured else line for line in measured if line not in args]
    expected_runtime.insert(len(expected_runtime) - 1, f"USER {RUN_AS}")
    if expected_runtime != runtime:
        problems.append(f"the runtime stage {runtime} is not the measured one {measured} with USER {RUN_AS}")
    if copy_measured not in measured or copy_full not in runtime:
        problems.append("the binary is not copied from the build stage")
    # The build stage builds the dependencies with the measured command on a placeholder main.rs, then
    # the binary with the same command, in the reader's crate.
    command = variant.build_command()
    steps = [
        f"WORKDIR {BUILD_DIR}",
        "COPY Cargo.toml Cargo.lock ./",
        f"RUN mkdir src && echo '{PLACEHOLDER_MAIN}' > src/main.rs && {command} && rm -rf src",
        "COPY . .",
        f"RUN touch src/main.rs && {command}",
    ]
    if build[-len(steps) :] != steps:
        problems.append(f"the build stage does not end with the dependency layer and the build {steps}: {build}")
    added = [line for line in build if line.startswith("RUN rustup target add")]
    expected = [] if triple == "x86_64-unknown-linux-gnu" else [f"RUN rustup target add {triple}"]
    if added != expected:
        problems.append(f"adds the targets {added}, not {expected}")
    if variant.target.toolchain != "rustup" and not ("built differently" in text and "-Zbuild-std" in text):
        problems.append("does not say that the measured binary was built with a rebuilt std")
    if "The runtime stage is the image measured by the cheatsheet" not in text:
        problems.append("does not say which stage was measured")
    if "# Runtime stage: the stage measured here" not in text:
        problems.append("does not mark the runtime stage")
    return problems


def test_every_variants_full_dockerfile_ends_with_its_measured_stage(recipes):
    """One check over every variant of the recipes (each branch of full_dockerfile is tested below)."""
    assert len(recipes.variants) > 50
    failures = {f"{v.program.id}/{v.id}": p for v in recipes.variants if (p := full_dockerfile_problems(v))}
    assert failures == {}


def test_the_check_catches_a_full_dockerfile_that_differs(recipes):
    variant = recipes.variant("hello-world", "distroless-static")
    text = full_dockerfile(variant)
    assert full_dockerfile_problems(variant, text) == []
    assert any("runtime stage" in p for p in full_dockerfile_problems(variant, text.replace("ENTRYPOINT", "CMD")))
    assert any("before the first FROM" in p for p in full_dockerfile_problems(variant, text.replace("ARG BASE", "#")))
    assert any("dependency layer" in p for p in full_dockerfile_problems(variant, text.replace("COPY . .\n", "")))
    assert any("USER" in p for p in full_dockerfile_problems(variant, text.replace(f"USER {RUN_AS}\n", "")))


# -- the full Dockerfile: one test per branch ---------------------------------------------------------


def build_steps(variant) -> list[str]:
    command = variant.build_command()
    return [
        f"WORKDIR {BUILD_DIR}",
        "COPY Cargo.toml Cargo.lock ./",
        f"RUN mkdir src && echo '{PLACEHOLDER_MAIN}' > src/main.rs && {command} && rm -rf src",
        "COPY . .",
        f"RUN touch src/main.rs && {command}",
    ]


def test_a_variant_whose_features_need_c_headers_installs_them_in_the_build_stage(recipes):
    openssl = full_dockerfile(recipes.variant("webserver", "cc-openssl"))
    vendored = full_dockerfile(recipes.variant("webserver", "cc-openssl-vendored"))
    rustls = full_dockerfile(recipes.variant("webserver", "cc-rustls-ring"))
    install = "RUN apt-get update && apt-get install -y --no-install-recommends {} && rm -rf /var/lib/apt/lists/*"
    assert stages(openssl)[1][1] == install.format("libssl-dev pkg-config")
    assert stages(vendored)[1][1] == install.format("make perl")
    assert "apt-get" not in rustls


def test_a_rustup_glibc_variant_is_built_by_the_builder_image_as_measured(recipes):
    variant = recipes.variant("hello-world", "scratch-glibc")
    assert (variant.target.toolchain, variant.target.triple) == ("rustup", "x86_64-unknown-linux-gnu")
    text = full_dockerfile(variant)
    _, build, _ = stages(text)
    assert build == [
        f"FROM {BUILDER_IMAGE} AS {BUILD_STAGE}",
        *build_steps(variant),
    ]
    assert "built differently" not in text and "run `docker build .`" in text


def test_a_build_std_musl_variant_adds_the_musl_target_and_says_it_was_built_otherwise(recipes):
    variant = recipes.variant("hello-world", "scratch-musl")
    assert (variant.target.toolchain, variant.target.triple) == ("debian-build-std", "x86_64-unknown-linux-musl")
    text = full_dockerfile(variant)
    _, build, _ = stages(text)
    assert build == [
        f"FROM {BUILDER_IMAGE} AS {BUILD_STAGE}",
        "RUN rustup target add x86_64-unknown-linux-musl",
        *build_steps(variant),
    ]
    assert "# The image ships the standard library for x86_64-unknown-linux-gnu only;" in text
    assert "built differently: by Debian's rustc-web with the standard" in text and "(-Zbuild-std)" in text


def test_an_arm64_variant_cross_compiles_on_the_builders_platform(recipes):
    variant = recipes.variant("hello-world", "scratch-musl-arm64")
    text = full_dockerfile(variant)
    _, build, _ = stages(text)
    assert build[0] == f"FROM --platform=$BUILDPLATFORM {BUILDER_IMAGE} AS {BUILD_STAGE}"
    assert build[1] == "ARG TARGETARCH" and '"$TARGETARCH" = arm64' in build[2]
    assert "apt-get install -y --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross" in build[3]
    assert build[4] == (
        "ENV CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=aarch64-linux-gnu-gcc "
        "CC_aarch64_unknown_linux_musl=aarch64-linux-gnu-gcc AR_aarch64_unknown_linux_musl=aarch64-linux-gnu-ar"
    )
    assert build[5:] == [
        "RUN rustup target add aarch64-unknown-linux-musl",
        *build_steps(variant),
    ]
    assert "run `docker buildx build --platform linux/arm64 .`" in text and "built differently" in text
