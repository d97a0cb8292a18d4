"""cheatsheet.measure.docker: the one way the project talks to Docker, and one error for a daemon it
cannot reach."""

from __future__ import annotations

import subprocess
import time

import pytest

from cheatsheet.measure.docker import (
    DockerError,
    DockerUnavailable,
    docker,
    inspect_image,
    last_line,
    must,
    server_version,
)


@pytest.mark.timing
def test_an_unreachable_daemon_is_one_quick_error_naming_it(tmp_path, monkeypatch):
    sock = tmp_path / "no-such-dir" / "docker.sock"
    monkeypatch.setenv("DOCKER_HOST", f"unix://{sock}")
    started = time.monotonic()
    with pytest.raises(DockerUnavailable) as info:
        server_version()
    assert time.monotonic() - started < 10
    assert f"cannot reach the Docker daemon at unix://{sock}" in str(info.value)
    with pytest.raises(DockerUnavailable, match="cannot reach the Docker daemon"):
        docker("image", "inspect", "scratch")


def test_must_gives_the_output_or_one_line_saying_what_failed():
    ok = subprocess.CompletedProcess(["docker"], 0, stdout=" abc \n", stderr="")
    assert must(ok, "listing") == "abc"
    failed = subprocess.CompletedProcess(["docker"], 1, stdout="", stderr="first\nError: no such thing\n\n")
    with pytest.raises(DockerError, match=r"^listing failed: Error: no such thing$"):
        must(failed, "listing")
    assert last_line(b"one\ntwo\n") == "two"


@pytest.mark.docker
def test_the_engine_answers_and_a_missing_image_is_none():
    assert server_version()
    assert inspect_image("cheatsheet-test/no-such-image:x") is None
