"""cheatsheet.measure.netcheck: the private network with the DNS and HTTPS peers a server is checked
against, and its faults (a peer that cannot start, the daemon going away mid-check)."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile

import pytest
from support import PEERS_IMAGE, WEBSERVER_IMAGE, nothing_labelled_left

from cheatsheet.measure.docker import DockerUnavailable
from cheatsheet.measure.netcheck import NetCheckError, TestNetwork, parse_startup


def test_parse_startup_reads_the_programs_line():
    line = (
        "webserver tls=rustls-ring roots=compiled-in anchors=121 roots_from=webpki-roots:120,/run/ca.pem:1 "
        "resolver=hickory allocator=system listen=0.0.0.0:8080"
    )
    info = parse_startup(line)
    assert info["anchors"] == "121" and info["roots_from"] == "webpki-roots:120,/run/ca.pem:1"
    assert info["resolver"] == "hickory" and info["tls"] == "rustls-ring"


@pytest.fixture
def empty_image():
    """An image with an empty filesystem: every command in it fails to start."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w"):
        pass
    tag = "cheatsheet-test/empty:latest"
    subprocess.run(["docker", "import", "-", tag], input=buf.getvalue(), check=True, capture_output=True)
    yield tag
    subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True)


@pytest.mark.docker
def test_a_peer_that_cannot_start_is_one_clear_error_and_nothing_is_left(empty_image):
    with pytest.raises(NetCheckError) as exc, TestNetwork(empty_image, log=lambda _m: None):
        pass
    message = str(exc.value)
    assert "\n" not in message and "test CA" in message
    assert nothing_labelled_left()


@pytest.mark.docker
@pytest.mark.slow
def test_the_daemon_going_away_mid_check_is_a_clear_error_and_cleanup_still_runs(webserver, monkeypatch):
    _workdir, first = webserver  # builds the peers' image and the server's
    assert first.returncode == 0, first.stderr
    with TestNetwork(PEERS_IMAGE, log=lambda _m: None) as net:
        monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        with pytest.raises(DockerUnavailable, match="cannot reach the Docker daemon"):
            net.check(WEBSERVER_IMAGE, "compiled-in")
        monkeypatch.delenv("DOCKER_HOST")
    assert nothing_labelled_left()
    assert os.environ.get("DOCKER_HOST") is None
