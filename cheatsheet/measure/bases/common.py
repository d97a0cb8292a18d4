"""What every base image recipe shares: the result type, the error, Debian constants, the machine's
apt configuration, running a bootstrap step, and reproducible root filesystem helpers."""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import os
import pathlib
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ...recipes.arch import ARCHES as _ARCH_RECORDS
from ...recipes.arch import DEFAULT_ARCH
from ...util import CommandError, run_command


class BaseUnavailable(Exception):
    """A base image can be neither found, pulled nor bootstrapped (message says why)."""


@dataclass(frozen=True)
class BaseImage:
    name: str
    ref: str  # what a Dockerfile's FROM must say on this machine
    image_id: str  # "sha256:..." ("" for scratch)
    source: str  # "pulled" | "bootstrapped" | "none"
    digest: str  # the pinned digest when pulled, "" otherwise
    size: int  # docker image inspect .Size (0 for scratch)
    detail: str  # one human line
    arch: str = "amd64"  # the architecture its config declares (Docker's platform name)


RECIPE_VERSION = 1
SUITE = "bookworm"
DEBIAN_VERSION = "12"
#: The Debian architecture bootstrapped when none is given, and every one a recipe can make (Debian's
#: and Docker's names agree for these two). Another architecture's root filesystem is made from that
#: architecture's packages; running its maintainer scripts (mmdebstrap) needs user-mode emulation.
ARCH = DEFAULT_ARCH
ARCHES = tuple(_ARCH_RECORDS)
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
BOOTSTRAP_TIMEOUT = 1800


# --------------------------------------------------------------------------------------------
# Running bootstrap steps
# --------------------------------------------------------------------------------------------


def with_newline(data: bytes) -> bytes:
    return data if data.endswith(b"\n") else data + b"\n"


def error_line(stderr: str) -> str:
    """The most useful line of a failing command's stderr (mmdebstrap ends with generic lines)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    generic = ("E: mmdebstrap failed to run", "E: setup failed", "I: ", "W: ")
    for ln in reversed(lines):
        if not ln.startswith(generic) and "received signal" not in ln:
            return ln
    return lines[-1] if lines else "(no output)"


def command_env() -> dict[str, str]:
    # Read the environment at call time so DOCKER_HOST etc. are honoured.
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def run_step(
    name: str,
    what: str,
    cmd: list[str],
    *,
    cwd: pathlib.Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = BOOTSTRAP_TIMEOUT,
) -> str:
    """Run one step of bootstrapping base ``name``; its stdout, or BaseUnavailable saying why not."""
    try:
        proc = run_command(
            cmd, what=f"{name}: {what}", cwd=cwd, env=env or command_env(), timeout=timeout, pick_line=error_line
        )
    except CommandError as exc:
        raise BaseUnavailable(str(exc)) from exc
    return proc.stdout


def require_root(name: str) -> None:
    if os.geteuid() != 0:
        raise BaseUnavailable(f"{name}: bootstrapping needs root (dpkg ownership, mmdebstrap --mode=root)")


# --------------------------------------------------------------------------------------------
# The machine's apt configuration
# --------------------------------------------------------------------------------------------

APT_SOURCES_LIST = pathlib.Path("/etc/apt/sources.list")
APT_SOURCES_PARTS = pathlib.Path("/etc/apt/sources.list.d")
APT_LISTS = pathlib.Path("/var/lib/apt/lists")


def source_files() -> list[pathlib.Path]:
    files = []
    if APT_SOURCES_LIST.is_file() and APT_SOURCES_LIST.stat().st_size > 0:
        files.append(APT_SOURCES_LIST)
    if APT_SOURCES_PARTS.is_dir():
        files += sorted(p for p in APT_SOURCES_PARTS.iterdir() if p.is_file() and p.suffix in (".list", ".sources"))
    return files


def sources_fingerprint(name: str) -> str:
    files = source_files()
    if not files:
        raise BaseUnavailable(
            f"{name}: no apt sources configured on this machine "
            f"({APT_SOURCES_LIST} and {APT_SOURCES_PARTS}/*.sources are missing)"
        )
    h = hashlib.sha256()
    suites: set[str] = set()
    for f in files:
        data = f.read_bytes()
        h.update(f.name.encode() + b"\0" + data + b"\0")
        for line in data.decode(errors="replace").splitlines():
            words = line.split("#", 1)[0].split()
            if words[:1] == ["Suites:"]:  # deb822
                suites.update(words[1:])
            elif words[:1] == ["deb"]:  # one-line format: deb [options] uri suite components
                rest = words[1:]
                if rest and rest[0].startswith("["):
                    while rest and not rest[0].endswith("]"):
                        rest = rest[1:]
                    rest = rest[1:]
                if len(rest) >= 2:
                    suites.add(rest[1])
    if SUITE not in suites:
        raise BaseUnavailable(
            f"{name}: this machine's apt sources do not include the suite {SUITE!r} "
            f"(found: {', '.join(sorted(suites)) or 'none'})"
        )
    return h.hexdigest()


def archive_epoch() -> int:
    """SOURCE_DATE_EPOCH, else the newest Date: of this machine's InRelease files for SUITE."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if env:
        return int(env)
    newest = 0
    if APT_LISTS.is_dir():
        for f in APT_LISTS.glob(f"*_dists_{SUITE}*_InRelease"):
            with (
                contextlib.suppress(OSError, ValueError, TypeError),
                f.open("r", errors="replace") as fh,
            ):
                for _, line in zip(range(60), fh, strict=False):  # Date: is in the Release header
                    if line.startswith("Date:"):
                        dt = email.utils.parsedate_to_datetime(line[5:].strip())
                        newest = max(newest, int(dt.timestamp()))
                        break
    if newest:
        return newest
    # No downloaded lists: fall back to today's date (midnight UTC) so the key is stable for a day.
    return int(time.time()) // 86400 * 86400


