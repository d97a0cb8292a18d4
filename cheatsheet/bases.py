"""Base images for the measurements: pulled by digest, or bootstrapped from Debian packages.

``ensure_base(spec, cache_dir)`` returns a :class:`BaseImage` whose ``ref`` a Dockerfile's ``FROM``
can use on this machine:

* ``scratch`` needs nothing.
* If the digest-pinned pull reference is already present locally, it is used.
* Otherwise, if pulling is allowed, ``docker pull`` is tried.
* Otherwise (or if the pull fails) the base is bootstrapped from Debian 12 (bookworm, amd64)
  packages and loaded (``docker load`` of a one-layer image archive) under a local tag
  ``cheatsheet-base/<name>:<key>``; with no bootstrap recipe :class:`BaseUnavailable` is raised.

Bootstrap recipes (they need root, ``mmdebstrap`` for the two Debian ones, ``apt-get`` and
``dpkg-deb``):

``debian-minbase``
    ``mmdebstrap --mode=root --variant=minbase`` with the merged-/usr hook, plus the apt/dpkg
    settings that debuerreotype (the tool behind the official ``debian`` images) adds for
    containers; config ``CMD ["bash"]`` like the official image.
``debian-slim``
    The same plus debuerreotype's "slimify" path-exclude/path-include rules (no man pages, no docs
    except copyright files, no locales), given to dpkg so they also hold for later installs.
``distroless-static`` / ``distroless-cc``
    Assembled like GoogleContainerTools/distroless' Debian 12 images: the packages'
    data extracted with ``dpkg-deb -x`` (no maintainer scripts, no dpkg database, no merged /usr,
    as in distroless' debian12 images), the CA bundle built from ``ca-certificates``' certificate
    files, ``/etc/passwd`` and ``/etc/group`` with root, nobody and nonroot (65532), ``/tmp`` 1777,
    ``/etc/nsswitch.conf``, an os-release, and per-package metadata in ``/var/lib/dpkg/status.d``.
    Config: ``USER 0``, ``WORKDIR /``, ``ENV PATH`` and ``SSL_CERT_FILE`` (distroless' root tag).

Package sources are read at run time from this machine's apt configuration
(``/etc/apt/sources.list`` and ``/etc/apt/sources.list.d``); no mirror or registry host name is
written to any file, and the apt sources copy that mmdebstrap leaves in the root filesystem is
removed, so the Debian images have no apt sources (``apt-get update`` inside them needs sources
supplied by the build that uses them).

The cache key of a bootstrapped image (the tag's suffix, recorded in full in a label) covers:
the recipe (kind, suite, architecture, variant, hooks, dpkg options, package list, files added,
image config, ``RECIPE_VERSION``), a hash of the machine's apt sources configuration, and the
archive date used as ``SOURCE_DATE_EPOCH`` -- ``$SOURCE_DATE_EPOCH`` if set, else the newest
``Date:`` of the machine's own downloaded ``InRelease`` files for the suite (i.e. it changes when
``apt-get update`` sees a newer archive). It does NOT cover the exact package versions the mirror
serves at bootstrap time (too costly to query on every call); those are recorded after the build
in the label ``cheatsheet.base.packages-sha256`` and in ``<cache_dir>/<name>-<key>.packages.txt``.
Two bootstraps with the same epoch and the same mirror content give identical root filesystem
tarballs and, since the image config's ``created`` is the archive date, identical image IDs.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import email.utils
import fcntl
import hashlib
import io
import json
import os
import pathlib
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .docker import DockerUnavailable, run_docker
from .docker import last_line as _last_line

__all__ = [
    "BaseImage",
    "BaseSpec",
    "BaseUnavailable",
    "DockerUnavailable",
    "ensure_base",
]


class BaseUnavailable(Exception):
    """A base image can be neither found, pulled nor bootstrapped (message says why)."""


@dataclass(frozen=True)
class BaseSpec:
    name: str  # "debian" | "debian-slim" | "distroless-static" | "distroless-cc" | "alpine" | "scratch"
    pull: str  # pull reference pinned by digest, "" for scratch (programs/recipes.toml declares them)
    bootstrap: str  # "" | "debian-minbase" | "debian-slim" | "distroless-static" | "distroless-cc"


@dataclass(frozen=True)
class BaseImage:
    name: str
    ref: str  # what a Dockerfile's FROM must say on this machine
    image_id: str  # "sha256:..." ("" for scratch)
    source: str  # "pulled" | "bootstrapped" | "none"
    digest: str  # the pinned digest when pulled, "" otherwise
    size: int  # docker image inspect .Size (0 for scratch)
    detail: str  # one human line


# --------------------------------------------------------------------------------------------
# Recipes
# --------------------------------------------------------------------------------------------

RECIPE_VERSION = 1
SUITE = "bookworm"
DEBIAN_VERSION = "12"
ARCH = "amd64"
LOCAL_REPO = "cheatsheet-base"
LABEL_PREFIX = "cheatsheet.base."
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MERGED_USR_HOOKS = "/usr/share/mmdebstrap/hooks/merged-usr"
PULL_TIMEOUT = 900
BOOTSTRAP_TIMEOUT = 1800

# debuerreotype's scripts/.slimify-excludes and .slimify-includes (the lists behind Debian's
# official "-slim" images). dpkg applies the last matching rule, so includes come last.
SLIM_EXCLUDES = (
    "/usr/share/doc/*",
    "/usr/share/groff/*",
    "/usr/share/info/*",
    "/usr/share/linda/*",
    "/usr/share/lintian/overrides/*",
    "/usr/share/locale/*",
    "/usr/share/man/*",
)
SLIM_INCLUDES = (
    "/usr/share/doc/*/copyright",
    "/usr/share/doc/kde/HTML/C/*",
    "/usr/share/gnome/help/*/C/*",
    "/usr/share/locale/all_languages",
    "/usr/share/locale/currency/*",
    "/usr/share/locale/l10n/*",
    "/usr/share/locale/languages",
    "/usr/share/locale/locale.alias",
    "/usr/share/omf/*/*-C.emf",
)

# Container settings debuerreotype (debuerreotype-minimizing-config) puts into the official
# Debian images: (path, mode, content).
_APT_CLEAN = (
    '"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
    '/var/cache/apt/*.bin || true";'
)
DEBIAN_CONTAINER_FILES: tuple[tuple[str, int, str], ...] = (
    (
        "usr/sbin/policy-rc.d",
        0o755,
        "#!/bin/sh\n# Do not start services while packages are installed in a container build.\nexit 101\n",
    ),
    (
        "etc/dpkg/dpkg.cfg.d/docker-apt-speedup",
        0o644,
        "# Container builds are thrown away on failure: skip dpkg's sync() calls.\nforce-unsafe-io\n",
    ),
    (
        "etc/apt/apt.conf.d/docker-autoremove-suggests",
        0o644,
        (
            "// Let autoremove drop packages that are only kept because something suggests them.\n"
            'Apt::AutoRemove::SuggestsImportant "false";\n'
        ),
    ),
    (
        "etc/apt/apt.conf.d/docker-clean",
        0o644,
        (
            "// Keep layers small: drop downloaded packages and apt's binary caches after each run.\n"
            f"DPkg::Post-Invoke {{ {_APT_CLEAN} }};\n"
            f"APT::Update::Post-Invoke {{ {_APT_CLEAN} }};\n"
            'Dir::Cache::pkgcache "";\n'
            'Dir::Cache::srcpkgcache "";\n'
        ),
    ),
    (
        "etc/apt/apt.conf.d/docker-gzip-indexes",
        0o644,
        '// Keep the package lists compressed on disk.\nAcquire::GzipIndexes "true";\n',
    ),
    (
        "etc/apt/apt.conf.d/docker-no-languages",
        0o644,
        '// Do not download translations.\nAcquire::Languages "none";\n',
    ),
)

# Image config (the OCI/Docker "config" object). Official debian: PATH and CMD ["bash"].
# distroless root tag: PATH, SSL_CERT_FILE, user 0, workdir / (the nonroot tag uses 65532 and
# /home/nonroot; run with `--user 65532` or add USER to get that).
DEBIAN_CONFIG = {"Env": [f"PATH={DEFAULT_PATH}"], "Cmd": ["bash"]}
DISTROLESS_CONFIG = {
    "Env": [f"PATH={DEFAULT_PATH}", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"],
    "User": "0",
    "WorkingDir": "/",
}

# GoogleContainerTools/distroless, Debian 12: static/config.bzl (STATIC_PACKAGES),
# base/config.bzl (BASE_PACKAGES), cc/config.bzl (CC_PACKAGES). ca-certificates only
# contributes the bundle /etc/ssl/certs/ca-certificates.crt and its copyright file.
DISTROLESS_STATIC_PACKAGES = ("base-files", "netbase", "tzdata", "media-types")
DISTROLESS_BASE_PACKAGES = ("libc6", "libssl3")
DISTROLESS_CC_PACKAGES = ("libgomp1", "libstdc++6", "libgcc-s1", "gcc-12-base")

NONROOT = 65532
NOBODY = 65534
DISTROLESS_PASSWD = (
    "root:x:0:0:root:/root:/sbin/nologin\n"
    f"nobody:x:{NOBODY}:{NOBODY}:nobody:/nonexistent:/sbin/nologin\n"
    f"nonroot:x:{NONROOT}:{NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n"
)
DISTROLESS_GROUP = f"root:x:0:\nnobody:x:{NOBODY}:\ntty:x:5:\nstaff:x:50:\nnonroot:x:{NONROOT}:\n"
DISTROLESS_NSSWITCH = (
    "# Name service switch for a root filesystem without NSS modules beyond glibc's own.\n"
    "passwd:         files\n"
    "group:          files\n"
    "shadow:         files\n"
    "gshadow:        files\n"
    "hosts:          files dns\n"
    "networks:       files\n"
    "protocols:      files\n"
    "services:       files\n"
    "ethers:         files\n"
    "rpc:            files\n"
)
DISTROLESS_OS_RELEASE = (
    'PRETTY_NAME="Distroless"\n'
    'NAME="Debian GNU/Linux"\n'
    'ID="debian"\n'
    f'VERSION_ID="{DEBIAN_VERSION}"\n'
    f'VERSION="Debian GNU/Linux {DEBIAN_VERSION} ({SUITE})"\n'
    f'VERSION_CODENAME="{SUITE}"\n'
)


def _recipe(kind: str) -> dict:
    """Everything that determines a bootstrap's result apart from the archive state."""
    common = {"recipe_version": RECIPE_VERSION, "kind": kind, "suite": SUITE, "arch": ARCH}
    if kind in ("debian-minbase", "debian-slim"):
        dpkgopts: list[str] = []
        if kind == "debian-slim":
            dpkgopts = [f"path-exclude={p}" for p in SLIM_EXCLUDES]
            dpkgopts += [f"path-include={p}" for p in SLIM_INCLUDES]
        return {
            **common,
            "tool": "mmdebstrap",
            "mode": "root",
            "variant": "minbase",
            "hook_dir": MERGED_USR_HOOKS,
            "dpkgopts": dpkgopts,
            "files": [list(f) for f in DEBIAN_CONTAINER_FILES],
            # The apt sources copy names the machine's mirror; hostname and resolv.conf are the
            # host's copies (Docker provides its own); apt's binary caches are 70+ MB.
            "remove": [
                "etc/apt/sources.list",
                "etc/apt/sources.list.d/*",
                "etc/hostname",
                "etc/resolv.conf",
                "etc/machine-id",
                "var/cache/apt/*.bin",
            ],
            # mmdebstrap would move our policy-rc.d away again after the customize hooks.
            "skip": ["chroot/policy-rc.d"],
            "config": DEBIAN_CONFIG,
        }
    if kind in ("distroless-static", "distroless-cc"):
        packages = list(DISTROLESS_STATIC_PACKAGES)
        if kind == "distroless-cc":
            packages += list(DISTROLESS_BASE_PACKAGES) + list(DISTROLESS_CC_PACKAGES)
        return {
            **common,
            "tool": "apt-get download + dpkg-deb -x",
            "packages": packages,
            "ca_bundle_from": "ca-certificates",
            "passwd": DISTROLESS_PASSWD,
            "group": DISTROLESS_GROUP,
            "nsswitch": DISTROLESS_NSSWITCH,
            "os_release": DISTROLESS_OS_RELEASE,
            "config": DISTROLESS_CONFIG,
        }
    raise ValueError(f"unknown bootstrap recipe {kind!r}")


