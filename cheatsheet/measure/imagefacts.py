"""What an image carries, read from its root filesystem: CA bundle, users, tzdata, shell, libraries,
and what an intruder would find in it (setuid files, interpreters, network tools, packages,
world-writable directories).

:func:`facts_from_tar` reads the tar of an image's merged filesystem (``docker export`` of a
container created from it) and answers, without running anything in the image, the questions that
decide whether a program works on that base: is there a CA bundle and where, is there an
``/etc/passwd`` and an unprivileged user, time zone data, a shell, a package manager, which C
library, ``libssl`` and ``libgcc_s``; and what it offers someone who gets code running in it: setuid
and setgid files, interpreters, network tools, installed packages, world-writable directories.
Symbolic links are followed inside the image (merged-/usr images keep ``/bin`` as a link to
``usr/bin``), never on the measuring machine.
"""

from __future__ import annotations

import posixpath
import re
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .docker import docker, last_line

# Where the common distributions keep the bundle that OpenSSL and rustls-native-certs read, in the
# order those libraries probe them (Debian/Ubuntu/Alpine, Fedora/RHEL, OpenSUSE).
CA_BUNDLE_PATHS = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/ssl/cert.pem",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
)
SHELL_PATH = "/bin/sh"
PACKAGE_MANAGERS = (("apt", "/usr/bin/apt-get"), ("apk", "/sbin/apk"), ("dpkg", "/usr/bin/dpkg"))
#: Interpreters and network tools an intruder could use, by name and the paths they are looked for at.
INTERPRETERS = (
    ("perl", ("/usr/bin/perl", "/bin/perl")),
    ("python3", ("/usr/bin/python3", "/bin/python3", "/usr/local/bin/python3")),
    ("python", ("/usr/bin/python", "/bin/python", "/usr/local/bin/python")),
)
NETWORK_TOOLS = (("curl", ("/usr/bin/curl", "/bin/curl")), ("wget", ("/usr/bin/wget", "/bin/wget")))
#: Package databases: dpkg's status file, distroless' one file per package, apk's database.
DPKG_STATUS = "/var/lib/dpkg/status"
DPKG_STATUS_DIR = "/var/lib/dpkg/status.d"
APK_INSTALLED = "/lib/apk/db/installed"
#: Directories the container runtime mounts over at run time: what the image holds there is not what runs.
RUNTIME_MOUNTS = ("/dev", "/proc", "/sys")
ZONEINFO_PATHS = ("/usr/share/zoneinfo/UTC", "/usr/share/zoneinfo/Etc/UTC")
FIRST_UNPRIVILEGED_UID = 1000
MAX_LINK_HOPS = 40
MAX_READ = 16 << 20
# What Docker's container init layer adds to every exported container: not part of the image.
CONTAINER_PLACEHOLDERS = frozenset(
    {"/.dockerenv", "/dev/console", "/etc/hostname", "/etc/hosts", "/etc/mtab", "/etc/resolv.conf"}
)  # the largest file read for its content (a CA bundle is about 200 kB)

_LIBSSL = re.compile(r"libssl\.so\.[0-9.]+")
_LIBC = (("glibc", re.compile(r"libc\.so\.6")), ("musl", re.compile(r"ld-musl-[a-z0-9_]+\.so\.1")))


class ImageFactsError(Exception):
    """The filesystem tar could not be read."""


@dataclass(frozen=True)
class ImageFacts:
    files: int
    ca_bundle: str
    ca_certs: int
    passwd: str
    unprivileged_users: str
    tzdata: str
    shell: str
    package_manager: str
    libc: str
    libssl: str
    libgcc_s: str
    nsswitch: str
    setuid_files: int
    setuid_paths: str
    interpreters: str
    network_tools: str
    packages: int | None
    world_writable_dirs: int
    world_writable_paths: str

    def as_row(self) -> dict[str, object]:
        return dict(self.__dict__)


class _Tree:
    """The members of a filesystem tar by absolute path, with symbolic links resolved inside it."""

    def __init__(self, tar: tarfile.TarFile):
        self.tar = tar
        self.members: dict[str, tarfile.TarInfo] = {}
        for m in tar:
            self.members[_absolute(m.name)] = m

    def resolve(self, path: str) -> tarfile.TarInfo | None:
        """The member ``path`` names after following symbolic links in every component, or None."""
        pending = [p for p in path.split("/") if p]
        current = "/"
        hops = 0
        while pending:
            candidate = posixpath.normpath(posixpath.join(current, pending.pop(0)))
            member = self.members.get(candidate)
            if member is None:
                return None
            if member.issym():
                hops += 1
                if hops > MAX_LINK_HOPS:
                    return None
                pending = [p for p in member.linkname.split("/") if p] + pending
                if member.linkname.startswith("/"):
                    current = "/"
                continue
            if pending and not member.isdir():
                return None
            current = candidate
        return self.members.get(current)

    def regular(self, path: str) -> tarfile.TarInfo | None:
        member = self.resolve(path)
        if member is None:
            return None
        if member.islnk():  # a hard link names the member that holds the data
            member = self.members.get(_absolute(member.linkname))
        return member if member is not None and member.isfile() else None

    def read(self, path: str) -> bytes | None:
        member = self.regular(path)
        if member is None or member.size > MAX_READ:
            return None
        fh = self.tar.extractfile(member)
        return fh.read() if fh is not None else None

    def names(self) -> Iterable[str]:
        return self.members.keys()


def _absolute(name: str) -> str:
    """A tar member name ("./etc/passwd", "etc/passwd", ".") as an absolute path ("/etc/passwd", "/")."""
    return posixpath.normpath("/" + name.removeprefix("./"))


