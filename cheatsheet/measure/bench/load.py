"""The load rounds of the benchmark: each image serves on one CPU while wrk loads it from another.

Per round: every image's server starts in its own container pinned to ``server_cpus``
(``--cpuset-cpus``, no CPU quota: a quota slices time into periods and throttles a two-thread server
in bursts), with ``--network host`` so that it listens on ``127.0.0.1`` only and nothing stands
between it and the load generator. Only one server is loaded at a time; the others wait idle. On
each endpoint -- ``/alloc`` (JSON parsed and serialised: allocator bound), then ``/cpu`` (arithmetic
only: the control) -- wrk, pinned to ``load_cpus`` with ``taskset``, warms every server up (not
counted), then loads them in turns of ``slice_s`` seconds until each has had ``duration_s``: the
servers take turns every second or so, so the CPU time the hypervisor withholds (steal) and any
other work fall on all of them alike instead of on whichever was loaded during a bad minute. A
round's throughput is all its slices' requests over all their seconds; its latency percentiles are
taken over all its slices' requests together (see :func:`pooled_percentile`). The container's cgroup
gives its peak memory; /proc/stat gives everybody else's CPU time and the steal over every slice, so
a disturbed round is seen in the data. Then each image is started several times, in turns as well,
to time start-up (``docker run`` to the first good ``/health``). The order of the images rotates
every round and every turn.
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
from typing import Any

from ...util import CommandError, run_command
from ..containers import RunResources, state
from ..docker import DockerError, docker
from .host import (
    Quietness,
    container_cpu_seconds,
    container_throttled,
    cpu_sample,
    own_cpu_seconds,
    peak_memory,
    quietness,
)

WORKLOADS = ("alloc", "cpu")
LOAD_THREADS = 1
START_TIMEOUT = 20.0
#: Latency quantiles wrk reports per slice (every 0.1 %), so that a round's percentiles can be taken over
#: all its slices' requests together.
QUANTILES = 1000
# wrk's Lua hook: print the summary as one JSON line (latency in microseconds).
WRK_REPORT = f"""
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
               + summary.errors.timeout + summary.errors.status
  local quantiles = {{}}
  for i = 1, {QUANTILES} do quantiles[i] = string.format("%d", latency:percentile(100 * i / {QUANTILES})) end
  io.write(string.format(
    '{{"requests": %d, "duration_us": %d, "errors": %d, "quantiles_us": [%s]}}\\n',
    summary.requests, summary.duration, errors, table.concat(quantiles, ",")))
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
    slice_s: int = 1  # the load of each endpoint is cut into slices this long that take turns between the images
    warmup_s: int = 3
    startup_per_round: int = 4
    connections: int = 16
    server_cpus: str = "1"
    load_cpus: str = "0"
    memory_bytes: int = 512 * 1024 * 1024
    workers: int = 2
    max_foreign_pct: float = 10.0  # a round where others used more of the machine than this is flagged
    max_steal_pct: float = 2.0  # ... or where the hypervisor took more than this (steal)


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


def parse_wrk(output: str) -> dict[str, Any]:
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


def pooled_percentile(slices: list[dict[str, Any]], percent: float) -> float:
    """The latency below which ``percent`` of all the slices' requests were answered: each slice's
    quantiles stand for equal shares of its requests, so a slice with more requests weighs more."""
    points = sorted(
        (value, s["requests"] / len(s["quantiles_us"])) for s in slices if s["requests"] for value in s["quantiles_us"]
    )
    if not points:
        raise ValueError("no slice answered a request")
    target, seen = percent / 100 * sum(weight for _, weight in points), 0.0
    for value, weight in points:
        seen += weight
        if seen >= target * (1 - 1e-9):
            return value  # a microsecond count as wrk gave it
    return points[-1][0]