def _describe(kind: str, epoch: int) -> str:
    day = _dt.datetime.fromtimestamp(epoch, _dt.UTC).strftime("%Y-%m-%d")
    when = f"archive date {day} (SOURCE_DATE_EPOCH={epoch})"
    if kind == "debian-minbase":
        how = "with mmdebstrap (minbase, merged-usr)"
    elif kind == "debian-slim":
        how = "with mmdebstrap (minbase, merged-usr, debuerreotype slim excludes)"
    elif kind == "distroless-static":
        how = "like distroless static-debian12 (apt-get download + dpkg-deb -x)"
    else:
        how = "like distroless cc-debian12 (apt-get download + dpkg-deb -x)"
    return f"bootstrapped from Debian {SUITE} packages {how}, {when}"


# --------------------------------------------------------------------------------------------
# Running commands
# --------------------------------------------------------------------------------------------

def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[0] if lines else ""


def _with_newline(data: bytes) -> bytes:
    return data if data.endswith(b"\n") else data + b"\n"


def _error_line(stderr: str) -> str:
    """The most useful line of a failing command's stderr (mmdebstrap ends with generic lines)."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    generic = ("E: mmdebstrap failed to run", "E: setup failed", "I: ", "W: ")
    for ln in reversed(lines):
        if not ln.startswith(generic) and "received signal" not in ln:
            return ln
    return lines[-1] if lines else "(no output)"


def _env() -> dict[str, str]:
    # Read the environment at call time so DOCKER_HOST etc. are honoured.
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def _docker(
    args: list[str], *, timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess[str]:
    try:
        proc = run_docker(args, timeout=timeout, text=True)
    except subprocess.TimeoutExpired as exc:
        raise DockerUnavailable(
            f"`docker {args[0]}` did not answer within {timeout:.0f} s"
        ) from exc
    if check and proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, proc.args, proc.stdout, proc.stderr)
    return proc


def _ping_docker() -> None:
    proc = _docker(["version", "--format", "{{.Server.APIVersion}}"], timeout=30, check=False)
    if proc.returncode != 0 or not proc.stdout.strip():
        host = os.environ.get("DOCKER_HOST", "the default socket")
        raise DockerUnavailable(
            f"cannot reach the Docker daemon at {host}: {_last_line(proc.stderr)}"
        )


def _inspect(ref: str) -> dict | None:
    proc = _docker(["image", "inspect", ref], check=False)
    if proc.returncode != 0:
        return None
    data = json.loads(proc.stdout)
    return data[0] if data else None


def _run(
    name: str,
    what: str,
    cmd: list[str],
    *,
    cwd: pathlib.Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = BOOTSTRAP_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(
            cmd,
            check=False,
            cwd=cwd,
            env=env or _env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError as exc:
        raise BaseUnavailable(f"{name}: {what} failed: {cmd[0]} is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise BaseUnavailable(f"{name}: {what} timed out after {timeout:.0f} s") from exc
    if proc.returncode != 0:
        raise BaseUnavailable(
            f"{name}: {what} failed (`{' '.join(cmd[:3])} ...` exit {proc.returncode}): "
            f"{_error_line(proc.stderr)}"
        )
    return proc


# --------------------------------------------------------------------------------------------
# The machine's apt configuration
# --------------------------------------------------------------------------------------------

APT_SOURCES_LIST = pathlib.Path("/etc/apt/sources.list")
APT_SOURCES_PARTS = pathlib.Path("/etc/apt/sources.list.d")
APT_LISTS = pathlib.Path("/var/lib/apt/lists")


def _source_files() -> list[pathlib.Path]:
    files = []
    if APT_SOURCES_LIST.is_file() and APT_SOURCES_LIST.stat().st_size > 0:
        files.append(APT_SOURCES_LIST)
    if APT_SOURCES_PARTS.is_dir():
        files += sorted(
            p
            for p in APT_SOURCES_PARTS.iterdir()
            if p.is_file() and p.suffix in (".list", ".sources")
        )
    return files


def _sources_fingerprint(name: str) -> str:
    files = _source_files()
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


def _archive_epoch() -> int:
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


def _safe_rmtree(path: pathlib.Path, log: Callable[[str], None]) -> None:
    if not path.exists():
        return
    mounts = _mounts_under(path)
    if mounts:
        # Never recurse into a leftover bind mount (it could be the host's /dev or /proc).
        log(f"bases: leaving {path} in place: still mounted: {', '.join(mounts)}")
        return
    shutil.rmtree(path, ignore_errors=True)


@contextlib.contextmanager
def _workdir(
    cache_dir: pathlib.Path, name: str, log: Callable[[str], None]
) -> Iterator[pathlib.Path]:
    tmp = pathlib.Path(tempfile.mkdtemp(prefix=f".tmp-{name}-", dir=cache_dir))
    try:
        yield tmp
    finally:
        _safe_rmtree(tmp, log)


@contextlib.contextmanager
def _lock(cache_dir: pathlib.Path, name: str) -> Iterator[None]:
    with open(cache_dir / f".{name}.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_atomic(path: pathlib.Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _put(
    root: pathlib.Path, rel: str, content: str | bytes, mode: int, uid: int = 0, gid: int = 0
) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if p.is_symlink():
        p.unlink()
    data = content.encode() if isinstance(content, str) else content
    p.write_bytes(data)
    os.chown(p, uid, gid)
    os.chmod(p, mode)


def _mkdir(root: pathlib.Path, rel: str, mode: int, uid: int = 0, gid: int = 0) -> None:
    p = root / rel
    p.mkdir(parents=True, exist_ok=True)
    os.chown(p, uid, gid)
    os.chmod(p, mode)


def _pack_rootfs(root: pathlib.Path, out: pathlib.Path, epoch: int) -> None:
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


# --------------------------------------------------------------------------------------------
# Bootstraps
# --------------------------------------------------------------------------------------------


def _require_root(name: str) -> None:
    if os.geteuid() != 0:
        raise BaseUnavailable(
            f"{name}: bootstrapping needs root (dpkg ownership, mmdebstrap --mode=root)"
        )


def _bootstrap_debian(
    name: str, recipe: dict, epoch: int, work: pathlib.Path, log: Callable[[str], None]
) -> tuple[pathlib.Path, list[str], str]:
    if shutil.which("mmdebstrap") is None:
        raise BaseUnavailable(f"{name}: mmdebstrap is not installed (apt-get install mmdebstrap)")
    tool_version = _last_line(
        _run(name, "mmdebstrap --version", ["mmdebstrap", "--version"]).stdout
    )

    overlay = work / "overlay"
    for rel, mode, content in recipe["files"]:
        _put(overlay, rel, content, mode)
    pkglist = work / "packages.txt"
    tarball = work / "rootfs.tar"
    remove = " ".join(f'"$1"/{p}' for p in recipe["remove"])
    cmd = [
        "mmdebstrap",
        f"--mode={recipe['mode']}",
        f"--variant={recipe['variant']}",
        f"--architectures={ARCH}",
        "--format=tar",
        f"--hook-dir={recipe['hook_dir']}",
        *(f"--skip={k}" for k in recipe["skip"]),
        *(f"--dpkgopt={o}" for o in recipe["dpkgopts"]),
        f"--customize-hook=rm -rf {remove}",
        f"--customize-hook=sync-in {overlay} /",
        "--customize-hook=chroot \"$1\" dpkg-query -W -f '${Package} ${Version}\\n' > "
        + _sh_quote(str(pkglist)),
        SUITE,
        str(tarball),
        *(str(f) for f in _source_files()),
    ]
    env = _env()
    env["SOURCE_DATE_EPOCH"] = str(epoch)
    env["TMPDIR"] = str(work)
    log(f"bases: {name}: running mmdebstrap ({recipe['variant']}, {SUITE}, {ARCH}) ...")
    _run(name, "mmdebstrap", cmd, env=env)
    packages = sorted(pkglist.read_text().splitlines())
    return tarball, packages, tool_version


def _sh_quote(s: str) -> str:
    return "'" + s.replace("'", "'\"'\"'") + "'"


def _apt_options(state: pathlib.Path) -> list[str]:
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
        "-o", f"APT::Architecture={ARCH}",
        "-o", f"APT::Architectures={ARCH}",
        "-o", "Acquire::Languages=none",
        "-o", "Debug::NoLocking=1",
    ]  # fmt: skip


def _deb_field(name: str, deb: pathlib.Path, field: str) -> str:
    return _run(name, "dpkg-deb -f", ["dpkg-deb", "-f", str(deb), field]).stdout.strip()


def _bootstrap_distroless(
    name: str, recipe: dict, epoch: int, work: pathlib.Path, log: Callable[[str], None]
) -> tuple[pathlib.Path, list[str], str]:
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise BaseUnavailable(f"{name}: {tool} is not installed")
    opts = _apt_options(work / "apt")
    debs = work / "debs"
    debs.mkdir()
    log(f"bases: {name}: apt-get update (private lists) ...")
    _run(name, "apt-get update", ["apt-get", *opts, "update"])
    wanted = [*recipe["packages"], recipe["ca_bundle_from"]]
    log(f"bases: {name}: apt-get download {' '.join(wanted)} ...")
    _run(name, "apt-get download", ["apt-get", *opts, "download", *wanted], cwd=debs)

    by_pkg: dict[str, pathlib.Path] = {}
    for deb in sorted(debs.glob("*.deb")):
        by_pkg[_deb_field(name, deb, "Package")] = deb
    missing = [p for p in wanted if p not in by_pkg]
    if missing:
        raise BaseUnavailable(f"{name}: apt-get download did not fetch {', '.join(missing)}")

    root = work / "rootfs"
    root.mkdir()
    os.chmod(root, 0o755)
    versions = []
    for pkg in recipe["packages"]:
        deb = by_pkg[pkg]
        _run(name, f"dpkg-deb -x {pkg}", ["dpkg-deb", "-x", str(deb), str(root)])
        control = work / "control" / pkg
        control.parent.mkdir(exist_ok=True)
        _run(name, f"dpkg-deb -e {pkg}", ["dpkg-deb", "-e", str(deb), str(control)])
        # distroless records each package for scanners in /var/lib/dpkg/status.d/.
        _put(root, f"var/lib/dpkg/status.d/{pkg}", (control / "control").read_bytes(), 0o644)
        if (control / "md5sums").is_file():
            _put(
                root,
                f"var/lib/dpkg/status.d/{pkg}.md5sums",
                (control / "md5sums").read_bytes(),
                0o644,
            )
        versions.append(f"{pkg} {_deb_field(name, deb, 'Version')}")

    # The CA bundle: every certificate file of ca-certificates, concatenated in sorted order.
    ca = recipe["ca_bundle_from"]
    ca_dir = work / "ca"
    _run(name, f"dpkg-deb -x {ca}", ["dpkg-deb", "-x", str(by_pkg[ca]), str(ca_dir)])
    certs = sorted(
        (p for p in (ca_dir / "usr/share/ca-certificates").rglob("*") if p.is_file()),
        key=lambda p: p.relative_to(ca_dir).as_posix(),
    )
    if not certs:
        raise BaseUnavailable(f"{name}: {ca} contains no certificates")
    bundle = b"".join(_with_newline(p.read_bytes()) for p in certs)
    _put(root, "etc/ssl/certs/ca-certificates.crt", bundle, 0o644)
    _put(
        root,
        f"usr/share/doc/{ca}/copyright",
        (ca_dir / f"usr/share/doc/{ca}/copyright").read_bytes(),
        0o644,
    )
    versions.append(f"{ca} {_deb_field(name, by_pkg[ca], 'Version')} (CA bundle only)")

    _put(root, "etc/passwd", recipe["passwd"], 0o644)
    _put(root, "etc/group", recipe["group"], 0o644)
    _put(root, "etc/nsswitch.conf", recipe["nsswitch"], 0o644)
    _put(root, "usr/lib/os-release", recipe["os_release"], 0o644)
    if not (root / "etc/os-release").exists():
        (root / "etc/os-release").symlink_to("../usr/lib/os-release")
    _mkdir(root, "tmp", 0o1777)
    _mkdir(root, "root", 0o700)
    _mkdir(root, "home", 0o755)
    _mkdir(root, "home/nonroot", 0o700, NONROOT, NONROOT)

    tarball = work / "rootfs.tar"
    _pack_rootfs(root, tarball, epoch)
    apt_version = _run(name, "apt-get --version", ["apt-get", "--version"]).stdout
    tool_version = f"apt-get download + dpkg-deb -x ({_first_line(apt_version)})"
    return tarball, sorted(versions), tool_version


def _load(
    name: str,
    tarball: pathlib.Path,
    tag: str,
    config: dict,
    labels: dict[str, str],
    epoch: int,
    comment: str,
    work: pathlib.Path,
) -> None:
    """Load ``tarball`` as a one-layer image with ``docker load`` (docker-archive format).

    Unlike ``docker import``, which stamps the current time into the image config, the config is
    written here with ``created`` = the archive date, so equal root filesystems and recipes give
    equal image IDs.
    """
    layer_sha = _sha256_file(tarball)
    created = _dt.datetime.fromtimestamp(epoch, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    image_config = {
        "architecture": ARCH,
        "os": "linux",
        "created": created,
        "config": {**config, "Labels": dict(sorted(labels.items()))},
        "rootfs": {"type": "layers", "diff_ids": [f"sha256:{layer_sha}"]},
        "history": [{"created": created, "created_by": comment}],
    }
    config_bytes = json.dumps(image_config, sort_keys=True, separators=(",", ":")).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    manifest = [{"Config": config_name, "RepoTags": [tag], "Layers": [f"{layer_sha}/layer.tar"]}]
    archive = work / "image.tar"

    def add_bytes(tf: tarfile.TarFile, arcname: str, data: bytes) -> None:
        ti = tarfile.TarInfo(arcname)
        ti.size, ti.mtime, ti.mode = len(data), epoch, 0o644
        tf.addfile(ti, io.BytesIO(data))

    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tf:
        tf.add(tarball, arcname=f"{layer_sha}/layer.tar", recursive=False)
        add_bytes(tf, config_name, config_bytes)
        add_bytes(tf, "manifest.json", json.dumps(manifest).encode())
    proc = _docker(["load", "--quiet", "--input", str(archive)], timeout=600, check=False)
    if proc.returncode != 0:
        raise BaseUnavailable(f"{name}: docker load failed: {_last_line(proc.stderr)}")


def _image_from_inspect(
    name: str, ref: str, info: dict, source: str, digest: str, detail: str
) -> BaseImage:
    return BaseImage(
        name=name,
        ref=ref,
        image_id=info["Id"],
        source=source,
        digest=digest,
        size=int(info.get("Size") or 0),
        detail=detail,
    )


def _bootstrap(
    spec: BaseSpec, cache_dir: pathlib.Path, log: Callable[[str], None], why: str
) -> BaseImage:
    name, kind = spec.name, spec.bootstrap
    recipe = _recipe(kind)
    epoch = _archive_epoch()
    key_input = {"recipe": recipe, "sources_sha256": _sources_fingerprint(name), "epoch": epoch}
    key = hashlib.sha256(json.dumps(key_input, sort_keys=True).encode()).hexdigest()
    tag = f"{LOCAL_REPO}/{name}:{key[:16]}"

    def cached() -> BaseImage | None:
        info = _inspect(tag)
        if info is None:
            return None
        labels = (info.get("Config") or {}).get("Labels") or {}
        if labels.get(LABEL_PREFIX + "key") != key:
            return None
        detail = labels.get(LABEL_PREFIX + "detail") or _describe(kind, epoch)
        return _image_from_inspect(name, tag, info, "bootstrapped", "", detail)

    found = cached()
    if found is not None:
        return found

    cache_dir.mkdir(parents=True, exist_ok=True)
    with _lock(cache_dir, name):
        found = cached()  # another process may have built it while we waited
        if found is not None:
            return found
        _require_root(name)
        log(f"bases: {name}: {why}; bootstrapping ({kind}) as {tag}")
        started = time.monotonic()
        with _workdir(cache_dir, name, log) as work:
            if kind.startswith("debian-"):
                tarball, packages, tool = _bootstrap_debian(name, recipe, epoch, work, log)
            else:
                tarball, packages, tool = _bootstrap_distroless(name, recipe, epoch, work, log)
            manifest = "".join(f"{line}\n" for line in packages)
            detail = _describe(kind, epoch)
            labels = {
                LABEL_PREFIX + "name": name,
                LABEL_PREFIX + "recipe": kind,
                LABEL_PREFIX + "key": key,
                LABEL_PREFIX + "suite": SUITE,
                LABEL_PREFIX + "arch": ARCH,
                LABEL_PREFIX + "source-date-epoch": str(epoch),
                LABEL_PREFIX + "tool": tool,
                LABEL_PREFIX + "packages": str(len(packages)),
                LABEL_PREFIX + "packages-sha256": hashlib.sha256(manifest.encode()).hexdigest(),
                LABEL_PREFIX + "rootfs-sha256": _sha256_file(tarball),
                LABEL_PREFIX + "detail": detail,
            }
            _load(name, tarball, tag, recipe["config"], labels, epoch, detail, work)
            _write_atomic(cache_dir / f"{name}-{key[:16]}.packages.txt", manifest)
        info = _inspect(tag)
        if info is None:
            raise BaseUnavailable(f"{name}: docker load reported success but {tag} is missing")
        log(
            f"bases: {name}: bootstrapped in {time.monotonic() - started:.1f} s, {int(info.get('Size') or 0):,} bytes"
        )
        return _image_from_inspect(name, tag, info, "bootstrapped", "", detail)


def _sha256_file(path: pathlib.Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def ensure_base(
    spec: BaseSpec,
    cache_dir: pathlib.Path,
    log: Callable[[str], None] = print,
    allow_pull: bool = True,
) -> BaseImage:
    """Make ``spec`` usable as a ``FROM`` on this machine and describe the image used.

    Raises :class:`DockerUnavailable` if the docker CLI/daemon cannot be used and
    :class:`BaseUnavailable` if the base can be neither found, pulled nor bootstrapped.
    """
    if spec.name == "scratch":
        return BaseImage(
            "scratch", "scratch", "", "none", "", 0, "FROM scratch: an empty root filesystem"
        )

    cache_dir = pathlib.Path(cache_dir)
    _ping_docker()

    pull_error = ""
    if spec.pull:
        digest = spec.pull.split("@", 1)[1] if "@" in spec.pull else ""
        info = _inspect(spec.pull)
        if info is not None:
            return _image_from_inspect(
                spec.name,
                spec.pull,
                info,
                "pulled",
                digest,
                f"pulled {spec.pull} (present locally)",
            )
        if allow_pull:
            log(f"bases: {spec.name}: docker pull {spec.pull}")
            proc = _docker(["pull", "--quiet", spec.pull], timeout=PULL_TIMEOUT, check=False)
            if proc.returncode == 0:
                info = _inspect(spec.pull)
                if info is not None:
                    return _image_from_inspect(
                        spec.name, spec.pull, info, "pulled", digest, f"pulled {spec.pull}"
                    )
                pull_error = "docker pull succeeded but the image is not listed afterwards"
            else:
                pull_error = _last_line(proc.stderr)
            why = f"cannot pull {spec.pull}: {pull_error}"
        else:
            why = f"{spec.pull} is not present locally and pulling is disabled"
    else:
        why = "no registry reference is configured"

    if spec.bootstrap:
        return _bootstrap(spec, cache_dir, log, why)
    raise BaseUnavailable(f"{spec.name}: {why}; no bootstrap recipe exists for {spec.name}")
