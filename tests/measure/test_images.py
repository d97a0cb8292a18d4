"""cheatsheet.measure.images: an image built, inspected once and saved once; its layers gzip'd; its
config declaring the variant's architecture. And the arm64 smoke measurement: an image cross-built,
measured and run under real user-mode emulation."""

from __future__ import annotations

import gzip
import io
import os
import tarfile

import pytest
from support import docker

from cheatsheet.data.table import read_table
from cheatsheet.measure.context import image_tag
from cheatsheet.measure.docker import inspect_image
from cheatsheet.measure.emulation import cannot_run
from cheatsheet.measure.errors import MeasureError
from cheatsheet.measure.images import declare_architecture, gzip_size, layers_gzip_size, save
from cheatsheet.paths import CACHE

ARM64_IMAGE = image_tag(CACHE, "hello-world", "scratch-musl-arm64")  # what the arm64_run fixture measures


def test_gzip_size_counts_the_bytes_of_a_reproducible_gzip():
    data = b"hello, world\n" * 1000
    assert gzip_size(io.BytesIO(data)) == len(gzip.compress(data, compresslevel=6, mtime=0))
    assert gzip_size(io.BytesIO(data)) == gzip_size(io.BytesIO(data))


def test_the_layers_of_a_saved_image_are_gzipd_one_by_one(tmp_path):
    layers = {"a/layer.tar": b"a" * 10_000, "b/layer.tar": os.urandom(5_000)}
    saved = tmp_path / "saved.tar"
    with tarfile.open(saved, "w") as tar:
        for name, data in {"manifest.json": b'[{"Layers": ["a/layer.tar", "b/layer.tar"]}]', **layers}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    assert layers_gzip_size(saved) == sum(gzip_size(io.BytesIO(d)) for d in layers.values())


@pytest.mark.docker
def test_a_from_scratch_image_is_declared_arm64_with_its_layers_unchanged(tmp_path):
    (tmp_path / "payload").write_bytes(b"\x7fELF not really a program\n")
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY payload /payload\n")
    tag = "cheatsheet-test/arch:declared"
    assert docker("build", "--quiet", "--tag", tag, str(tmp_path)).returncode == 0
    try:
        before = inspect_image(tag)
        save(tag, tmp_path / "saved.tar")
        after = declare_architecture(tag, "arm64", tmp_path / "saved.tar", tmp_path / "image.tar")
        assert after == inspect_image(tag)
        assert (after["Architecture"], after.get("Variant")) == ("arm64", "v8")
        assert after["RootFS"]["Layers"] == before["RootFS"]["Layers"] and after["Size"] == before["Size"]
        save(tag, tmp_path / "again.tar")  # already so: the same config, so the same image
        again = declare_architecture(tag, "arm64", tmp_path / "again.tar", tmp_path / "image-again.tar")
        assert again["Id"] == after["Id"]
        with pytest.raises(MeasureError, match="no-such-image"):
            save("cheatsheet-test/no-such-image:x", tmp_path / "missing.tar")
    finally:
        docker("rmi", "--force", tag)


@pytest.mark.docker
@pytest.mark.slow
def test_smoke_an_arm64_image_is_cross_built_measured_and_run_under_emulation(arm64_run):
    """The real thing, CI-sized: hello-world for aarch64 musl (std rebuilt for aarch64), FROM scratch,
    declared arm64, run under qemu-user-static; its row says arm64 on an x86-64 host."""
    why = cannot_run("arm64")
    assert not why, f"this machine cannot run arm64 images ({why}); run scripts/setup.sh test as root"
    out, run = arm64_run
    proc = run.result()
    assert proc.returncode == 0, proc.stderr[-3000:]
    [row] = read_table(out / "images.csv").rows
    assert (row["variant"], row["arch"], row["host_arch"]) == ("scratch-musl-arm64", "arm64", "amd64")
    assert row["runs"] == "yes" and row["target"] == "aarch64-unknown-linux-musl"
    assert row["toolchain"] == "debian-build-std" and row["image_bytes"] == row["binary_bytes"] > 100_000
    image = inspect_image(ARM64_IMAGE)
    assert (image["Architecture"], image.get("Variant")) == ("arm64", "v8")
    ran = docker("run", "--rm", ARM64_IMAGE)
    assert ran.stdout == b"Hello, world!\n"
    [facts] = read_table(out / "base_images.csv").rows  # the scratch base's facts, for arm64
    assert (facts["base"], facts["arch"], facts["files"]) == ("scratch", "arm64", 0)
