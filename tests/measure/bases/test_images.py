"""cheatsheet.measure.bases.images: a base image made usable as a FROM here (present locally, pulled by
digest, or bootstrapped), against the real Docker daemon; nothing under test is mocked."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import time

import pytest

from cheatsheet.measure.bases.images import BaseImage, BaseUnavailable, DockerUnavailable, ensure_base
from cheatsheet.recipes import load_recipes
from cheatsheet.recipes.model import BaseSpec

SPECS = load_recipes().bases


def _quiet(_: str) -> None:
    pass


def test_scratch_needs_nothing(tmp_path: pathlib.Path) -> None:
    img = ensure_base(SPECS["scratch"], tmp_path, log=_quiet)
    assert img == BaseImage(
        name="scratch",
        ref="scratch",
        image_id="",
        source="none",
        digest="",
        size=0,
        detail=img.detail,
    )
    assert img.detail


@pytest.mark.timing
def test_docker_host_nowhere_gives_docker_unavailable(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shutil.which("docker") is None:
        pytest.skip("no docker CLI")
    sock = tmp_path / "no-such-dir" / "docker.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{sock}")
    started = time.monotonic()
    with pytest.raises(DockerUnavailable) as info:
        ensure_base(SPECS["distroless-static"], tmp_path, log=_quiet)
    assert time.monotonic() - started < 10
    message = str(info.value)
    assert "Docker daemon" in message
    assert str(sock) in message


@pytest.mark.docker
def test_alpine_without_pull_is_unavailable_and_names_the_ref(tmp_path: pathlib.Path) -> None:
    spec = SPECS["alpine"]
    if subprocess.run(["docker", "image", "inspect", spec.pull], check=False, capture_output=True).returncode == 0:
        pytest.skip("alpine is present locally")
    with pytest.raises(BaseUnavailable) as info:
        ensure_base(spec, tmp_path, log=_quiet, allow_pull=False)
    message = str(info.value)
    assert spec.pull in message
    assert "no bootstrap recipe" in message
    assert message.startswith("alpine:")


@pytest.mark.docker
@pytest.mark.timing
def test_alpine_pull_failure_is_quick_and_names_the_ref(tmp_path: pathlib.Path) -> None:
    spec = SPECS["alpine"]
    started = time.monotonic()
    try:
        img = ensure_base(spec, tmp_path, log=_quiet)
    except BaseUnavailable as exc:
        assert spec.pull in str(exc)
        assert "cannot pull" in str(exc)
        assert time.monotonic() - started < 10
    else:  # a machine that can reach the registry
        assert img.source == "pulled"
        assert img.ref == spec.pull
        assert img.digest == spec.pull.split("@", 1)[1]


@pytest.mark.docker
def test_local_image_matching_the_pull_ref_is_used(tmp_path: pathlib.Path) -> None:
    # Any locally present reference counts as "already pulled"; use scratch-built one-file image.
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "marker").write_text("x\n")
    (ctx / "Dockerfile").write_text("FROM scratch\nCOPY marker /marker\n")
    tag = "cheatsheet-test/bases-local:1"
    subprocess.run(["docker", "build", "-q", "-t", tag, str(ctx)], check=True, capture_output=True)
    try:
        img = ensure_base(BaseSpec("local", tag, ""), tmp_path, log=_quiet)
        assert img.source == "pulled"
        assert img.ref == tag
        assert img.image_id.startswith("sha256:")
        assert img.size == 2
    finally:
        subprocess.run(["docker", "rmi", "-f", tag], check=False, capture_output=True)
