"""Make a base image usable as a ``FROM`` on this machine: present locally, pulled by digest, or
bootstrapped from Debian packages (see :mod:`cheatsheet.bases`) and loaded into Docker."""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import pathlib
import subprocess
import tarfile
import time
from collections.abc import Callable

from ...recipes.arch import ARCHES
from ...recipes.model import BaseSpec
from ...util import atomic_write, file_lock, sha256_file, useful_line
from ..docker import DockerUnavailable, docker, inspect_image, server_version
from .bootstrap import Bootstrap
from .common import ARCH, SUITE, BaseImage, BaseUnavailable, archive_epoch, require_root, sources_fingerprint, workdir
from .registry import bootstrap_for

__all__ = ["BaseImage", "BaseSpec", "BaseUnavailable", "DockerUnavailable", "ensure_base"]

LOCAL_REPO = "cheatsheet-base"
LABEL_PREFIX = "cheatsheet.base."
PULL_TIMEOUT = 900


def _docker(args: list[str], *, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        proc = docker(*args, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise DockerUnavailable(f"`docker {args[0]}` did not answer within {timeout:.0f} s") from exc
    if check and proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, proc.args, proc.stdout, proc.stderr)
    return proc


def _load(
    arch: str,
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
    layer_sha = sha256_file(tarball)
    created = _dt.datetime.fromtimestamp(epoch, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    image_config = {
        "architecture": arch,
        **({"variant": ARCHES[arch].image_variant} if ARCHES[arch].image_variant else {}),
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
        raise BaseUnavailable(f"{name}: docker load failed: {useful_line(proc.stderr)}")


def _image_frominspect_image(name: str, ref: str, info: dict, source: str, digest: str, detail: str) -> BaseImage:
    return BaseImage(
        name=name,
        ref=ref,
        image_id=info["Id"],
        source=source,
        digest=digest,
        size=int(info.get("Size") or 0),
        detail=detail,
        arch=str(info.get("Architecture") or ""),
    )


def _bootstrap(
    spec: BaseSpec, cache_dir: pathlib.Path, log: Callable[[str], None], why: str, arch: str = ARCH
) -> BaseImage:
    name, kind = spec.name, spec.bootstrap
    recipe_class: Bootstrap = bootstrap_for(kind, arch)
    recipe = recipe_class.recipe()
    epoch = archive_epoch()
    key_input = {"recipe": recipe, "sources_sha256": sources_fingerprint(name), "epoch": epoch}
    key = hashlib.sha256(json.dumps(key_input, sort_keys=True).encode()).hexdigest()
    tag = f"{LOCAL_REPO}/{name}:{key[:16]}"

    def cached() -> BaseImage | None:
        info = inspect_image(tag)
        if info is None:
            return None
        labels = (info.get("Config") or {}).get("Labels") or {}
        if labels.get(LABEL_PREFIX + "key") != key:
            return None
        detail = labels.get(LABEL_PREFIX + "detail") or recipe_class.describe(epoch)
        return _image_frominspect_image(name, tag, info, "bootstrapped", "", detail)

    found = cached()
    if found is not None:
        return found

    cache_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(cache_dir / f".{name}.lock"):
        found = cached()  # another process may have built it while we waited
        if found is not None:
            return found
        require_root(name)
        log(f"bases: {name}: {why}; bootstrapping ({kind}) as {tag}")
        started = time.monotonic()
        with workdir(cache_dir, name, log) as work:
            tarball, packages, tool = recipe_class.build(name, epoch, work, log)
            manifest = "".join(f"{line}\n" for line in packages)
            detail = recipe_class.describe(epoch)
            labels = {
                LABEL_PREFIX + "name": name,
                LABEL_PREFIX + "recipe": kind,
                LABEL_PREFIX + "key": key,
                LABEL_PREFIX + "suite": SUITE,
                LABEL_PREFIX + "arch": arch,
                LABEL_PREFIX + "source-date-epoch": str(epoch),
                LABEL_PREFIX + "tool": tool,
                LABEL_PREFIX + "packages": str(len(packages)),
                LABEL_PREFIX + "packages-sha256": hashlib.sha256(manifest.encode()).hexdigest(),
                LABEL_PREFIX + "rootfs-sha256": sha256_file(tarball),
                LABEL_PREFIX + "detail": detail,
            }
            _load(arch, name, tarball, tag, recipe_class.config, labels, epoch, detail, work)
            atomic_write(cache_dir / f"{name}-{key[:16]}.packages.txt", manifest)
        info = inspect_image(tag)
        if info is None:
            raise BaseUnavailable(f"{name}: docker load reported success but {tag} is missing")
        log(f"bases: {name}: bootstrapped in {time.monotonic() - started:.1f} s, {int(info.get('Size') or 0):,} bytes")
        return _image_frominspect_image(name, tag, info, "bootstrapped", "", detail)


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def ensure_base(
    spec: BaseSpec,
    cache_dir: pathlib.Path,
    log: Callable[[str], None] = print,
    allow_pull: bool = True,
    arch: str = ARCH,
) -> BaseImage:
    """Make ``spec`` usable as a ``FROM`` on this machine and describe the image used.

    ``arch`` is the architecture of the image (``amd64`` or ``arm64``): a pull asks for that
    platform, an image present locally is used only if its config declares it, and a bootstrap
    makes it from that architecture's Debian packages.

    Raises :class:`DockerUnavailable` if the docker CLI/daemon cannot be used and
    :class:`BaseUnavailable` if the base can be neither found, pulled nor bootstrapped.
    """
    if spec.name == "scratch":
        return BaseImage("scratch", "scratch", "", "none", "", 0, "FROM scratch: an empty root filesystem", arch)

    cache_dir = pathlib.Path(cache_dir)
    server_version()

    pull_error = ""
    if spec.pull:
        digest = spec.pull.split("@", 1)[1] if "@" in spec.pull else ""
        info = inspect_image(spec.pull)
        if info is not None and info.get("Architecture") != arch:
            info = None  # the reference names another architecture's image here: pull this one's
        if info is not None:
            return _image_frominspect_image(
                spec.name,
                spec.pull,
                info,
                "pulled",
                digest,
                f"pulled {spec.pull} (present locally)",
            )
        if allow_pull:
            log(f"bases: {spec.name}: docker pull {spec.pull}")
            proc = _docker(
                ["pull", "--quiet", "--platform", f"linux/{arch}", spec.pull], timeout=PULL_TIMEOUT, check=False
            )
            if proc.returncode == 0:
                info = inspect_image(spec.pull)
                if info is not None and info.get("Architecture") == arch:
                    return _image_frominspect_image(spec.name, spec.pull, info, "pulled", digest, f"pulled {spec.pull}")
                pull_error = "docker pull succeeded but the image is not listed afterwards"
            else:
                pull_error = useful_line(proc.stderr)
            why = f"cannot pull {spec.pull}: {pull_error}"
        else:
            why = f"{spec.pull} is not present locally and pulling is disabled"
    else:
        why = "no registry reference is configured"

    if spec.bootstrap:
        return _bootstrap(spec, cache_dir, log, why, arch)
    raise BaseUnavailable(f"{spec.name}: {why}; no bootstrap recipe exists for {spec.name}")
