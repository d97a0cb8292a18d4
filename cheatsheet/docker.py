"""The one way this project calls the docker CLI, and the one error for an unreachable daemon."""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import IO

from .util import useful_line

DAEMON_ERRORS = (
    "cannot connect to the docker daemon",
    "error during connect",
    "permission denied while trying to connect to the docker daemon",
    "is the docker daemon running",
)


class DockerUnavailable(Exception):
    """The ``docker`` CLI is missing or cannot reach a Docker daemon."""


def last_line(text: str | bytes) -> str:
    """The last non-empty line of a docker command's output (see :func:`cheatsheet.util.useful_line`)."""
    return useful_line(text, prefer="")


def run_docker(
    args: list[str], *, timeout: float, stdout: int | IO[bytes] = subprocess.PIPE, text: bool = False
) -> subprocess.CompletedProcess:
    """Run ``docker ARGS`` with the caller's environment (DOCKER_HOST is honoured) and the classic builder.

    Raises DockerUnavailable when the CLI is missing or the daemon cannot be reached, and lets
    subprocess.TimeoutExpired through; any other failure is the caller's to read from the result.
    """
    docker = shutil.which("docker")
    if docker is None:
        raise DockerUnavailable("the docker CLI is not installed (no `docker` on PATH)")
    env = {**os.environ, "DOCKER_BUILDKIT": "0", "DOCKER_CLI_HINTS": "false"}
    env.setdefault("LC_ALL", "C.UTF-8")
    proc = subprocess.run(
        [docker, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=text,
        env=env,
        timeout=timeout,
        check=False,
    )
    stderr = proc.stderr if text else proc.stderr.decode(errors="replace")
    if proc.returncode != 0 and any(m in stderr.lower() for m in DAEMON_ERRORS):
        host = os.environ.get("DOCKER_HOST", "the default socket")
        raise DockerUnavailable(f"cannot reach the Docker daemon at {host}: {last_line(stderr)}")
    return proc
