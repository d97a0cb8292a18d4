"""The rows a measurement writes: an image's row (measured, or a failed build as a finding), its
provenance and cache key, a row kept in the cache, and the base image's row of base_images.csv."""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from ..data.schema import Schema
from ..data.store import fit_to_schema, upsert_rows
from ..data.table import validate_row
from ..data.text import DataError
from ..paths import label
from ..recipes.arch import arch_of_machine, host_arch
from ..recipes.dockerfile import dockerfile
from ..recipes.model import Variant
from ..util import atomic_write
from .bases.images import BaseImage
from .cargo import source_digest
from .context import Context
from .errors import MeasureError
from .imagefacts import ImageFacts, facts_from_tar, image_facts
from .images import COMPRESSION
from .toolchain import Toolchain

# Bump when the way a row is measured changes: it invalidates every cached row.
METHOD_VERSION = "3"  # 3: server checks against local peers; base image facts


def now() -> _dt.datetime:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0)


def recipe_key(variant: Variant, tc: Toolchain, base: BaseImage, docker_ver: str, peers: Variant | None = None) -> str:
    """The cache key of a variant's row: every input that can change it."""
    material = {
        "method": METHOD_VERSION,
        "compression": COMPRESSION,
        "recipe": variant.fingerprint(),
        "source": source_digest(variant.program.dir),
        "toolchain": tc.fingerprint,
        "base": [base.name, base.ref, base.image_id],
        "docker": docker_ver,
        "dockerfile": dockerfile(variant),
        "arch": platform.machine(),  # the kernel's name, as the keys of cached rows always had it
        # a server is verified against the peers: their program is an input of the row too
        "peers": source_digest(peers.program.dir) if peers is not None else "",
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def provenance(base: BaseImage, tc: Toolchain, docker_ver: str, key: str) -> dict[str, Any]:
    """The columns that say where a row came from: base image, toolchain, engine, machine, time, inputs."""
    return {
        "base_source": base.source,
        "base_ref": base.ref,
        "base_id": base.image_id,
        "toolchain": tc.id,
        "rustc_release": tc.release,
        "rustc_version": tc.version,
        "docker_version": docker_ver,
        "host_arch": host_arch(),
        "measured_at": now(),
        "recipe_key": key,
    }


def failed_build_row(
    variant: Variant, why: str, base: BaseImage, tc: Toolchain, docker_ver: str, key: str, schema: Schema
) -> dict[str, Any]:
    """The row of a variant whose cargo build failed: no sizes, ``runs`` = no, ``failure`` = cargo's error.

    Columns this function does not know are left empty; the schema decides whether that is allowed.
    """
    row: dict[str, Any] = dict.fromkeys(schema.names)
    row.update(
        {
            **variant.descriptors(),
            "compression": COMPRESSION,
            "base_bytes": base.size,
            "runs": "no",
            "failure": why.split(" (full log: ", maxsplit=1)[0],
            **provenance(base, tc, docker_ver, key),
        }
    )
    return row


def checked_row(row: dict[str, Any], variant: Variant, ctx: Context, schema: Schema) -> dict[str, Any]:
    """``row`` with over-long texts cut to the schema's limits (the full text goes to the variant's
    log), validated by the reader's rules; MeasureError if it still breaks the schema.

    Called before the row is cached, so a row that breaks the schema is never cached.
    """
    row, cut = fit_to_schema(row, schema)
    if cut:
        log_path = ctx.log_path(variant, "row")
        log_path.write_text("".join(f"{column} (full text):\n{text}\n" for column, text in cut.items()))
        ctx.log(
            f"note: {variant.program.id}/{variant.id}: {', '.join(cut)} cut to the column's limit; "
            f"full text in {log_path}"
        )
    try:
        validate_row(schema, row, label=f"{label(ctx.csv_path)} (row of {variant.program.id}/{variant.id})")
    except DataError as exc:
        log_path = ctx.log_path(variant, "row")
        log_path.write_text(f"{exc}\n\nrow:\n{json.dumps(row, indent=1, default=str)}\n")
        first = str(exc).splitlines()[0]
        more = len(exc.problems) - 1
        raise MeasureError(
            f"the measured row breaks the schema: {first}{f' (and {more} more)' if more else ''} "
            f"(row and problems: {log_path})"
        ) from None
    return row


def cached_row(path: Path, schema: Schema) -> dict[str, Any] | None:
    """The row kept at ``path``, if there is one that passes ``schema`` (one cached under an older
    schema is removed: measured again rather than trusted). A column added to the schema since, and
    not required by it, is empty in the row: the figure was not recorded then."""
    if not path.is_file():
        return None
    row = json.loads(path.read_text())
    for f in schema.fields:
        if f.name not in row and not f.required:
            row[f.name] = None
    row["measured_at"] = _dt.datetime.fromisoformat(row["measured_at"])
    row["host_arch"] = arch_of_machine(row.get("host_arch") or "")  # rows cached before it said amd64
    try:
        validate_row(schema, row, label=str(path))
    except DataError:
        path.unlink(missing_ok=True)
        return None
    return row


def cache_row(path: Path, row: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps({**row, "measured_at": row["measured_at"].isoformat()}, indent=1))


def cached_facts(path: Path) -> ImageFacts | None:
    """The facts kept at ``path``, or None when there are none or they were read by an older version
    that knew fewer facts (read again rather than guessed)."""
    if not path.is_file():
        return None
    try:
        return ImageFacts(**json.loads(path.read_text()))
    except (TypeError, ValueError):
        return None


def record_base_facts(base: BaseImage, ctx: Context) -> None:
    """Write what ``base`` carries into the base images' CSV (once per base image per run; cached by image id)."""
    if ctx.facts_path is None or (base.name, base.arch) in ctx.facts_done:
        return  # None: a caller that records no facts (a cold build timed apart)
    ctx.facts_done.add((base.name, base.arch))
    cache = ctx.cache_dir / "facts" / f"{base.name}-{base.arch}-{(base.image_id or 'scratch').replace(':', '-')}.json"
    facts = cached_facts(cache)
    if facts is not None:
        pass
    elif base.name == "scratch":
        with tempfile.TemporaryFile() as empty:
            tarfile.open(fileobj=empty, mode="w").close()
            empty.seek(0)
            facts = facts_from_tar(empty)
    else:
        facts = image_facts(base.ref, ctx.cache_dir / "facts")
    cache.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(cache, json.dumps(facts.as_row(), indent=1))
    row = {
        "base": base.name,
        "arch": base.arch,
        **facts.as_row(),
        "base_source": base.source,
        "base_ref": base.ref,
        "base_id": base.image_id,
        "base_bytes": base.size,
        "docker_version": ctx.docker_version(),
        "host_arch": host_arch(),
        "measured_at": now(),
    }
    upsert_rows(ctx.facts_path, [row], label=label(ctx.facts_path), schema=ctx.facts_schema)
