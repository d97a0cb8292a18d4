"""Benchmark the webserver's images side by side: throughput, latency, memory, start-up and build time.

One run measures every selected variant in several interleaved rounds (the order rotates each
round, so drift on a shared machine falls on every variant alike):

* **load**: the image runs with fixed CPU and memory limits, listening on a free port of
  ``127.0.0.1`` only (``--network host``: no proxy between the load generator and the server, and
  nothing but loopback traffic); ``wrk`` drives ``/alloc`` (JSON parsed and serialised: allocator
  bound) and then ``/cpu`` (arithmetic only: the control) for a fixed time each, and the
  container's cgroup gives its peak memory;
* **start-up**: the time from ``docker run`` to the first good ``/health`` response, many times;
* **build**: the binary built once more from an empty target directory, timed (optional).

Per variant the medians and the spread (min, max) over rounds are kept, and the ratio to the
baseline variant is computed round by round (both measured minutes apart) and its median kept.
Every container is labelled and removed, also after a kill (:mod:`cheatsheet.containers`).
"""

from __future__ import annotations

import datetime as _dt
import http.client
import json
import os
import platform
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..util import run_command
from .containers import RunResources, state
from .docker import DockerError, docker

WORKLOADS = ("alloc", "cpu")
LOAD_CONNECTIONS = 16
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
    """The benchmark cannot run at all (no wrk, no Docker); the message is one line."""


@dataclass(frozen=True)
class Limits:
    cpus: float = 1.0
    memory_bytes: int = 512 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    rounds: int = 5
    duration_s: int = 10
    startup_runs: int = 20
    connections: int = LOAD_CONNECTIONS
    limits: Limits = Limits()
    workers: int = 2
    build_time: bool = True


@dataclass
class Samples:
    """What one variant gave over the rounds."""

    rps: dict[str, list[float]] = field(default_factory=lambda: {w: [] for w in WORKLOADS})
    p50_us: dict[str, list[float]] = field(default_factory=lambda: {w: [] for w in WORKLOADS})
    p99_us: dict[str, list[float]] = field(default_factory=lambda: {w: [] for w in WORKLOADS})
    rss_bytes: list[int] = field(default_factory=list)
    startup_ms: list[float] = field(default_factory=list)
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


