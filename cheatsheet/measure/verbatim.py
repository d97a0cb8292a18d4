"""Build a variant's full Dockerfile as the page shows it, run the image with the same check as the
measured row, and record the outcome as a row of measurements/dockerfile_builds.csv.

The build is what a reader runs: the Dockerfile text byte for byte (:func:`full_dockerfile`) at the root
of a copy of the program's crate (manifests, lock file and sources), ``docker build`` with no build
argument and no layer cache, so that the time is a cold build's. The ``FROM`` lines resolve to what this
machine has under the names the file gives: the builder (:mod:`.builder`) and the base image, which is
tagged with the name the file's ``ARG BASE`` defaults to when it was bootstrapped here.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ..data.schema import Schema, schema_path_for
from ..data.store import fit_to_schema, upsert_rows
from ..data.table import validate_row
from ..data.text import DataError
from ..paths import MEASUREMENTS, label
from ..recipes.arch import DEFAULT_ARCH, host_arch
from ..recipes.dockerfile import dockerfile_sha256, full_dockerfile, shown_ref
from ..recipes.model import Variant
from ..util import run_command, useful_line
from .bases.images import BaseImage, BaseUnavailable
from .builder import Builder, ensure_builder
from .checks import is_server, verify, verify_server
from .context import Context
from .docker import docker, inspect_image, stderr_line
from .errors import MeasureError
from .netcheck import TestNetwork
from .rows import now
from .runner import server_network
from .toolchain import ToolchainError

BUILD_TIMEOUT = 2400
DEFAULT_SCHEMA = MEASUREMENTS / "dockerfile_builds.schema.json"
#: What a reader's crate holds that the build needs; target/ (and anything else) stays out.
CRATE_FILES = ("Cargo.toml", "Cargo.lock", "src")


def crate_context(variant: Variant, directory: Path) -> None:
    """The build context a reader has: the crate's files and the full Dockerfile beside them."""
    for name in CRATE_FILES:
        source = variant.program.dir / name
        if source.is_dir():
            shutil.copytree(source, directory / name)
        elif source.is_file():
            shutil.copy2(source, directory / name)
        else:
            raise MeasureError(f"{variant.program.id} has no {name} to build from")
    (directory / "Dockerfile").write_text(full_dockerfile(variant))


def tag_bootstrapped_base(base: BaseImage, shown: str) -> None:
    """Tag a bootstrapped ``base`` as ``shown`` unless Docker has another, real image under that name."""
    found = inspect_image(shown)
    if found is not None and found["Id"] != base.image_id:
        labels = (found.get("Config") or {}).get("Labels") or {}
        if not any(k.startswith("cheatsheet.base.") for k in labels):
            raise MeasureError(f"{shown} is another image here (not bootstrapped by the cheatsheet); not replacing it")
    proc = docker("tag", base.ref, shown, timeout=60)
    if proc.returncode != 0:
        raise MeasureError(f"docker tag {base.ref} {shown} failed: {stderr_line(proc)}")


SETTING_UP = re.compile(r"Setting up ([a-z0-9][a-z0-9+.-]+)(?::[a-z0-9]+)? \(([^)\s]+)\)")


def installed_versions(output: str, packages: tuple[str, ...]) -> str:
    """``name=version`` of each of ``packages`` that apt set up in a build's output, space-separated."""
    found = dict(SETTING_UP.findall(output))
    return " ".join(f"{p}={found[p]}" for p in packages if p in found)


def host_versions(packages: tuple[str, ...]) -> str:
    """``name=version`` of ``packages`` on this machine (an empty version: not installed)."""
    if not packages:
        return ""
    proc = run_command(["dpkg-query", "-W", "-f", "${Package}=${Version}\\n", *packages], check=False, timeout=60)
    found = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return " ".join(f"{p}={found.get(p, '')}" for p in packages)


def image_binary(tag: str, binary: str, out: Path) -> Path:
    """Copy ``/<binary>`` out of the image ``tag`` into ``out``."""
    created = docker("create", tag, timeout=60)
    if created.returncode != 0:
        raise MeasureError(f"docker create {tag} failed: {stderr_line(created)}")
    container = created.stdout.strip()
    try:
        copied = docker("cp", f"{container}:/{binary}", str(out), timeout=120)
        if copied.returncode != 0:
            raise MeasureError(f"docker cp of /{binary} failed: {stderr_line(copied)}")
    finally:
        docker("rm", "--force", container, timeout=60)
    return out


