"""Debian's own images, bootstrapped with mmdebstrap: ``debian-minbase`` (like ``debian:bookworm``)
and ``debian-slim`` (like ``debian:bookworm-slim``)."""

from __future__ import annotations

import pathlib
import shlex
import shutil
from collections.abc import Callable
from typing import Any, ClassVar

from .bootstrap import Bootstrap, Built
from .common import DEFAULT_PATH, SUITE, BaseUnavailable, command_env, put, run_step, source_files

MERGED_USR_HOOKS = "/usr/share/mmdebstrap/hooks/merged-usr"

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
_APT_CLEAN = '"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";'
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

# Image config of the official debian images: PATH and CMD ["bash"].
DEBIAN_CONFIG = {"Env": [f"PATH={DEFAULT_PATH}"], "Cmd": ["bash"]}


class DebianMinbase(Bootstrap):
    """``mmdebstrap --mode=root --variant=minbase`` with the merged-/usr hook, plus the apt/dpkg
    settings that debuerreotype (the tool behind the official ``debian`` images) adds for
    containers; config ``CMD ["bash"]`` like the official image."""

    name = "debian-minbase"
    how = "with mmdebstrap (minbase, merged-usr)"
    dpkg_options: ClassVar[tuple[str, ...]] = ()
    #: packages installed besides minbase's (none for the base images; a builder image adds its tools)
    include: ClassVar[tuple[str, ...]] = ()

    def recipe(self) -> dict[str, Any]:
        return {
            **self.common_recipe(),
            "tool": "mmdebstrap",
            "mode": "root",
            "variant": "minbase",
            "hook_dir": MERGED_USR_HOOKS,
            "dpkgopts": list(self.dpkg_options),
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

    def build(self, base: str, epoch: int, work: pathlib.Path, log: Callable[[str], None]) -> Built:
        recipe = self.recipe()
        if shutil.which("mmdebstrap") is None:
            raise BaseUnavailable(f"{base}: mmdebstrap is not installed (apt-get install mmdebstrap)")
        versions = run_step(base, "mmdebstrap --version", ["mmdebstrap", "--version"])
        tool_version = ([ln.strip() for ln in versions.splitlines() if ln.strip()] or ["(no output)"])[-1]

        overlay = work / "overlay"
        for rel, mode, content in recipe["files"]:
            put(overlay, rel, content, mode)
        pkglist = work / "packages.txt"
        tarball = work / "rootfs.tar"
        remove = " ".join(f'"$1"/{p}' for p in recipe["remove"])
        cmd = [
            "mmdebstrap",
            f"--mode={recipe['mode']}",
            f"--variant={recipe['variant']}",
            f"--architectures={self.arch}",
            "--format=tar",
            f"--hook-dir={recipe['hook_dir']}",
            *(f"--skip={k}" for k in recipe["skip"]),
            *(f"--dpkgopt={o}" for o in recipe["dpkgopts"]),
            *([f"--include={','.join(self.include)}"] if self.include else []),
            f"--customize-hook=rm -rf {remove}",
            f"--customize-hook=sync-in {overlay} /",
            "--customize-hook=chroot \"$1\" dpkg-query -W -f '${Package} ${Version}\\n' > " + shlex.quote(str(pkglist)),
            SUITE,
            str(tarball),
            *(str(f) for f in source_files()),
        ]
        env = command_env()
        env["SOURCE_DATE_EPOCH"] = str(epoch)
        env["TMPDIR"] = str(work)
        log(f"bases: {base}: running mmdebstrap ({recipe['variant']}, {SUITE}, {self.arch}) ...")
        run_step(base, "mmdebstrap", cmd, env=env)
        packages = sorted(pkglist.read_text().splitlines())
        return tarball, packages, tool_version


class DebianSlim(DebianMinbase):
    """The same plus debuerreotype's "slimify" path-exclude/path-include rules (no man pages, no docs
    except copyright files, no locales), given to dpkg so they also hold for later installs."""

    name = "debian-slim"
    how = "with mmdebstrap (minbase, merged-usr, debuerreotype slim excludes)"
    dpkg_options = tuple(f"path-exclude={p}" for p in SLIM_EXCLUDES) + tuple(f"path-include={p}" for p in SLIM_INCLUDES)
