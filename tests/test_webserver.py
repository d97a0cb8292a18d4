"""The webserver measured end to end with real Docker: built, started on a private network, checked
against the local DNS and HTTPS peers; and the faults around that network (a peer that cannot start,
a name clash, the daemon going away, a run killed mid-check).

One CI-sized variant is measured (scratch, static glibc, rustls with ring, hickory, compiled-in
roots). It uses the cache of real measurements (.cache), so only the first run on a machine is cold.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from labelled import labelled
from rows import empty_datasets

from cheatsheet.containers import OWNER_LABEL, ContainerError, RunResources, sweep_leftovers
from cheatsheet.docker import DockerUnavailable
from cheatsheet.netcheck import NetCheckError, TestNetwork, parse_startup
from cheatsheet.tables import read_table

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache"  # the cache a real measurement uses: warm where one ran before
VARIANT = "webserver/scratch-glibc-rustls-ring"
PEERS_IMAGE = "cheatsheet/testpeers:peers"
SERVER_IMAGE = "cheatsheet/webserver:scratch-glibc-rustls-ring"


def make_workdir(tmp: Path) -> Path:
    empty_datasets(tmp, ("images", "base_images"))
    return tmp


def measure_command(workdir: Path, *args: str) -> list[str]:
    return [
        sys.executable, str(REPO / "scripts" / "measure.py"), "--csv", str(workdir / "measurements" / "images.csv"),
        "--cache-dir", str(CACHE), "--only", VARIANT, *args,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    workdir = make_workdir(tmp_path_factory.mktemp("webserver"))
    proc = subprocess.run(measure_command(workdir, "--no-cache"), capture_output=True, text=True, timeout=3000)
    return workdir, proc


pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_parse_startup_reads_the_programs_line():
    line = (
        "webserver tls=rustls-ring roots=compiled-in anchors=121 roots_from=webpki-roots:120,/run/ca.pem:1 "
        "resolver=hickory allocator=system listen=0.0.0.0:8080"
    )
    info = parse_startup(line)
    assert info["anchors"] == "121" and info["roots_from"] == "webpki-roots:120,/run/ca.pem:1"
    assert info["resolver"] == "hickory" and info["tls"] == "rustls-ring"


def test_the_webserver_is_built_started_and_verified_against_the_local_peers(measured):
    workdir, proc = measured
    assert proc.returncode == 0, proc.stderr
    row = {r["variant"]: r for r in read_table(workdir / "measurements" / "images.csv").rows}[
        "scratch-glibc-rustls-ring"
    ]
    assert row["runs"] == "yes", row["failure"]
    assert (row["health"], row["resolves"], row["proxies"]) == ("yes", "yes", "yes")
    assert (row["tls"], row["dns"], row["roots"]) == ("rustls-ring", "hickory", "compiled-in")
    # webpki-roots' anchors plus the one test CA handed over with EXTRA_ROOTS_FILE
    assert row["trust_anchors"] > 100
    assert row["anchors_from"].startswith("webpki-roots:") and row["anchors_from"].endswith(":1")
    assert row["image_bytes"] == row["binary_bytes"] > 1_000_000  # scratch: the image is the binary
    assert "verifying on a private network against the local peers" in proc.stderr
    # what the run created for the check is gone
    assert labelled("container") == [] and labelled("network") == [] and labelled("volume") == []


def test_the_base_image_facts_are_recorded(measured):
    workdir, proc = measured
    assert proc.returncode == 0, proc.stderr
    facts = {r["base"]: r for r in read_table(workdir / "measurements" / "base_images.csv").rows}
    scratch = facts["scratch"]
    assert scratch["files"] == 0 and scratch["ca_bundle"] == "" and scratch["shell"] == ""
    assert scratch["base_source"] == "none" and scratch["passwd"] == "no"


def test_a_second_run_with_nothing_changed_is_read_from_the_cache(measured):
    workdir, first = measured
    assert first.returncode == 0, first.stderr
    proc = subprocess.run(measure_command(workdir), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "cached" in proc.stderr and "verifying" not in proc.stderr


def run_containers(run_owner: str) -> list[str]:
    """The containers (running or not) a run started, by the owner label it puts on each."""
    proc = subprocess.run(
        ["docker", "ps", "--all", "--quiet", "--filter", f"label={OWNER_LABEL}={run_owner}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return proc.stdout.split()


def test_sigkill_in_the_middle_of_a_check_leaves_the_csv_whole_and_the_next_run_sweeps(measured, tmp_path):
    workdir, first = measured
    assert first.returncode == 0, first.stderr
    csv = workdir / "measurements" / "images.csv"
    before = csv.read_bytes()
    child = subprocess.Popen(
        measure_command(workdir, "--no-cache"), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert child.stderr is not None
    deadline = time.monotonic() + 600
    for line in child.stderr:
        if "verifying on a private network" in line:
            break
        assert time.monotonic() < deadline, "the run never reached the server check"
    # Kill as soon as the run's first container exists: the check is under way and its row unwritten.
    # (A fixed sleep raced: on a fast machine the whole check was over, and the row written, first.)
    child_owner = f"{socket.gethostname()}:{child.pid}"
    while not run_containers(child_owner):
        assert time.monotonic() < deadline, "the run started no container"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert csv.read_bytes() == before
    read_table(csv)  # still valid
    left = labelled("container") + labelled("network") + labelled("volume")
    assert left, "a killed run leaves its labelled containers and network behind"
    removed = sweep_leftovers(log=lambda _m: None)
    assert removed >= 1  # (a container started with --rm may have gone by itself in between)
    assert labelled("container") == [] and labelled("network") == [] and labelled("volume") == []


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


def test_a_peer_that_cannot_start_is_one_clear_error_and_nothing_is_left(empty_image):
    with pytest.raises(NetCheckError) as exc, TestNetwork(empty_image, log=lambda _m: None):
        pass
    message = str(exc.value)
    assert "\n" not in message and "test CA" in message
    assert labelled("container") == [] and labelled("network") == [] and labelled("volume") == []


def test_a_network_name_clash_is_a_clear_error():
    res = RunResources("cheatsheet-test-clash", log=lambda _m: None)
    taken = f"{res.name}-net"
    subprocess.run(["docker", "network", "create", "--internal", taken], check=True, capture_output=True)
    try:
        with res, pytest.raises(ContainerError, match=f"creating network {taken} failed: .*already exists"):
            res.network()
    finally:
        subprocess.run(["docker", "network", "rm", taken], capture_output=True)
    assert labelled("network") == []


def test_the_daemon_going_away_mid_check_is_a_clear_error_and_cleanup_still_runs(measured, monkeypatch):
    _workdir, first = measured
    assert first.returncode == 0, first.stderr
    with TestNetwork(PEERS_IMAGE, log=lambda _m: None) as net:
        monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
        with pytest.raises(DockerUnavailable, match="cannot reach the Docker daemon"):
            net.check(SERVER_IMAGE, "compiled-in")
        monkeypatch.delenv("DOCKER_HOST")
    assert labelled("container") == [] and labelled("network") == [] and labelled("volume") == []
    assert os.environ.get("DOCKER_HOST") is None
