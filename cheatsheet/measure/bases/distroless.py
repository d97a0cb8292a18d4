"""GoogleContainerTools/distroless' Debian 12 images, assembled from Debian packages:
``distroless-static`` and ``distroless-cc``."""

from __future__ import annotations

import os
import pathlib
import shutil
from collections.abc import Callable
from typing import Any, ClassVar

from .bootstrap import Bootstrap, Built
from .common import (
    DEBIAN_VERSION,
    DEFAULT_PATH,
    SUITE,
    BaseUnavailable,
    deb_field,
    download_packages,
    make_dir,
    pack_rootfs,
    put,
    run_step,
    with_newline,
)

# distroless root tag: PATH, SSL_CERT_FILE, user 0, workdir / (the nonroot tag uses 65532 and
# /home/nonroot; run with `--user 65532` or add USER to get that).
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


class DistrolessStatic(Bootstrap):
    """Assembled like distroless' Debian 12 images: the packages' data extracted with ``dpkg-deb -x``
    (no maintainer scripts, no dpkg database, no merged /usr), the CA bundle built from
    ``ca-certificates``' certificate files, ``/etc/passwd`` and ``/etc/group`` with root, nobody and
    nonroot (65532), ``/tmp`` 1777, ``/etc/nsswitch.conf``, an os-release, and per-package metadata
    in ``/var/lib/dpkg/status.d``. Config: ``USER 0``, ``WORKDIR /``, ``ENV PATH`` and
    ``SSL_CERT_FILE`` (distroless' root tag)."""

    name = "distroless-static"
    how = "like distroless static-debian12 (apt-get download + dpkg-deb -x)"
    packages: ClassVar[tuple[str, ...]] = DISTROLESS_STATIC_PACKAGES

    def recipe(self) -> dict[str, Any]:
        return {
            **self.common_recipe(),
            "tool": "apt-get download + dpkg-deb -x",
            "packages": list(self.packages),
            "ca_bundle_from": "ca-certificates",
            "passwd": DISTROLESS_PASSWD,
            "group": DISTROLESS_GROUP,
            "nsswitch": DISTROLESS_NSSWITCH,
            "os_release": DISTROLESS_OS_RELEASE,
            "config": DISTROLESS_CONFIG,
        }

    def build(self, base: str, epoch: int, work: pathlib.Path, log: Callable[[str], None]) -> Built:
        name, recipe = base, self.recipe()
        for tool in ("apt-get", "dpkg-deb"):
            if shutil.which(tool) is None:
                raise BaseUnavailable(f"{name}: {tool} is not installed")
        wanted = [*recipe["packages"], recipe["ca_bundle_from"]]
        by_pkg = download_packages(name, wanted, self.arch, work, lambda m: log(f"bases: {m}"))

        root = work / "rootfs"
        root.mkdir()
        os.chmod(root, 0o755)
        versions = []
        for pkg in recipe["packages"]:
            deb = by_pkg[pkg]
            run_step(name, f"dpkg-deb -x {pkg}", ["dpkg-deb", "-x", str(deb), str(root)])
            control = work / "control" / pkg
            control.parent.mkdir(exist_ok=True)
            run_step(name, f"dpkg-deb -e {pkg}", ["dpkg-deb", "-e", str(deb), str(control)])
            # distroless records each package for scanners in /var/lib/dpkg/status.d/.
            put(root, f"var/lib/dpkg/status.d/{pkg}", (control / "control").read_bytes(), 0o644)
            if (control / "md5sums").is_file():
                put(
                    root,
                    f"var/lib/dpkg/status.d/{pkg}.md5sums",
                    (control / "md5sums").read_bytes(),
                    0o644,
                )
            versions.append(f"{pkg} {deb_field(name, deb, 'Version')}")

        # The CA bundle: every certificate file of ca-certificates, concatenated in sorted order.
        ca = recipe["ca_bundle_from"]
        ca_dir = work / "ca"
        run_step(name, f"dpkg-deb -x {ca}", ["dpkg-deb", "-x", str(by_pkg[ca]), str(ca_dir)])
        certs = sorted(
            (p for p in (ca_dir / "usr/share/ca-certificates").rglob("*") if p.is_file()),
            key=lambda p: p.relative_to(ca_dir).as_posix(),
        )
        if not certs:
            raise BaseUnavailable(f"{name}: {ca} contains no certificates")
        bundle = b"".join(with_newline(p.read_bytes()) for p in certs)
        put(root, "etc/ssl/certs/ca-certificates.crt", bundle, 0o644)
        put(
            root,
            f"usr/share/doc/{ca}/copyright",
            (ca_dir / f"usr/share/doc/{ca}/copyright").read_bytes(),
            0o644,
        )
        versions.append(f"{ca} {deb_field(name, by_pkg[ca], 'Version')} (CA bundle only)")

        put(root, "etc/passwd", recipe["passwd"], 0o644)
        put(root, "etc/group", recipe["group"], 0o644)
        put(root, "etc/nsswitch.conf", recipe["nsswitch"], 0o644)
        put(root, "usr/lib/os-release", recipe["os_release"], 0o644)
        if not (root / "etc/os-release").exists():
            (root / "etc/os-release").symlink_to("../usr/lib/os-release")
        make_dir(root, "tmp", 0o1777)
        make_dir(root, "root", 0o700)
        make_dir(root, "home", 0o755)
        make_dir(root, "home/nonroot", 0o700, NONROOT, NONROOT)

        tarball = work / "rootfs.tar"
        pack_rootfs(root, tarball, epoch)
        apt_version = run_step(name, "apt-get --version", ["apt-get", "--version"])
        first = ([ln.strip() for ln in apt_version.splitlines() if ln.strip()] or [""])[0]
        tool_version = f"apt-get download + dpkg-deb -x ({first})"
        return tarball, sorted(versions), tool_version


class DistrolessCc(DistrolessStatic):
    name = "distroless-cc"
    how = "like distroless cc-debian12 (apt-get download + dpkg-deb -x)"
    packages = DISTROLESS_STATIC_PACKAGES + DISTROLESS_BASE_PACKAGES + DISTROLESS_CC_PACKAGES
