"""Issue 10, item 4: every variant offers a complete Dockerfile whose last stage is the measured one."""

from __future__ import annotations

import re

import pytest

from cheatsheet.recipes import BUILD_DIR, BUILD_STAGE, BUILDER_IMAGE, dockerfile, full_dockerfile, load_recipes
from cheatsheet.site import Site

VARIANTS = load_recipes().variants
IDS = [f"{v.program.id}/{v.id}" for v in VARIANTS]


def instructions(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def stages(text: str) -> list[list[str]]:
    """The instructions of each stage; the first list holds what stands before the first FROM."""
    out: list[list[str]] = [[]]
    for line in instructions(text):
        if line.startswith("FROM "):
            out.append([])
        out[-1].append(line)
    return out


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_the_last_stage_is_the_measured_dockerfile(variant):
    """Equal to dockerfile(variant) but for the two changes a multi-stage file needs, and only those:
    ARG BASE stands before the first FROM, and COPY takes the binary from the build stage."""
    measured = instructions(dockerfile(variant))
    preamble, _, runtime = stages(full_dockerfile(variant))
    binary, triple = variant.program.binary, variant.target.triple
    copy_measured = f"COPY {binary} /{binary}"
    copy_full = f"COPY --from={BUILD_STAGE} {BUILD_DIR}/target/{triple}/release/{binary} /{binary}"
    args = [line for line in measured if line.startswith("ARG ")]
    assert preamble == args
    assert [copy_full if line == copy_measured else line for line in measured if line not in args] == runtime
    assert copy_measured in measured and copy_full in runtime


@pytest.mark.parametrize("variant", VARIANTS, ids=IDS)
def test_the_build_stage_builds_the_binary_with_the_measured_command(variant):
    _, build, _ = stages(full_dockerfile(variant))
    if variant.arch == "amd64":
        assert build[0] == f"FROM {BUILDER_IMAGE} AS {BUILD_STAGE}"
    else:  # cross-compiled on the builder's own platform, checked to be built for the variant's
        assert build[0] == f"FROM --platform=$BUILDPLATFORM {BUILDER_IMAGE} AS {BUILD_STAGE}"
        assert build[1] == "ARG TARGETARCH" and f'"$TARGETARCH" = {variant.arch}' in build[2]
        assert f"--platform linux/{variant.arch}" in full_dockerfile(variant)
    assert f"RUN {variant.build_command()}" in build
    assert build.index(f"WORKDIR {BUILD_DIR}") < build.index("COPY . .") < build.index(f"RUN {variant.build_command()}")
    added = [line for line in build if line.startswith("RUN rustup target add")]
    if variant.target.triple == "x86_64-unknown-linux-gnu":
        assert added == []
    else:  # musl: the reader's usual way, and a line saying the measured binary was built otherwise
        assert added == [f"RUN rustup target add {variant.target.triple}"]
    text = full_dockerfile(variant)
    if variant.target.toolchain != "rustup":
        assert "built differently" in text and "-Zbuild-std" in text
    assert "Only the last stage (runtime) was measured here" in text
    assert "# Runtime stage: the stage measured here." in text


def test_the_builder_image_is_pinned_by_digest():
    assert re.fullmatch(r"rust:1\.95\.0-bookworm@sha256:[0-9a-f]{64}", BUILDER_IMAGE)


def test_the_page_shows_the_full_dockerfile_first_and_the_measured_stage_byte_for_byte():
    site = Site()
    site.start_page("test.md")
    variant = VARIANTS[0]
    shown = site.dockerfile(variant.program.id, variant.id)
    assert shown.index('=== "Full Dockerfile"') < shown.index('=== "Measured stage"')
    body = "\n".join(line.removeprefix("    ") for line in shown.splitlines())
    assert full_dockerfile(variant) in body and dockerfile(variant) in body
