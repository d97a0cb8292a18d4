"""Small helpers used across the measurement side: atomic writes, file locks, hashes, commands.

One policy each, written once:

* :func:`atomic_write` -- write a temporary file beside the target, fsync it, rename it over the
  target, fsync the directory. A reader (or a process killed at any moment) sees the old file or
  the new one, never a mixture; the temporary file is removed on failure.
* :func:`file_lock` -- an exclusive ``flock`` on a lock file, held for the ``with`` block.
* :func:`sha256_file` -- the hex sha256 of a file, read in chunks.
* :func:`useful_line` -- the line of a command's output worth showing: cargo's (or any tool's)
  first ``error`` line, else the last non-empty line.
* :func:`run_command` -- run a command with a timeout; a failure raises :class:`CommandError`
  naming the command and the useful line of its output.
* :func:`process_alive` -- whether a process id names a live process of this machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

__all__ = [
    "CommandError",
    "atomic_write",
    "file_lock",
    "fsync_dir",
    "process_alive",
    "run_command",
    "sha256_file",
    "useful_line",
]


def fsync_dir(directory: Path) -> None:
    """Make a rename or a new entry in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    path: Path,
    content: str | bytes,
    *,
    mode: int | None = None,
    check: Callable[[Path], object] | None = None,
) -> None:
    """Replace ``path`` with ``content`` atomically (fsync file, rename, fsync directory).

    ``mode`` defaults to the current file's permission bits (0o644 for a new file). ``check``, if
    given, is called with the temporary file before the rename; if it raises, the target is left
    as it was. Only this call's own temporary file is ever removed.
    """
    path = Path(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    if mode is None:
        mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    # The process id in the name tells a killed writer's leftover from a live writer's file.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if check is not None:
            check(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the ``with`` block."""
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process of this machine (one of another user counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def useful_line(text: str | bytes, prefer: str = "error", *, default: str = "(no output)") -> str:
    """The first line starting with ``prefer`` (case-insensitive; cargo's first error), else the
    last non-empty line, else ``default``."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if prefer:
        for ln in lines:
            if ln.lower().startswith(prefer.lower()):
                return ln
    return lines[-1] if lines else default


class CommandError(Exception):
    """A command could not be run, failed, or timed out; the message names it and says why."""

    def __init__(self, message: str, *, returncode: int | None = None, output: str = ""):
        super().__init__(message)
        self.returncode = returncode
        self.output = output


def run_command(
    argv: Sequence[str],
    *,
    what: str | None = None,
    timeout: float | None = None,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    prefer: str = "error",
    check: bool = True,
    pick_line: Callable[[str], str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` (text mode, stdin closed, output captured) and return the result.

    Raises :class:`CommandError` when the program cannot be started, does not finish within
    ``timeout`` seconds, or (with ``check``) exits non-zero. The message is
    ``<what> failed (`<command>` exit N): <useful line of stderr, else stdout>``.
    """
    argv = [str(a) for a in argv]
    what = what or f"`{shlex.join(argv[:3])}{' ...' if len(argv) > 3 else ''}`"
    try:
        proc = subprocess.run(
            argv,
            check=False,
            cwd=cwd,
            env=dict(env) if env is not None else None,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise CommandError(f"{what} failed: {argv[0]} is not installed") from exc
    except OSError as exc:
        raise CommandError(f"{what} failed: cannot run {argv[0]}: {exc.strerror}") from exc
    except subprocess.TimeoutExpired as exc:
        raise CommandError(f"{what} timed out after {timeout:.0f} s") from exc
    if check and proc.returncode != 0:
        output = proc.stderr if proc.stderr.strip() else proc.stdout
        line = pick_line(output) if pick_line else useful_line(output, prefer)
        raise CommandError(
            f"{what} failed (`{shlex.join(argv[:3])}{' ...' if len(argv) > 3 else ''}` exit {proc.returncode}): {line}",
            returncode=proc.returncode,
            output=output,
        )
    return proc
