"""Is the machine quiet? CPU time spent by others than the benchmark, steal, and where a container's
CPU time and peak memory are read (cgroup v1 or v2)."""

from __future__ import annotations

import os
import platform
import resource
import time
from dataclasses import dataclass
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuSample:
    """Machine-wide CPU seconds from /proc/stat at one moment."""

    at: float  # time.monotonic()
    busy: float  # user, nice, system, irq, softirq (guest time is inside user)
    steal: float
    total: float


def cpu_sample(stat: Path = Path("/proc/stat")) -> CpuSample:
    fields = [int(x) for x in stat.read_text().splitlines()[0].split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields
    ticks = float(CLOCK_TICKS)
    return CpuSample(
        at=time.monotonic(),
        busy=(user + nice + system + irq + softirq) / ticks,
        steal=steal / ticks,
        total=(user + nice + system + idle + iowait + irq + softirq + steal) / ticks,
    )


def own_cpu_seconds() -> float:
    """CPU seconds of this process and of the children it has waited for (wrk, taskset)."""
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


@dataclass(frozen=True)
class Quietness:
    """What else ran while a measurement ran: others' share of all CPUs, and steal (in percent)."""

    foreign_pct: float
    steal_pct: float


def quietness(before: CpuSample, after: CpuSample, ours: float) -> Quietness:
    """Others' CPU use between two samples, given the CPU seconds ``ours`` that the benchmark itself used
    (the server container, the load generator and this process)."""
    capacity = max(after.total - before.total, 1e-9)
    foreign = max(0.0, (after.busy - before.busy) - ours)
    return Quietness(100 * foreign / capacity, 100 * (after.steal - before.steal) / capacity)


def disturbance(q: Quietness, max_foreign_pct: float, max_steal_pct: float) -> str:
    """Why a measured interval cannot stand for the machine (an empty string when it can): other
    processes used more of it than ``max_foreign_pct``, or the hypervisor took (steal) more than
    ``max_steal_pct``. Steal is CPU time the virtual machine was ready to run but not given: on a
    shared host it slows whichever variant is being loaded at that moment, and nothing here sees it
    except this counter."""
    reasons = []
    if q.foreign_pct > max_foreign_pct:
        reasons.append(f"other processes used {q.foreign_pct:.1f}% of the machine (limit {max_foreign_pct:g}%)")
    if q.steal_pct > max_steal_pct:
        reasons.append(f"the hypervisor took {q.steal_pct:.1f}% (steal; limit {max_steal_pct:g}%)")
    return "; ".join(reasons)


def load_average() -> float:
    return os.getloadavg()[0]


def _first_readable(paths: tuple[str, ...]) -> str | None:
    for path in paths:
        try:
            return Path(path).read_text()
        except OSError:
            continue
    return None


def container_cpu_seconds(container_id: str) -> float | None:
    """CPU seconds a container has used so far (cgroup v1 cpuacct, or v2 cpu.stat)."""
    v1 = _first_readable((f"/sys/fs/cgroup/cpuacct/docker/{container_id}/cpuacct.usage",))
    if v1 is not None:
        return int(v1.split()[0]) / 1e9
    v2 = _first_readable(
        (
            f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/cpu.stat",
            f"/sys/fs/cgroup/docker/{container_id}/cpu.stat",
        )
    )
    if v2 is not None:
        for line in v2.splitlines():
            key, _, value = line.partition(" ")
            if key == "usage_usec":
                return int(value) / 1e6
    return None


def container_throttled(container_id: str) -> int | None:
    """How many CFS periods the container was throttled in (0 without a CPU quota)."""
    text = _first_readable(
        (
            f"/sys/fs/cgroup/cpu/docker/{container_id}/cpu.stat",
            f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/cpu.stat",
            f"/sys/fs/cgroup/docker/{container_id}/cpu.stat",
        )
    )
    if text is None:
        return None
    for line in text.splitlines():
        key, _, value = line.partition(" ")
        if key == "nr_throttled":
            return int(value)
    return None


def peak_memory(container_id: str) -> int | None:
    """The container's peak memory use from its cgroup (v1 or v2), or None where it can't be read."""
    text = _first_readable(
        (
            f"/sys/fs/cgroup/memory/docker/{container_id}/memory.max_usage_in_bytes",
            f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/memory.peak",
            f"/sys/fs/cgroup/docker/{container_id}/memory.peak",
        )
    )
    try:
        return int(text.split()[0]) if text else None
    except (ValueError, IndexError):
        return None


def host_provenance() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu_model": model or platform.processor() or "unknown",
        "cores": str(os.cpu_count() or 0),
        "kernel": platform.release(),
    }