def peak_memory(container_id: str) -> int | None:
    """The container's peak memory use from its cgroup (v1 or v2), or None where it can't be read."""
    candidates = (
        f"/sys/fs/cgroup/memory/docker/{container_id}/memory.max_usage_in_bytes",
        f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/memory.peak",
        f"/sys/fs/cgroup/docker/{container_id}/memory.peak",
    )
    for path in candidates:
        try:
            return int(Path(path).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
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


def median_spread(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def round_ratios(mine: Sequence[float], base: Sequence[float]) -> float | None:
    """The median of the per-round ratios ``mine[i] / base[i]`` (rounds where both were measured)."""
    ratios = [m / b for m, b in zip(mine, base, strict=False) if b]
    return statistics.median(ratios) if ratios else None


class Bench:
    def __init__(self, settings: Settings, log: Callable[[str], None] = print):
        self.settings = settings
        self.log = log
        self.wrk_script = Path(tempfile.mkdtemp(prefix="cheatsheet-bench-")) / "report.lua"
        self.wrk_script.write_text(WRK_REPORT)

    def _run_server(self, res: RunResources, image: str, suffix: str) -> tuple[str, int]:
        port = free_port()
        lim = self.settings.limits
        name = res.start(
            suffix,
            image,
            options=[
                "--network",
                "host",
                "--cpus",
                str(lim.cpus),
                "--memory",
                str(lim.memory_bytes),
                "--memory-swap",
                str(lim.memory_bytes),
                "--env",
                f"LISTEN=127.0.0.1:{port}",
                "--env",
                "UPSTREAM_URL=https://upstream.invalid",
                "--env",
                f"WORKERS={self.settings.workers}",
            ],
        )
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

    def load_once(self, res: RunResources, image: str, samples: Samples) -> None:
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
            for workload in WORKLOADS:
                proc = run_command(
                    [
                        "wrk",
                        "-t",
                        str(LOAD_THREADS),
                        "-c",
                        str(self.settings.connections),
                        "-d",
                        f"{self.settings.duration_s}s",
                        "--timeout",
                        "5s",
                        "-s",
                        str(self.wrk_script),
                        f"http://127.0.0.1:{port}/{workload}",
                    ],
                    what=f"wrk on /{workload}",
                    timeout=self.settings.duration_s + 60,
                )
                result = parse_wrk(proc.stdout)
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
            cid = _container_id(name)
            rss = peak_memory(cid) if cid else None
            if rss is not None:
                samples.rss_bytes.append(rss)
        finally:
            res.remove(name)

    def run(self, images: dict[str, str]) -> dict[str, Samples]:
        """``images``: variant id → image tag, in order (the first is the baseline)."""
        if run_command(["which", "wrk"], check=False).returncode != 0:
            raise BenchError("wrk is not installed (Debian package `wrk`; `scripts/setup.sh bench` installs it)")
        ids = list(images)
        results = {vid: Samples() for vid in ids}
        with RunResources("cheatsheet-bench", self.log) as res:
            for r in range(self.settings.rounds):
                order = ids[r % len(ids) :] + ids[: r % len(ids)]
                for vid in order:
                    s = results[vid]
                    if s.failure:
                        continue
                    t0 = time.monotonic()
                    self.load_once(res, images[vid], s)
                    per_round = max(1, self.settings.startup_runs // self.settings.rounds)
                    for _ in range(per_round):
                        if s.failure:
                            break
                        got = self.startup_once(res, images[vid])
                        if isinstance(got, str):
                            s.failure = got
                        else:
                            s.startup_ms.append(got)
                    self.log(
                        f"round {r + 1}/{self.settings.rounds} {vid}: "
                        + (
                            f"failed: {s.failure}"
                            if s.failure
                            else f"alloc {s.rps['alloc'][-1]:,.0f} req/s, cpu {s.rps['cpu'][-1]:,.0f} req/s, "
                            f"start-up {statistics.median(s.startup_ms):.0f} ms"
                        )
                        + f" ({time.monotonic() - t0:.0f} s)"
                    )
        return results


def _container_id(name: str) -> str:
    proc = docker("inspect", "--format", "{{.Id}}", name)
    return proc.stdout.strip() if proc.returncode == 0 else ""


def summarise(results: dict[str, Samples], baseline: str) -> dict[str, dict[str, float | int | str | None]]:
    """Per variant: medians, spreads and ratios to ``baseline`` (median of per-round ratios)."""
    base = results[baseline]
    out: dict[str, dict[str, float | int | str | None]] = {}
    for vid, s in results.items():
        row: dict[str, float | int | str | None] = {"failure": s.failure}
        for w in WORKLOADS:
            row[f"{w}_rps"], row[f"{w}_rps_min"], row[f"{w}_rps_max"] = median_spread(s.rps[w])
            row[f"{w}_p50_us"] = median_spread(s.p50_us[w])[0]
            row[f"{w}_p99_us"], row[f"{w}_p99_us_min"], row[f"{w}_p99_us_max"] = median_spread(s.p99_us[w])
            row[f"{w}_rps_ratio"] = round_ratios(s.rps[w], base.rps[w])
            row[f"{w}_p99_ratio"] = round_ratios(s.p99_us[w], base.p99_us[w])
        rss = median_spread([float(x) for x in s.rss_bytes])
        row["rss_bytes"] = int(rss[0]) if rss[0] is not None else None
        row["rss_ratio"] = round_ratios([float(x) for x in s.rss_bytes], [float(x) for x in base.rss_bytes])
        row["startup_ms"], row["startup_ms_min"], row["startup_ms_max"] = median_spread(s.startup_ms)
        row["startup_runs"] = len(s.startup_ms)
        out[vid] = row
    return out


def timestamp() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0)