def combine_slices(slices: list[dict[str, Any]]) -> dict[str, float]:
    """One figure per interval from its slices: requests and errors added up, throughput as all the
    requests over all the seconds, and each latency percentile over all the slices' requests together
    (a slice of a second holds too few requests for its own 99th percentile to mean much)."""
    if not slices:
        raise ValueError("no slice was measured")
    requests = sum(s["requests"] for s in slices)
    seconds = sum(s["duration_us"] for s in slices) / 1e6
    return {
        "requests": requests,
        "duration_us": seconds * 1e6,
        "errors": sum(s["errors"] for s in slices),
        "rps": requests / seconds if seconds > 0 else 0.0,
        "p50_us": pooled_percentile(slices, 50),
        "p99_us": pooled_percentile(slices, 99),
    }


def mean_quietness(parts: list[Quietness]) -> Quietness:
    """The share of others' work and of steal over several equally long slices."""
    if not parts:
        return Quietness(0.0, 0.0)
    return Quietness(statistics.fmean(q.foreign_pct for q in parts), statistics.fmean(q.steal_pct for q in parts))


def slice_plan(duration_s: int, slice_s: int) -> list[int]:
    """The slices an interval of ``duration_s`` seconds is cut into: whole seconds, ``slice_s`` each
    (the last one shorter when it does not divide)."""
    step = max(1, min(slice_s, duration_s))
    full, rest = divmod(duration_s, step)
    return [step] * full + ([rest] if rest else [])


def settle(container_id: str, poll_s: float = 0.02, idle_s: float = 0.002, limit_s: float = 1.0) -> None:
    """Wait until a server that was just loaded has finished the requests wrk left in flight (its CPU
    time stops growing), so that its work does not run into the next server's turn on the same CPU."""
    deadline = time.monotonic() + limit_s
    last = container_cpu_seconds(container_id)
    while last is not None and time.monotonic() < deadline:
        time.sleep(poll_s)
        now = container_cpu_seconds(container_id)
        if now is None or now - last < idle_s:
            return
        last = now


