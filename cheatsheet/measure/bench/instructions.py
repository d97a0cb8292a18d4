"""Instructions per request, counted by callgrind: a figure the machine's load cannot change.

The server binary is taken out of the benchmarked image (``docker cp``, so it is byte for byte the
one measured) and run on this machine under ``valgrind --tool=callgrind`` (Debian's valgrind). After
a warm-up, the counters are zeroed (``callgrind_control --zero``), a fixed number of ``/alloc``
requests is sent one after another on one connection, and the counters are dumped: the instructions
the server executed, divided by the requests. The server runs one worker thread here: with two, the
requests are served by either thread, whose allocator state (glibc's per-thread arenas) differs:
three runs of glibc's binary spread over 0.9 % with two workers and over 0.25 % with one. A
dynamically linked binary uses this machine's C
library, which for the Debian 12 based images is the same Debian 12 glibc package.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from ...util import CommandError, run_command
from ..docker import docker, must
from .load import BenchError, free_port, http_status

START_TIMEOUT = 180.0


def extract_binary(image: str, path_in_image: str, dest: Path) -> Path:
    """Copy ``path_in_image`` out of ``image`` into the directory ``dest``; the file's path."""
    cid = must(docker("create", image, "/never-run"), f"docker create {image}")
    try:
        archive = dest / "binary.tar"
        with open(archive, "wb") as fh:
            proc = docker("cp", f"{cid}:{path_in_image}", "-", stdout=fh, text=False)
        if proc.returncode != 0:
            raise BenchError(f"docker cp of {path_in_image} from {image} failed")
        with tarfile.open(archive) as tar:
            member = tar.next()
            if member is None or not member.isfile():
                raise BenchError(f"{path_in_image} in {image} is not a file")
            tar.extract(member, dest, filter="data")
        out = dest / member.name
        out.chmod(0o755)
        return out
    finally:
        docker("rm", "--force", cid)


def _requests(port: int, path: str, count: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        for _ in range(count):
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise BenchError(f"{path} answered {response.status} under callgrind")
    finally:
        conn.close()


def instructions_per_request(
    binary: Path, *, requests: int = 200, warmup: int = 30, workers: int = 1, path: str = "/alloc"
) -> float:
    """Instructions the server executes per request on ``path`` (see the module docstring)."""
    if run_command(["which", "valgrind", "callgrind_control"], check=False).returncode != 0:
        raise BenchError("valgrind is needed for instruction counts (Debian package valgrind)")
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="cheatsheet-callgrind-") as tmp:
        env = {**os.environ, "LISTEN": f"127.0.0.1:{port}", "WORKERS": str(workers),
               "UPSTREAM_URL": "https://upstream.invalid"}  # fmt: skip
        server = subprocess.Popen(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/callgrind.out", str(binary)],
            cwd=tmp, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while http_status(port, "/health", timeout=5) != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"{binary.name} did not answer /health under callgrind")
                time.sleep(0.5)
            _requests(port, path, warmup)
            _control(server.pid, "--zero")
            _requests(port, path, requests)
            _control(server.pid, "--dump=counted")
            counted = _summary(Path(tmp), "counted")
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return counted / requests


def _control(pid: int, action: str) -> None:
    try:
        run_command(["callgrind_control", action, str(pid)], what=f"callgrind_control {action}", timeout=120)
    except CommandError as exc:
        raise BenchError(str(exc)) from None


def _summary(directory: Path, trigger: str) -> int:
    """The instruction total of the dump that ``trigger`` made."""
    for dump in sorted(directory.glob("callgrind.out*")):
        text = dump.read_text(errors="replace")
        if f"desc: Trigger: dump {trigger}" in text or f"Trigger: Client Request: {trigger}" in text:
            found = re.search(r"^(?:summary|totals): ([0-9]+)", text, re.M)
            if found:
                return int(found.group(1))
    raise BenchError(f"callgrind wrote no dump for {trigger!r}")