def _unprivileged_users(passwd: bytes) -> str:
    users = []
    for line in passwd.decode("utf-8", "replace").splitlines():
        fields = line.split(":")
        if len(fields) >= 3 and fields[2].isdigit() and int(fields[2]) >= FIRST_UNPRIVILEGED_UID:
            users.append(f"{fields[0]}:{fields[2]}")
    return " ".join(users)


def _library(tree: _Tree, pattern: re.Pattern[str]) -> str:
    """The basename of the first library file matching ``pattern``, by sorted path (deterministic)."""
    for path in sorted(tree.names()):
        name = posixpath.basename(path)
        if pattern.fullmatch(name) and tree.resolve(path) is not None:
            return name
    return ""


def _first_found(tree: _Tree, candidates: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """The names of ``candidates`` with a regular file at one of their paths, space-separated."""
    return " ".join(name for name, paths in candidates if any(tree.regular(p) is not None for p in paths))


def _under_runtime_mount(path: str) -> bool:
    return any(path == m or path.startswith(m + "/") for m in RUNTIME_MOUNTS)


def count_dpkg_status(status: bytes) -> int:
    """Packages dpkg calls installed in a ``status`` file (stanzas whose Status ends in ``installed``)."""
    count = 0
    for stanza in status.decode("utf-8", "replace").split("\n\n"):
        for line in stanza.splitlines():
            if line.startswith("Status:") and line.split()[-1] == "installed":
                count += 1
                break
    return count


def _packages(tree: _Tree) -> int | None:
    """Installed packages by the image's own database, or None when it has none."""
    status = tree.read(DPKG_STATUS)
    if status is not None:
        return count_dpkg_status(status)
    prefix = DPKG_STATUS_DIR + "/"
    entries = [
        p for p, m in tree.members.items() if p.startswith(prefix) and m.isfile() and "/" not in p[len(prefix) :]
    ]
    if entries:  # distroless: one stanza per package, plus a .md5sums file beside some
        return sum(1 for p in entries if not p.endswith(".md5sums"))
    apk = tree.read(APK_INSTALLED)
    if apk is not None:
        return sum(1 for line in apk.decode("utf-8", "replace").splitlines() if line.startswith("P:"))
    return None


def facts_from_tar(stream: IO[bytes]) -> ImageFacts:
    """The facts of the filesystem in the tar ``stream`` (as ``docker export`` writes it)."""
    try:
        with tarfile.open(fileobj=stream, mode="r:*") as tar:
            tree = _Tree(tar)
            return _facts(tree)
    except tarfile.TarError as exc:
        raise ImageFactsError(f"not a readable filesystem tar: {exc}") from None


def _facts(tree: _Tree) -> ImageFacts:
    ca_bundle, ca_certs = "", 0
    for path in CA_BUNDLE_PATHS:
        data = tree.read(path)
        if data is not None:
            ca_bundle, ca_certs = path, data.count(b"-----BEGIN CERTIFICATE-----")
            break
    passwd = tree.read("/etc/passwd")
    shell = ""
    if tree.regular(SHELL_PATH) is not None:
        target = tree.resolve(SHELL_PATH)
        shell = posixpath.basename(target.name) if target is not None else ""
    package_manager = next((name for name, path in PACKAGE_MANAGERS if tree.regular(path) is not None), "")
    libc = next((name for name, pattern in _LIBC if _library(tree, pattern)), "")
    setuid = sorted(
        path for path, m in tree.members.items() if m.isfile() and m.mode & 0o6000 and not _under_runtime_mount(path)
    )
    writable = sorted(
        path for path, m in tree.members.items() if m.isdir() and m.mode & 0o002 and not _under_runtime_mount(path)
    )
    return ImageFacts(
        files=sum(1 for path, m in tree.members.items() if m.isfile() and path not in CONTAINER_PLACEHOLDERS),
        ca_bundle=ca_bundle,
        ca_certs=ca_certs,
        passwd="yes" if passwd is not None else "no",
        unprivileged_users=_unprivileged_users(passwd) if passwd is not None else "",
        tzdata="yes" if any(tree.regular(p) is not None for p in ZONEINFO_PATHS) else "no",
        shell=shell,
        package_manager=package_manager,
        libc=libc,
        libssl=_library(tree, _LIBSSL),
        libgcc_s="yes" if _library(tree, re.compile(r"libgcc_s\.so\.1")) else "no",
        nsswitch="yes" if tree.regular("/etc/nsswitch.conf") is not None else "no",
        setuid_files=len(setuid),
        setuid_paths=" ".join(setuid),
        interpreters=_first_found(tree, INTERPRETERS),
        network_tools=_first_found(tree, NETWORK_TOOLS),
        packages=_packages(tree),
        world_writable_dirs=len(writable),
        world_writable_paths=" ".join(writable),
    )


def image_facts(ref: str, workdir: Path, *, timeout: float = 600) -> ImageFacts:
    """The facts of image ``ref``: a container is created (never started), exported, read and removed."""
    created = docker("create", "--label", "cheatsheet.imagefacts=1", ref, "/cheatsheet-never-run", timeout=timeout)
    if created.returncode != 0:
        raise ImageFactsError(f"docker create {ref} failed: {last_line(created.stderr)}")
    container = created.stdout.strip()
    try:
        workdir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=workdir) as tmp:
            exported = docker("export", container, timeout=timeout, stdout=tmp, text=False)
            if exported.returncode != 0:
                raise ImageFactsError(
                    f"docker export of {ref} failed: {last_line(exported.stderr.decode(errors='replace'))}"
                )
            tmp.seek(0)
            return facts_from_tar(tmp)
    finally:
        docker("rm", "--force", container, timeout=timeout)