def build_failure(output: str) -> str:
    """The line of a failed ``docker build`` that says why: the step's error, else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for prefer in ("error:", "error", "failed", "unable"):
        for line in reversed(lines):
            if prefer in line.lower() and not line.startswith("Step "):
                return line[:300]
    return useful_line(output)[:300]


def build_verbatim(
    variant: Variant,
    base: BaseImage,
    builder: Builder,
    tag: str,
    network: TestNetwork | None,
    docker_version: str,
    host_arch: str,
    log_path: Path,
    *,
    buildx: bool = False,
) -> dict[str, Any]:
    """Build the full Dockerfile of ``variant`` as ``tag``, check the image, and return its row.

    ``buildx``: build with BuildKit (``docker buildx build --platform linux/<arch> --load``), as the file's
    own instructions say for another architecture; otherwise with the classic builder, ``docker build``."""
    row = unbuilt_row(variant, builder, base.source, "", docker_version, host_arch)
    if base.source == "bootstrapped":
        tag_bootstrapped_base(base, shown_ref(variant.base.pull))
    with tempfile.TemporaryDirectory(prefix="cheatsheet-verbatim-") as tmp:
        context = Path(tmp)
        crate_context(variant, context)
        command = ["build", "--no-cache", "--tag", tag, str(context)]
        if buildx:
            command = ["buildx", "build", "--platform", f"linux/{variant.arch}", "--load", *command[1:]]
        t0 = time.monotonic()
        try:
            proc = docker(*command, timeout=BUILD_TIMEOUT)
        except subprocess.TimeoutExpired:
            row.update(failure=f"docker build did not finish within {BUILD_TIMEOUT} s", measured_at=now())
            return row
        seconds = time.monotonic() - t0
        log_path.write_text(f"$ docker {' '.join(command)}\n{proc.stdout}\n{proc.stderr}")
        if proc.returncode != 0:
            row.update(failure=build_failure(proc.stdout + "\n" + proc.stderr), measured_at=now())
            return row
        info = inspect_image(tag)
        if info is None:
            raise MeasureError(f"docker build succeeded but {tag} is missing")
        binary = image_binary(tag, variant.program.binary, context / "binary")
        data = binary.read_bytes()
    packages = variant.program.packages_for(variant.features)
    row.update(
        build_packages=installed_versions(proc.stdout + proc.stderr, packages),
        host_packages=host_versions(packages),
        built="yes",
        build_seconds=round(seconds, 1),
        image_bytes=int(info["Size"]),
        binary_bytes=len(data),
        binary_sha256=hashlib.sha256(data).hexdigest(),
        runs_as=(info.get("Config") or {}).get("User") or "root",
    )
    if is_server(variant):
        if network is None:
            raise MeasureError("a server's image needs the test network to be checked")
        outcome = verify_server(variant, network, tag)
        runs, failure = outcome["runs"], outcome["failure"]
    else:
        runs, failure = verify(variant, tag)
    row.update(runs=runs, failure=failure, measured_at=now())
    return row


def run(variants: list[Variant], ctx: Context, csv_path: Path, *, buildx: bool = False) -> int:
    """Build each variant's full Dockerfile verbatim and upsert its row into ``csv_path``; return how
    many could not be measured (a build that fails is a row, not a failure of the run)."""
    schema = Schema.load(schema_path_for(csv_path) if schema_path_for(csv_path).is_file() else DEFAULT_SCHEMA)
    where = label(csv_path)
    failed = 0
    builder: Builder | None = None
    try:
        for i, variant in enumerate(variants, start=1):
            vid = f"{variant.program.id}/{variant.id}"
            t0 = time.monotonic()
            try:
                if builder is None:
                    slim = next(
                        v for v in ctx.recipes.variants if v.base.name == "debian-slim" and v.arch == DEFAULT_ARCH
                    )
                    builder = ensure_builder(
                        ctx.base(slim), ctx.toolchain("rustup"), allow_pull=ctx.allow_pull, log=ctx.log
                    )
                try:
                    base = ctx.base(variant)
                except BaseUnavailable:  # its message quotes the registry's answer: not for the data
                    why = (
                        f"the base image {variant.base.name} can be neither pulled here (no registry answers) "
                        "nor bootstrapped from Debian packages"
                    )
                    row = unbuilt_row(variant, builder, "none", why, ctx.docker_version(), host_arch())
                else:
                    network = server_network(ctx) if is_server(variant) else None
                    ctx.log(f"[{i}/{len(variants)}] {vid}: docker build of the full Dockerfile, no cache ...")
                    row = build_verbatim(
                        variant, base, builder, ctx.tag(variant) + "-verbatim", network,
                        ctx.docker_version(), host_arch(), ctx.log_path(variant, "verbatim"), buildx=buildx,
                    )  # fmt: skip
                row, _cut = fit_to_schema(row, schema)
                validate_row(schema, row, label=f"{where} (row of {vid})")
                upsert_rows(csv_path, [row], label=where, schema=schema)
            except (MeasureError, ToolchainError, DataError, subprocess.TimeoutExpired) as exc:
                ctx.log(f"error: {vid}: {exc}")
                failed += 1
                continue
            outcome = (
                f"built in {row['build_seconds']} s, image {row['image_bytes']:,} B, runs: {row['runs']}"
                + (f" ({row['failure']})" if row["failure"] else "")
                if row["built"] == "yes"
                else f"not built: {row['failure']}"
            )
            ctx.log(f"[{i}/{len(variants)}] {vid}: {outcome} ({time.monotonic() - t0:.1f} s)")
    finally:
        ctx.close()
    return failed


def unbuilt_row(
    variant: Variant, builder: Builder, base_source: str, why: str, docker_version: str, host_arch: str
) -> dict[str, Any]:
    """The row of a Dockerfile not built (yet): what is known before ``docker build``, and ``why``."""
    return {
        "program": variant.program.id,
        "variant": variant.id,
        "arch": variant.arch,
        "dockerfile_sha256": dockerfile_sha256(variant),
        "builder": builder.tag,
        "builder_source": builder.source,
        "builder_id": builder.image_id,
        "builder_detail": builder.detail,
        "base_source": base_source,
        "built": "no",
        "runs": None,
        "runs_as": None,
        "image_bytes": None,
        "binary_bytes": None,
        "binary_sha256": None,
        "build_seconds": None,
        "build_packages": "",
        "host_packages": "",
        "failure": why,
        "docker_version": docker_version,
        "host_arch": host_arch,
        "measured_at": now(),
    }
