"""cheatsheet.measure.containers: what a run creates is labelled with its owner, removed when the run
ends, and swept by the next run after a kill; a live concurrent run's resources are never touched."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from support import labelled, measure_webserver_command, nothing_labelled_left

from cheatsheet.data.table import read_table
from cheatsheet.measure.containers import OWNER_LABEL, RunResources, orphaned, owner, owner_alive, sweep_leftovers
from cheatsheet.measure.docker import DockerError


def test_an_owner_is_a_live_process_of_this_host():
    assert owner_alive(owner())
    host = socket.gethostname()
    assert not owner_alive(f"{host}:999999999")  # no such process
    assert not owner_alive(f"another-host-{host}:1") and not owner_alive("malformed")


@pytest.mark.docker
def test_a_network_name_clash_is_a_clear_error():
    res = RunResources("cheatsheet-test-clash", log=lambda _m: None)
    taken = f"{res.name}-net"
    subprocess.run(["docker", "network", "create", "--internal", taken], check=True, capture_output=True)
    try:
        with res, pytest.raises(DockerError, match=f"creating network {taken} failed: .*already exists"):
            res.network()
    finally:
        subprocess.run(["docker", "network", "rm", taken], capture_output=True)
    assert labelled("network") == []


def run_containers(run_owner: str) -> list[str]:
    """The containers (running or not) a run started, by the owner label it puts on each."""
    proc = subprocess.run(
        ["docker", "ps", "--all", "--quiet", "--filter", f"label={OWNER_LABEL}={run_owner}"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return proc.stdout.split()


@pytest.mark.docker
@pytest.mark.slow
def test_sigkill_in_the_middle_of_a_check_leaves_the_csv_whole_and_the_next_run_sweeps(webserver):
    workdir, first = webserver
    assert first.returncode == 0, first.stderr
    csv = workdir / "measurements" / "images.csv"
    before = csv.read_bytes()
    child = subprocess.Popen(
        measure_webserver_command(workdir, "--no-cache"), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
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
    assert nothing_labelled_left()


def test_only_a_gone_process_of_this_host_leaves_orphans():
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip
    here = socket.gethostname()
    assert orphaned(f"{here}:{dead}")
    assert not orphaned(f"{here}:{os.getpid()}")
    assert not orphaned(f"another-host-sharing-the-engine:{dead}")  # may be alive: never judged from here
    assert not orphaned("no owner at all")