@dataclass
class Server:
    """One variant's server, started for a round."""

    vid: str
    name: str
    port: int
    cid: str = ""
    slices: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {w: [] for w in WORKLOADS})
    quiet: dict[str, list[Quietness]] = field(default_factory=lambda: {w: [] for w in WORKLOADS})


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

    def _wrk(self, script: Path, port: int, workload: str, seconds: int) -> dict[str, Any]:
        s = self.settings
        proc = run_command(
            ["taskset", "--cpu-list", s.load_cpus, "wrk", "-t", str(LOAD_THREADS), "-c", str(s.connections),
             "-d", f"{seconds}s", "--timeout", "5s", "-s", str(script), f"http://127.0.0.1:{port}/{workload}"],
            what=f"wrk on /{workload}",
            timeout=seconds + 60,
        )  # fmt: skip
        return parse_wrk(proc.stdout)

    def _measured_slice(self, script: Path, server: Server, workload: str, seconds: int) -> None:
        """One counted slice of load on one server, with what else the machine did meanwhile."""
        before, ours = cpu_sample(), own_cpu_seconds() + (container_cpu_seconds(server.cid) or 0.0)
        result = self._wrk(script, server.port, workload, seconds)
        after = cpu_sample()
        ours = own_cpu_seconds() + (container_cpu_seconds(server.cid) or 0.0) - ours
        server.slices[workload].append(result)
        server.quiet[workload].append(quietness(before, after, ours))
        settle(server.cid)

    def _start_servers(
        self, res: RunResources, order: list[str], images: dict[str, str], results: dict[str, Samples]
    ) -> list[Server]:
        servers = []
        for vid in order:
            try:
                name, port = self._run_server(res, images[vid], f"load-{vid}")
            except DockerError as exc:
                results[vid].failure = str(exc)
                continue
            why = self._wait_healthy(name, port)
            if why:
                results[vid].failure = why
                res.remove(name)
                continue
            servers.append(Server(vid, name, port, _container_id(name)))
        return servers

    def _alive(self, server: Server, workload: str, results: dict[str, Samples]) -> bool:
        status, code = state(server.name)
        if status != "running":
            results[server.vid].failure = f"died under load on /{workload} (status {code})"
            return False
        if server.slices[workload] and server.slices[workload][-1]["requests"] == 0:
            results[server.vid].failure = f"/{workload}: every request failed"
            return False
        return True

    def load_round(
        self, res: RunResources, order: list[str], images: dict[str, str], results: dict[str, Samples], script: Path
    ) -> None:
        """Every server of the round runs at once (idle but one); per endpoint each is warmed up, then
        loaded in slices that take turns, so that whatever the machine is given or denied during the
        round falls on every variant alike."""
        started = self._start_servers(res, order, images, results)
        live = list(started)
        try:
            for workload in WORKLOADS:
                if self.settings.warmup_s:
                    for server in live:
                        self._wrk(script, server.port, workload, self.settings.warmup_s)
                for turn, seconds in enumerate(slice_plan(self.settings.duration_s, self.settings.slice_s)):
                    shift = turn % len(live) if live else 0
                    for server in live[shift:] + live[:shift]:
                        self._measured_slice(script, server, workload, seconds)
                live = [server for server in live if self._alive(server, workload, results)]
            for server in live:
                self._keep(server, results[server.vid])
        except CommandError as exc:
            for server in live:
                results[server.vid].failure = results[server.vid].failure or str(exc)
        finally:
            for server in started:
                res.remove(server.name)

    @staticmethod
    def _keep(server: Server, s: Samples) -> None:
        """A round's figures of one server, from its slices and its container's cgroup."""
        for workload in WORKLOADS:
            result = combine_slices(server.slices[workload])
            s.rps[workload].append(result["rps"])
            s.p50_us[workload].append(result["p50_us"])
            s.p99_us[workload].append(result["p99_us"])
            s.quiet.append(mean_quietness(server.quiet[workload]))
        rss = peak_memory(server.cid) if server.cid else None
        if rss is not None:
            s.rss_bytes.append(float(rss))
        s.throttled += container_throttled(server.cid) or 0

    def startup_round(
        self, res: RunResources, order: list[str], images: dict[str, str], results: dict[str, Samples]
    ) -> None:
        """The timed starts of the round, taking turns between the images like the load."""
        for _ in range(self.settings.startup_per_round):
            for vid in order:
                s = results[vid]
                if s.failure:
                    continue
                got = self.startup_once(res, images[vid])
                if isinstance(got, str):
                    s.failure = got
                else:
                    s.startup_ms.append(got)

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
                order = [vid for vid in ids[done % len(ids) :] + ids[: done % len(ids)] if not results[vid].failure]
                t0 = time.monotonic()
                self.load_round(res, order, images, results, script)
                self.startup_round(res, order, images, results)
                done += 1
                self._log_round(done, order, results, time.monotonic() - t0)
        return results

    def _log_round(self, done: int, order: list[str], results: dict[str, Samples], seconds: float) -> None:
        for vid in order:
            s = results[vid]
            if s.failure:
                self.log(f"round {done} {vid}: failed: {s.failure}")
                continue
            worst = s.quiet[-len(WORKLOADS) :]
            self.log(
                f"round {done} {vid}: alloc {s.rps['alloc'][-1]:,.0f} req/s, cpu {s.rps['cpu'][-1]:,.0f} req/s, "
                f"start-up {statistics.median(s.startup_ms):.0f} ms, others used "
                f"{max(q.foreign_pct for q in worst):.1f}%, steal {max(q.steal_pct for q in worst):.1f}%"
            )
        self.log(f"round {done}: {seconds:.0f} s")


def _container_id(name: str) -> str:
    proc = docker("inspect", "--format", "{{.Id}}", name)
    return proc.stdout.strip() if proc.returncode == 0 else ""
