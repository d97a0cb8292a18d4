"""Build a variant's image, inspect it once, save it once: its size, its layers gzip'd, its architecture.

:func:`build_image` runs ``docker build`` on :func:`cheatsheet.recipes.dockerfile.dockerfile` with the
binary as the only file of the context, then carries one :class:`Image` along: ``docker image inspect``'s
size and id, and the sum of the layer tars gzip'd at :data:`GZIP_LEVEL` (what a registry would store
and a pull transfer), counted from one ``docker save``. When the image config does not declare the
variant's architecture (Docker 20.10's classic builder stamps the host's on a ``FROM scratch`` image),
the same saved archive is rewritten and loaded again: layers, and so every size, stay as they are.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from ..recipes.arch import ARCHES
from ..recipes.dockerfile import dockerfile
from ..recipes.model import Variant
from .bases.images import BaseImage
from .docker import docker, inspect_image, stderr_line
from .errors import MeasureError

GZIP_LEVEL = 6
COMPRESSION = f"gzip-{GZIP_LEVEL}"
BUILD_TIMEOUT = 1800


@dataclass(frozen=True)
class Image:
    """A built image as measured: tag, id, ``docker image inspect`` size, architecture, gzip'd layers."""

    tag: str
    id: str
    size: int
    architecture: str
    compressed: int | None  # None when not asked for


def build_image(
    variant: Variant, base: BaseImage, binary: Path, work: Path, tag: str, *, compress: bool = True
) -> Image:
    """Build the variant's image from ``binary`` as ``tag``; ``work`` holds the temporary files (on the
    cache's disk)."""
    with tempfile.TemporaryDirectory(prefix="cheatsheet-context-") as tmp:
        context = Path(tmp)
        copied = context / variant.program.binary
        shutil.copy2(binary, copied)
        os.utime(copied, (0, 0))  # a fixed time stamp: the same binary always gives the same layer
        (context / "Dockerfile").write_text(dockerfile(variant))
        args = ["build", "--quiet", "--tag", tag]
        if base.name != "scratch":
            args += ["--build-arg", f"BASE={base.ref}"]
        proc = docker(*args, str(context), timeout=BUILD_TIMEOUT)
    if proc.returncode != 0:
        raise MeasureError(f"docker build failed: {stderr_line(proc)}")
    info = _inspected(tag)
    if info.get("Architecture") == variant.arch and not compress:
        return Image(tag, info["Id"], int(info["Size"]), variant.arch, None)
    work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cheatsheet-image-", dir=work) as tmp:
        saved = Path(tmp) / "saved.tar"
        save(tag, saved)
        compressed = layers_gzip_size(saved) if compress else None
        if info.get("Architecture") != variant.arch:
            info = declare_architecture(tag, variant.arch, saved, Path(tmp) / "image.tar")
    return Image(tag, info["Id"], int(info["Size"]), variant.arch, compressed)


def _inspected(tag: str) -> dict[str, Any]:
    info = inspect_image(tag)
    if info is None:
        raise MeasureError(f"docker image inspect {tag} found no image")
    return info


def save(tag: str, out: Path) -> None:
    """``docker save`` of ``tag`` into the file ``out``."""
    with open(out, "wb") as fh:
        proc = docker("save", tag, stdout=fh, timeout=BUILD_TIMEOUT, text=False)
    if proc.returncode != 0:
        raise MeasureError(f"docker save of {tag} failed: {stderr_line(proc)}")


def declare_architecture(tag: str, arch: str, saved: Path, rewritten: Path) -> dict[str, Any]:
    """Make the image config of ``tag`` (saved in ``saved``) say ``arch``, as ``docker buildx build
    --platform`` would, and load it again under the same tag; its inspect record afterwards.

    Only the config, and so the image id, changes: the layers are copied as they are.
    """
    with tarfile.open(saved) as src, tarfile.open(rewritten, "w", format=tarfile.PAX_FORMAT) as dst:
        manifest = json.load(_member(src, "manifest.json"))
        if len(manifest) != 1:
            raise MeasureError(f"docker save of {tag} holds {len(manifest)} images, not one")
        old_config = manifest[0]["Config"]
        config = json.load(_member(src, old_config))
        config["architecture"] = arch
        config.pop("variant", None)
        if ARCHES[arch].image_variant:
            config["variant"] = ARCHES[arch].image_variant
        config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
        config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
        manifest = [{**manifest[0], "Config": config_name, "RepoTags": [tag]}]
        for member in src.getmembers():
            if member.name in ("manifest.json", "repositories", old_config):
                continue
            dst.addfile(member, src.extractfile(member) if member.isfile() else None)
        for name, data in ((config_name, config_bytes), ("manifest.json", json.dumps(manifest).encode())):
            entry = tarfile.TarInfo(name)
            entry.size, entry.mode = len(data), 0o644
            dst.addfile(entry, io.BytesIO(data))
    proc = docker("load", "--quiet", "--input", str(rewritten), timeout=BUILD_TIMEOUT)
    if proc.returncode != 0:
        raise MeasureError(f"docker load of {tag} (architecture {arch}) failed: {stderr_line(proc)}")
    info = _inspected(tag)
    if info.get("Architecture") != arch:
        raise MeasureError(f"{tag} still does not declare {arch} after it was loaded again")
    return info


class _Counter:
    def __init__(self) -> None:
        self.n = 0

    def write(self, data: bytes) -> int:
        self.n += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def gzip_size(stream: IO[bytes], level: int = GZIP_LEVEL) -> int:
    """Bytes of ``stream`` gzip'd at ``level`` (no file name, mtime 0), counted without storing them."""
    counter = _Counter()
    with gzip.GzipFile(fileobj=counter, mode="wb", compresslevel=level, mtime=0, filename="") as gz:
        shutil.copyfileobj(stream, gz, 1 << 20)
    return counter.n


def layers_gzip_size(saved: Path) -> int:
    """Sum of the saved image's layer tars gzip'd at GZIP_LEVEL."""
    with tarfile.open(saved) as tar:
        manifest = json.load(_member(tar, "manifest.json"))
        total = 0
        for layer in manifest[0]["Layers"]:
            with _member(tar, layer) as fh:
                total += gzip_size(fh)
    return total


def _member(tar: tarfile.TarFile, name: str) -> IO[bytes]:
    fh = tar.extractfile(name)
    if fh is None:
        raise MeasureError(f"docker save wrote no file {name!r}")
    return fh
