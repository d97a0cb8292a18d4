"""The load rounds of the benchmark: each image serves on one CPU while wrk loads it from another.

Per round and image: the server starts in a container pinned to ``server_cpus`` (``--cpuset-cpus``,
no CPU quota: a quota slices time into periods and throttles a two-thread server in bursts), with
``--network host`` so that it listens on ``127.0.0.1`` only and nothing stands between it and the
load generator; wrk, pinned to ``load_cpus`` with ``taskset``, warms each endpoint up (not counted),
then drives ``/alloc`` (JSON parsed and serialised: allocator bound) and ``/cpu`` (arithmetic only:
the control) for a fixed time. The container's cgroup gives its peak memory and CPU time; /proc/stat
gives everybody else's CPU time over the same interval, so a round disturbed by other work is seen
in the data. Then the image is started several times to time start-up (``docker run`` to the first
good ``/health``). The order of the images rotates every round, so slow drift falls on all alike.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ...util import CommandError, run_command
from ..containers import RunResources, state
from ..docker import DockerError, docker
from .host import (
    Quietness,
    container_cpu_seconds,
    container_throttled,
    cpu_sample,
    disturbance,
    own_cpu_seconds,
    peak_memory,
    quietness,
)

WORKLOADS = ("alloc", "cpu")
LOAD_THREADS = 1
START_TIMEOUT = 20.0
# wrk's Lua hook: print the summary as one JSON line (latency in microseconds).
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.timeout + summary.errors.status
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, errors, latency:percentile(50), latency:percentile(99)))
end
"""


class BenchError(Exception):
    """The benchmark cannot run at all (no wrk, no Docker, a busy machine); the message is one line."""


@dataclass(frozen=True)
class Settings:
    rounds: int = 5  # at least this many rounds
    max_rounds: int = 9  # and more, up to this many, while a ratio's rounds spread wider than `spread`
    spread: float = 0.10
    duration_s: int = 10
    warmup_s: int = 3
    startup_per_round: int = 4
    connections: int = 16
    server_cpus: str = "1"
    load_cpus: str = "0"
    memory_bytes: int = 512 * 1024 * 1024
    workers: int = 2
    max_foreign_pct: float = 10.0  # a round where others used more of the machine than this is flagged
    max_steal_pct: float = 2.0  # ... or where the hypervisor took more than this (steal)
    attempts: int = 3  # times an interval is measured while it was disturbed, before it is kept (and flagged)


@dataclass
class Samples:
    """What one image gave over the rounds."""

    rps: dict[str, list[float]] = field(default_factory=lambda: {w: [] for w in WORKLOADS})
    p50_us: dict[str, list[float]] = field(default_factory=lambda: {w: [] for w in WORKLOADS})
    p99_us: dict[str, list[float]] = field(default_factory=lambda: {w: [] for w in WORKLOADS})
    rss_bytes: list[float] = field(default_factory=list)
    startup_ms: list[float] = field(default_factory=list)
    quiet: list[Quietness] = field(default_factory=list)
    throttled: int = 0
    failure: str = ""