# --------------------------------------------------------------------------------------------
# Filesystem helpers
# --------------------------------------------------------------------------------------------


def _mounts_under(path: pathlib.Path) -> list[str]:
    prefix = str(path.resolve()).rstrip("/") + "/"
    found = []
    with contextlib.suppress(OSError):
        for line in pathlib.Path("/proc/self/mounts").read_text().splitlines():
            parts = line.split()
            if len(parts) > 1:
                mnt = parts[1].encode().decode("unicode_escape")
                if mnt.startswith(prefix) or mnt == prefix[:-1]:
                    found.append(mnt)
    return found


def safe_rmtree(path: pathlib.Path, log: Callable[[str], None]) -> None:
    if not path.exists():
        return
    mounts = _mounts_under(path)
    if mounts:
        # Never recurse into a leftover bind mount (it could be the host's /dev or /proc).
        log(f"bases: leaving {path} in place: still mounted: {', '.join(mounts)}")
        return
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def workdir(cache_dir: pathlib.Path, name: str, log: Callable[[str], None]) -> Iterator[pathlib.Path]:
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=cache_dir))
    try:
        yield tmp
    finally:
        safe_rmtree(tmp, log)


def put(root: pathlib.Path, rel: str, content: str | bytes, mode: int, uid: int = 0, gid: int = 0) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.is_symlink():
        p.unlink()
    data = content.encode() if isinstance(content, str) else content
    p.write_bytes(data)
    os.chown(p, uid, gid)
    os.chmod(p, mode)


def make_dir(root: pathlib.Path, rel: str, mode: int, uid: int = 0, gid: int = 0) -> None:
    p = root / rel
    p.mkdir(parents=True, exist_ok=True)
    os.chown(p, uid, gid)
    os.chmod(p, mode)


def pack_rootfs(root: pathlib.Path, out: pathlib.Path, epoch: int) -> None:
    """A reproducible tarball of ``root``: sorted names, numeric owners, mtimes clamped to epoch."""

    def norm(ti: tarfile.TarInfo) -> tarfile.TarInfo:
        ti.mtime = min(int(ti.mtime), epoch)
        ti.uname = ti.gname = ""
        return ti

    def walk(d: pathlib.Path) -> Iterable[pathlib.Path]:
        for child in sorted(d.iterdir(), key=lambda p: p.name):
            yield child
            if child.is_dir() and not child.is_symlink():
                yield from walk(child)

    tmp = out.with_name(out.name + ".part")
    with tarfile.open(tmp, "w", format=tarfile.PAX_FORMAT) as tf:
        tf.add(root, arcname=".", recursive=False, filter=norm)
        for p in walk(root):
            tf.add(p, arcname="./" + p.relative_to(root).as_posix(), recursive=False, filter=norm)
    os.replace(tmp, out)


def apt_options(state: pathlib.Path, arch: str) -> list[str]:
    """apt-get options: this machine's sources, private lists/cache, empty dpkg status."""
    (state / "lists" / "partial").mkdir(parents=True, exist_ok=True)
    (state / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
    status = state / "status"
    status.touch()
    return [
        "-q",
        "-o", f"Dir::Etc::SourceList={APT_SOURCES_LIST}",
        "-o", f"Dir::Etc::SourceParts={APT_SOURCES_PARTS}",
        "-o", f"Dir::State::Lists={state / 'lists'}",
        "-o", f"Dir::Cache={state / 'cache'}",
        "-o", f"Dir::State::status={status}",
        "-o", f"APT::Architecture={arch}",
        "-o", f"APT::Architectures={arch}",
        "-o", "Acquire::Languages=none",
        "-o", "Debug::NoLocking=1",
    ]  # fmt: skip


def deb_field(name: str, deb: pathlib.Path, field: str) -> str:
    return run_step(name, "dpkg-deb -f", ["dpkg-deb", "-f", str(deb), field]).strip()


def download_packages(
    name: str, packages: list[str], arch: str, work: pathlib.Path, log: Callable[[str], None]
) -> dict[str, pathlib.Path]:
    """Download ``packages`` for ``arch`` from this machine's apt sources into ``work/debs`` (private
    lists and cache in ``work/apt``: the machine's own apt state is not touched); package -> .deb."""
    opts = apt_options(work / "apt", arch)
    debs = work / "debs"
    debs.mkdir()
    log(f"{name}: apt-get update (private lists, {arch}) ...")
    run_step(name, "apt-get update", ["apt-get", *opts, "update"])
    log(f"{name}: apt-get download {' '.join(packages)} ({arch}) ...")
    run_step(name, "apt-get download", ["apt-get", *opts, "download", *packages], cwd=debs)
    by_pkg: dict[str, pathlib.Path] = {}
    for deb in sorted(debs.glob("*.deb")):
        by_pkg[deb_field(name, deb, "Package")] = deb
    missing = [p for p in packages if p not in by_pkg]
    if missing:
        raise BaseUnavailable(f"{name}: apt-get download did not fetch {', '.join(missing)}")
    return by_pkg
