"""cheatsheet.measure.verbatim with the real Docker engine: a full Dockerfile built unchanged, by the
builder image its FROM line names, and its image checked like the measured one."""

from __future__ import annotations

from cheatsheet.data.schema import Schema
from cheatsheet.data.table import read_table
from cheatsheet.measure.docker import inspect_image
from cheatsheet.recipes.dockerfile import BUILDER_IMAGE, dockerfile_sha256


def test_a_full_dockerfile_is_built_as_shown_and_runs_unprivileged(verbatim_run, recipes):
    out, run = verbatim_run
    result = run.result()
    assert result.returncode == 0, result.stderr[-3000:]
    table = read_table(out / "dockerfile_builds.csv", Schema.load(out / "dockerfile_builds.schema.json"))
    (row,) = table.rows
    variant = recipes.variant("hello-world", "scratch-glibc")
    assert (row["program"], row["variant"], row["dockerfile_sha256"]) == (
        "hello-world",
        "scratch-glibc",
        dockerfile_sha256(variant),
    )
    assert (row["built"], row["runs"], row["failure"]) == ("yes", "yes", "")
    assert row["runs_as"] == "65532:65532"  # the USER line, and the check passed as that user
    assert row["builder"] == BUILDER_IMAGE and row["builder_source"] in ("made-here", "pulled")
    builder = inspect_image(BUILDER_IMAGE)
    assert builder is not None and builder["Id"] == row["builder_id"]
    assert {"RUSTUP_HOME=/usr/local/rustup", "CARGO_HOME=/usr/local/cargo"} <= set(builder["Config"]["Env"]) or row[
        "builder_source"
    ] == "pulled"
    # scratch + one static binary: the image is the binary
    assert row["image_bytes"] == row["binary_bytes"] > 100_000
    assert row["build_seconds"] > 0