def parse_wrk(output: str) -> dict[str, float]:
    """The JSON line WRK_REPORT prints, as numbers; requests per second computed from it."""
    for raw in reversed(output.splitlines()):
        line = raw.strip()
        if line.startswith("{") and line.endswith("}"):
            data = json.loads(line)
            seconds = data["duration_us"] / 1e6
            data["rps"] = data["requests"] / seconds if seconds > 0 else 0.0
            return data
    raise ValueError(f"wrk printed no summary: {output.strip()[-200:]!r}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_status(port: int, path: str, timeout: float = 2.0) -> int:
    """The status of GET ``path`` on 127.0.0.1:``port``; 0 when nothing answers."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except OSError:
        return 0
    finally:
        conn.close()


def cpus_of(spec: str) -> set[int]:
    """The CPU numbers of a cpuset string ("0", "1-3", "0,2")."""
    out: set[int] = set()
    for part in spec.split(","):
        low, _, high = part.partition("-")
        out.update(range(int(low), int(high or low) + 1))
    return out


def check_placement(settings: Settings) -> None:
    """BenchError unless the server's and the load generator's CPUs exist and are apart."""
    try:
        server, load = cpus_of(settings.server_cpus), cpus_of(settings.load_cpus)
    except ValueError:
        raise BenchError(
            f"CPU lists must look like 0 or 1-3 or 0,2, not {settings.server_cpus!r}/{settings.load_cpus!r}"
        ) from None
    available = os.sched_getaffinity(0)
    missing = sorted((server | load) - available)
    if missing:
        raise BenchError(
            f"CPU {', '.join(map(str, missing))} is not available here (this machine: {sorted(available)})"
        )
    if server & load:
        raise BenchError("the server and the load generator must run on different CPUs (--server-cpus, --load-cpus)")


def undisturbed(
    measure: Callable[[], tuple[dict[str, float], Quietness]],
    settings: Settings,
    retrying: Callable[[str, int], None] = lambda why, n: None,
) -> tuple[dict[str, float], Quietness]:
    """``measure()`` again while the interval it measured was disturbed (others' work or the
    hypervisor's steal beyond the limits), at most ``settings.attempts`` times in all; the last one is
    kept either way, with its quietness, so a run that never got a quiet interval says so in its rows."""
    for attempt in range(1, max(1, settings.attempts) + 1):
        result, quiet = measure()
        why = disturbance(quiet, settings.max_foreign_pct, settings.max_steal_pct)
        if not why or attempt >= settings.attempts:
            break
        retrying(why, attempt)
    return result, quiet


class Bench:
    """Interleaved load rounds over several images (see the module docstring)."""

    def __init__(self, settings: Settings, log: Callable[[str], None] = print):
        self.settings = settings
        self.log = log

    def _run_server(self, res: RunResources, image: str, suffix: str) -> tuple[str, int]:
        port = free_port()
        s = self.settings
        name = res.start(
            suffix,
            image,
            options=[
                "--network", "host",
                "--cpuset-cpus", s.server_cpus,
                "--memory", str(s.memory_bytes),
                "--memory-swap", str(s.memory_bytes),
                "--env", f"LISTEN=127.0.0.1:{port}",
                "--env", "UPSTREAM_URL=https://upstream.invalid",
                "--env", f"WORKERS={s.workers}",
            ],
        )  # fmt: skip
        return name, port

    def _wait_healthy(self, name: str, port: int, timeout: float = START_TIMEOUT) -> str:
        """An empty string once /health answers 200, else why not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if http_status(port, "/health", timeout=0.5) == 200:
                return ""
            status, code = state(name)
            if status != "running":
                return f"the container {status} with status {code} before answering /health"
            time.sleep(0.005)
        return f"/health did not answer 200 within {timeout:.0f} s"

    def startup_once(self, res: RunResources, image: str) -> float | str:
        """Milliseconds from `docker run` to the first 200 from /health, or the failure."""
        t0 = time.monotonic()
        try:
            name, port = self._run_server(res, image, "startup")
        except DockerError as exc:
            return str(exc)
        try:
            why = self._wait_healthy(name, port)
            return why if why else (time.monotonic() - t0) * 1000
        finally:
            res.remove(name)

    def _wrk(self, script: Path, port: int, workload: str, seconds: int) -> dict[str, float]:
        s = self.settings
        proc = run_command(
            ["taskset", "--cpu-list", s.load_cpus, "wrk", "-t", str(LOAD_THREADS), "-c", str(s.connections),
             "-d", f"{seconds}s", "--timeout", "5s", "-s", str(script), f"http://127.0.0.1:{port}/{workload}"],
            what=f"wrk on /{workload}",
            timeout=seconds + 60,
        )  # fmt: skip
        return parse_wrk(proc.stdout)

    def _measured_load(self, script: Path, port: int, workload: str, cid: str) -> tuple[dict[str, float], Quietness]:
        """One counted interval of load, with what else the machine did meanwhile."""
        before, ours = cpu_sample(), own_cpu_seconds() + (container_cpu_seconds(cid) or 0.0)
        result = self._wrk(script, port, workload, self.settings.duration_s)
        after = cpu_sample()
        ours = own_cpu_seconds() + (container_cpu_seconds(cid) or 0.0) - ours
        return result, quietness(before, after, ours)

    def _quiet_load(self, script: Path, port: int, workload: str, cid: str) -> tuple[dict[str, float], Quietness]:
        """A counted interval, measured again while the machine disturbed it (see :func:`undisturbed`)."""

        def retrying(why: str, attempt: int) -> None:
            self.log(f"/{workload}: {why}; measured again ({attempt} of {self.settings.attempts})")

        return undisturbed(lambda: self._measured_load(script, port, workload, cid), self.settings, retrying)

    def load_once(self, res: RunResources, image: str, samples: Samples, script: Path) -> None:
        try:
            name, port = self._run_server(res, image, "load")
        except DockerError as exc:
            samples.failure = samples.failure or str(exc)
            return
        try:
            why = self._wait_healthy(name, port)
            if why:
                samples.failure = samples.failure or why
                return
            cid = _container_id(name)
            for workload in WORKLOADS:
                if self.settings.warmup_s:
                    self._wrk(script, port, workload, self.settings.warmup_s)
                result, quiet = self._quiet_load(script, port, workload, cid)
                status, code = state(name)
                if status != "running":
                    samples.failure = samples.failure or f"died under load on /{workload} (status {code})"
                    return
                if result["errors"] and result["requests"] == 0:
                    samples.failure = samples.failure or f"/{workload}: every request failed"
                    return
                samples.rps[workload].append(result["rps"])
                samples.p50_us[workload].append(result["p50_us"])
                samples.p99_us[workload].append(result["p99_us"])
                samples.quiet.append(quiet)
            rss = peak_memory(cid) if cid else None
            if rss is not None:
                samples.rss_bytes.append(float(rss))
            samples.throttled += container_throttled(cid) or 0
        except CommandError as exc:
            samples.failure = samples.failure or str(exc)
        finally:
            res.remove(name)

    def run(self, images: dict[str, str], keep_going: Callable[[dict[str, Samples], int], bool]) -> dict[str, Samples]:
        """``images``: variant id -> image, in order. Runs ``settings.rounds`` rounds, then more while
        ``keep_going(results, rounds_done)`` says so, up to ``settings.max_rounds``."""
        check_placement(self.settings)
        if run_command(["which", "wrk", "taskset"], check=False).returncode != 0:
            raise BenchError("wrk and taskset are needed (Debian packages wrk, util-linux; `scripts/setup.sh bench`)")
        ids = list(images)
        results = {vid: Samples() for vid in ids}
        with (
            tempfile.TemporaryDirectory(prefix="cheatsheet-bench-") as tmp,
            RunResources("cheatsheet-bench", self.log) as res,
        ):
            script = Path(tmp) / "report.lua"
            script.write_text(WRK_REPORT)
            done = 0
            while done < self.settings.max_rounds and (done < self.settings.rounds or keep_going(results, done)):
                order = ids[done % len(ids) :] + ids[: done % len(ids)]
                for vid in order:
                    self._one_round(res, vid, images[vid], results[vid], script, done)
                done += 1
        return results

    def _one_round(self, res: RunResources, vid: str, image: str, s: Samples, script: Path, done: int) -> None:
        if s.failure:
            return
        t0 = time.monotonic()
        self.load_once(res, image, s, script)
        for _ in range(self.settings.startup_per_round):
            if s.failure:
                break
            got = self.startup_once(res, image)
            if isinstance(got, str):
                s.failure = got
            else:
                s.startup_ms.append(got)
        if s.failure:
            self.log(f"round {done + 1} {vid}: failed: {s.failure}")
            return
        foreign = max(q.foreign_pct for q in s.quiet[-len(WORKLOADS) :])
        self.log(
            f"round {done + 1} {vid}: alloc {s.rps['alloc'][-1]:,.0f} req/s, cpu {s.rps['cpu'][-1]:,.0f} req/s, "
            f"start-up {statistics.median(s.startup_ms):.0f} ms, others used {foreign:.1f}% of the machine "
            f"({time.monotonic() - t0:.0f} s)"
        )


def _container_id(name: str) -> str:
    proc = docker("inspect", "--format", "{{.Id}}", name)
    return proc.stdout.strip() if proc.returncode == 0 else ""
