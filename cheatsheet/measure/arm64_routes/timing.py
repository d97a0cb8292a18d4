"""Timing one bounded build: on the host (a session of its own, killed whole at the bound) or in a
container (removed at the bound), with its CPU seconds and what the rest of the machine did meanwhile."""

from __future__ import annotations

import os
import re
import resource
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..bench.host import CpuSample, cpu_sample, load_average, quietness
from ..containers import RunResources

#: What the builder container's shell prints after the build: its cgroup's CPU counter.
CPU_MARK = "@cgroup-cpu"
SAMPLE_EVERY = 5.0


def cgroup_cpu_seconds(output: str) -> float | None:
    """The container's CPU seconds from the line its shell printed after the build
    (``@cgroup-cpu ns N``: cgroup v1's cpuacct.usage; ``@cgroup-cpu usec N``: v2's usage_usec), or None."""
    for line in reversed(output.splitlines()):
        match = re.fullmatch(rf"{CPU_MARK} (ns|usec) ([0-9]+)", line.strip())
        if match:
            return int(match.group(2)) / (1e9 if match.group(1) == "ns" else 1e6)
    return None


#: The shell lines after the build in the container: print the cgroup's CPU counter, keep cargo's status.
CPU_SCRIPT = (
    "rc=$?; "
    "if [ -r /sys/fs/cgroup/cpuacct/cpuacct.usage ]; then "
    f'echo "{CPU_MARK} ns $(cat /sys/fs/cgroup/cpuacct/cpuacct.usage)"; '
    "elif [ -r /sys/fs/cgroup/cpu.stat ]; then "
    f"echo \"{CPU_MARK} usec $(sed -n 's/^usage_usec //p' /sys/fs/cgroup/cpu.stat)\"; "
    "fi; exit $rc"
)


@dataclass(frozen=True)
class Timed:
    """One bounded build: how it ended (built, failed, timed-out), its wall and CPU seconds, its output."""

    outcome: str
    wall: float
    cpu: float | None
    output: str
    others_pct: float | None = None  # others' share of all CPUs meanwhile, percent
    load: float | None = None  # the mean one-minute load average meanwhile


class MachineWatch:
    """What the machine did during a build: /proc/stat before and after, the load average every few seconds."""

    def __init__(self, every: float = SAMPLE_EVERY):
        self.every = every
        self.loads: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.before: CpuSample | None = None

    def _sample(self) -> None:
        while True:
            self.loads.append(load_average())
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> MachineWatch:
        self.before = cpu_sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def result(self, ours: float | None) -> tuple[float | None, float | None]:
        """(others' share of all CPUs in percent, given our CPU seconds ``ours``; the mean load average)."""
        load = round(sum(self.loads) / len(self.loads), 2) if self.loads else None
        if ours is None or self.before is None:
            return None, load
        return round(quietness(self.before, cpu_sample(), ours).foreign_pct, 1), load


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_bounded(argv: Sequence[str], *, cwd: Path, env: Mapping[str, str], timeout: float, log_path: Path) -> Timed:
    """Run a build on the host in a session of its own, output to ``log_path``; on timeout the whole
    session (cargo and every compiler it started) is killed and the outcome is ``timed-out``."""
    with open(log_path, "w") as log, MachineWatch() as watch:
        log.write(f"$ {shlex.join(argv)}\n")
        log.flush()
        t0, cpu0 = time.monotonic(), _children_cpu()
        proc = subprocess.Popen(
            list(argv), cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
        wall, cpu = time.monotonic() - t0, _children_cpu() - cpu0
    output = log_path.read_text(errors="replace")
    if code is None:
        return Timed("timed-out", wall, None, output, *watch.result(None))
    others, load = watch.result(cpu)
    return Timed("built" if code == 0 else "failed", wall, cpu, output, others, load)


def run_in_container(
    image: str, script: str, *, options: Sequence[str], timeout: float, log_path: Path, log: Callable[[str], None]
) -> Timed:
    """Run ``script`` with ``sh -c`` in a labelled container of ``image`` (removed afterwards, and on a
    timeout); the CPU seconds are the container's cgroup's, printed after the build (:data:`CPU_SCRIPT`)."""
    with RunResources("cheatsheet-arm64-build", log) as res, MachineWatch() as watch:
        t0 = time.monotonic()
        proc = res.run(image, ["sh", "-c", f"{script}; {CPU_SCRIPT}"], options=options, timeout=timeout)
        wall = time.monotonic() - t0
    log_path.write_text(f"$ sh -c {shlex.quote(script)}\n{proc.stdout}{proc.stderr}")
    kept = "".join(ln for ln in proc.stdout.splitlines(keepends=True) if not ln.startswith(CPU_MARK))
    output = f"$ sh -c {shlex.quote(script)}\n{kept}{proc.stderr}"
    if proc.returncode == 124 and proc.stderr.startswith("did not finish within"):
        return Timed("timed-out", wall, None, output, *watch.result(None))
    cpu = cgroup_cpu_seconds(proc.stdout)
    others, load = watch.result(cpu)
    return Timed("built" if proc.returncode == 0 else "failed", wall, cpu, output, others, load)
