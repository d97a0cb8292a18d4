"""cheatsheet.measure.arm64_routes.timing: a bounded build is stopped whole at its bound, reports how it
ended with its wall and CPU time, and the container's CPU counter is read from what its shell printed."""

from __future__ import annotations

import os
import time

import pytest

from cheatsheet.measure.arm64_routes.timing import cgroup_cpu_seconds, run_bounded


@pytest.mark.parametrize(
    ("output", "seconds"),
    [
        ("Compiling webserver\nFinished\n@cgroup-cpu ns 123450000000\n", 123.45),  # cgroup v1: nanoseconds
        ("@cgroup-cpu usec 2500000\n", 2.5),  # cgroup v2: microseconds
        ("error: could not compile\n", None),  # no counter printed
        ("@cgroup-cpu ns \n", None),  # the counter could not be read
    ],
)
def test_the_container_cpu_counter_is_read_from_its_last_line(output, seconds):
    assert cgroup_cpu_seconds(output) == seconds


def test_a_bounded_build_that_overruns_is_stopped_with_everything_it_started(tmp_path):
    pidfile = tmp_path / "child.pid"
    script = f"sleep 60 & echo $! > {pidfile}; wait"
    t0 = time.monotonic()
    timed = run_bounded(["sh", "-c", script], cwd=tmp_path, env=os.environ, timeout=1, log_path=tmp_path / "log")
    assert timed.outcome == "timed-out" and timed.cpu is None
    assert time.monotonic() - t0 < 30
    child = int(pidfile.read_text())
    for _ in range(50):  # the grandchild was killed with the session; give the kernel a moment to reap it
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the build's child {child} outlived its bound")
    assert timed.output.startswith("$ sh -c ")


def test_a_bounded_build_that_finishes_reports_its_outcome_and_time(tmp_path):
    ok = run_bounded(["sh", "-c", "echo built"], cwd=tmp_path, env=os.environ, timeout=30, log_path=tmp_path / "a")
    assert ok.outcome == "built" and "built" in ok.output and ok.cpu is not None and ok.wall < 30
    assert ok.load is not None and ok.others_pct is not None
    bad = run_bounded(["sh", "-c", "echo 'error: no'; exit 3"], cwd=tmp_path, env=os.environ, timeout=30,
                      log_path=tmp_path / "b")  # fmt: skip
    assert bad.outcome == "failed"
