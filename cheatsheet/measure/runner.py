"""Build, run and measure the variants of programs/recipes.toml with the real Docker engine.

For each variant: get the base image (pulled, or bootstrapped from Debian packages), get the
toolchain, build the binary with cargo, build the image (:mod:`.images`: size as ``docker image
inspect`` reports it, layers gzip'd at level 6), then check it (:mod:`.checks`). The row goes into
measurements/images.csv at once (atomically, replacing the row with the same key), so an interrupted
run keeps what it finished.

A cache keyed on every input that can change the row (recipe, program sources, toolchain, base
image id, Docker version, Dockerfile, the method's version: :func:`.rows.recipe_key`) makes a re-run
with nothing changed take seconds.
"""

from __future__ import annotations

import subprocess
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

from ..data.store import fit_to_schema, upsert_rows
from ..data.table import read_table, validate_row
from ..data.text import DataError
from ..paths import label
from ..recipes.model import Variant
from .bases.images import BaseUnavailable
from .cargo import BuildTime, build_binary, cold_build
from .checks import SERVER_COLUMNS, is_server, verify, verify_server
from .context import Context
from .docker import DockerUnavailable, inspect_image
from .emulation import cannot_run
from .errors import MeasureError, Transient
from .hardening import config_user, hardening_row, image_id, run_checks
from .imagefacts import ImageFactsError, image_facts
from .images import COMPRESSION, build_image
from .netcheck import NetCheckError, TestNetwork
from .rows import (
    cache_row,
    cached_row,
    checked_row,
    failed_build_row,
    now,
    provenance,
    recipe_key,
    record_base_facts,
)
from .toolchain import ToolchainError


def peers_image(ctx: Context) -> str:
    """The image of the local peers ([peers] of the recipes), built FROM scratch like a measured variant."""
    peers = ctx.recipes.peers
    if peers is None:
        raise MeasureError("the recipes declare no [peers] to verify a server against")
    binary = build_binary(peers, ctx.toolchain(peers.target.toolchain), ctx)
    return build_image(peers, ctx.base(peers), binary, ctx.cache_dir, ctx.tag(peers), compress=False).tag


def server_network(ctx: Context) -> TestNetwork:
    """The private network with the local peers, made once per run."""
    if ctx.network is None:
        image = peers_image(ctx)
        try:
            ctx.network = TestNetwork(image, log=ctx.log).__enter__()
        except NetCheckError as exc:
            raise MeasureError(f"the local peers could not be set up: {exc}") from None
    return ctx.network


def measure_variant(variant: Variant, ctx: Context, say: Callable[[str], None]) -> tuple[dict[str, Any], bool]:
    """The row for ``variant`` and whether it came from the cache."""
    schema = ctx.schema
    docker_ver = ctx.docker_version()
    say("base image")
    base = ctx.base(variant)
    record_base_facts(base, ctx)
    say(f"toolchain {variant.target.toolchain}")
    tc = ctx.toolchain(variant.target.toolchain, variant.arch)
    key = recipe_key(variant, tc, base, docker_ver, ctx.recipes.peers if is_server(variant) else None)
    cached = ctx.cache_dir / "rows" / f"{key}.json"
    row = cached_row(cached, schema) if ctx.use_cache else None
    if row is not None and (row["build_seconds"] is not None or not ctx.time_builds):  # an untimed row is timed
        return row, True
    say(f"cargo build ({tc.id}, rustc {tc.release}{', cold, timed' if ctx.time_builds else ''})")
    taken: BuildTime | None = None
    try:
        if ctx.time_builds:
            binary, taken = cold_build(variant, tc, ctx)
        else:
            binary = build_binary(variant, tc, ctx)
    except MeasureError as exc:
        if isinstance(exc, Transient) or not (variant.ladder or is_server(variant)):
            raise
        # A size-ladder step or a cell of the webserver matrix records its failed build as a row (empty
        # sizes, cargo's error as the failure): which combination cannot be built is a finding.
        row = checked_row(failed_build_row(variant, str(exc), base, tc, docker_ver, key, schema), variant, ctx, schema)
        cache_row(cached, row)
        return row, False
    say("docker build, inspect and compress the layers")
    image = build_image(variant, base, binary, ctx.cache_dir, ctx.tag(variant))
    if is_server(variant):
        say("verifying on a private network against the local peers")
        outcome = verify_server(variant, server_network(ctx), image.tag)
    else:
        say("docker run")
        runs, failure = verify(variant, image.tag)
        outcome = {"runs": runs, "failure": failure}
    row = {
        **dict.fromkeys(SERVER_COLUMNS),
        **variant.descriptors(),
        "image_bytes": image.size,
        "compressed_bytes": image.compressed,
        "compression": COMPRESSION,
        "binary_bytes": binary.stat().st_size,
        "build_seconds": None if taken is None else round(taken.wall, 1),
        "build_cpu_seconds": None if taken is None else round(taken.cpu, 1),
        "base_bytes": base.size,
        **outcome,
        **provenance(base, tc, docker_ver, key),
    }
    row = checked_row(row, variant, ctx, schema)
    cache_row(cached, row)
    return row, False


def hardening_done(row: dict[str, Any], ctx: Context) -> bool:
    """Whether hardening.csv already holds a row measured on the image of ``row`` (same recipe key)."""
    path = ctx.hardening_path
    if path is None or not path.is_file():
        return False
    table = read_table(path, ctx.hardening_schema, label=label(path))
    return any(
        (r["program"], r["variant"], r["recipe_key"]) == (row["program"], row["variant"], row["recipe_key"])
        for r in table.rows
    )


def measure_hardening(variant: Variant, row: dict[str, Any], ctx: Context, say: Callable[[str], None]) -> str:
    """Check the image of ``row`` again under the hardening options and read its facts; write its row
    of hardening.csv. Returns what was done ("measured", "cached" or why nothing was)."""
    if ctx.hardening_path is None:
        return "not recorded by this caller"
    if row["runs"] != "yes":
        return "not measured: the image does not pass its normal check"
    if ctx.use_cache and hardening_done(row, ctx):
        return "cached"
    tag = ctx.tag(variant)
    if inspect_image(tag) is None:  # a cached images row whose image was removed since: made again
        say("the image is gone: cargo build and docker build again for the hardening checks")
        base = ctx.base(variant)
        binary = build_binary(variant, ctx.toolchain(variant.target.toolchain, variant.arch), ctx)
        build_image(variant, base, binary, ctx.cache_dir, tag, compress=False)
    server = is_server(variant)
    if server:
        network = server_network(ctx)

        def check(options: Sequence[str]) -> tuple[str, str]:
            outcome = verify_server(variant, network, tag, options)
            return outcome["runs"], outcome["failure"]
    else:

        def check(options: Sequence[str]) -> tuple[str, str]:
            return verify(variant, tag, options)

    say("hardening: --user, --read-only, --cap-drop ALL, all together")
    outcome = run_checks(check, server=server)
    say("hardening: reading the exported image")
    try:
        facts = image_facts(tag, ctx.cache_dir / "facts")
    except ImageFactsError as exc:
        raise MeasureError(f"reading the image's facts: {exc}") from None
    hrow = hardening_row(row, outcome, facts, config_user(tag), image_id(tag), ctx.docker_version(), now())
    hrow, cut = fit_to_schema(hrow, ctx.hardening_schema)
    if cut:
        log_path = ctx.log_path(variant, "hardening")
        log_path.write_text("".join(f"{column} (full text):\n{text}\n" for column, text in cut.items()))
    where = label(ctx.hardening_path)
    validate_row(ctx.hardening_schema, hrow, label=f"{where} (row of {variant.program.id}/{variant.id})")
    upsert_rows(ctx.hardening_path, [hrow], label=where, schema=ctx.hardening_schema)
    flags = ", ".join(f"{k} {outcome[k]}" for k in ("nonroot", "read_only", "no_caps", "hardened"))
    return f"measured ({flags})"


def run(variants: list[Variant], ctx: Context) -> int:
    """Measure ``variants`` in order; return how many failed.

    A variant whose base image can be neither pulled nor bootstrapped here (alpine with no registry)
    is skipped with a message, not counted as a failure: the site keeps its published figure.
    """
    try:
        return _run(variants, ctx)
    finally:
        ctx.close()


def runnable(variants: list[Variant], log: Callable[[str], None]) -> list[Variant]:
    """``variants`` without those of an architecture this machine can neither run nor emulate: one
    line per such architecture says why, and nothing is measured or written for them."""
    reasons = {arch: cannot_run(arch) for arch in {v.arch for v in variants}}
    for arch, reason in sorted(reasons.items()):
        if reason:
            count = sum(v.arch == arch for v in variants)
            log(f"skipped: {count} {arch} variant{'s' if count != 1 else ''}: {reason}")
    return [v for v in variants if not reasons[v.arch]]


def _run(variants: list[Variant], ctx: Context) -> int:
    failed: list[str] = []
    skipped: list[str] = []
    started = time.monotonic()
    variants = runnable(variants, ctx.log)
    csv_label = label(ctx.csv_path)
    for i, variant in enumerate(variants, start=1):
        vid = f"{variant.program.id}/{variant.id}"
        t0 = time.monotonic()

        def say(step: str, i: int = i, vid: str = vid, t0: float = t0) -> None:
            ctx.log(f"[{i}/{len(variants)}] {vid}: {step} ({time.monotonic() - t0:.1f} s)")

        try:
            row, from_cache = measure_variant(variant, ctx, say)
            changed = upsert_rows(ctx.csv_path, [row], label=csv_label, schema=ctx.schema)
        except DockerUnavailable as exc:
            ctx.log(f"error: {vid}: {exc}")
            failed += [f"{v.program.id}/{v.id}" for v in variants[i - 1 :]]  # nothing else can be measured
            break
        except BaseUnavailable as exc:
            ctx.log(f"skipped: {vid}: {exc}")
            skipped.append(vid)
            continue
        except (MeasureError, ToolchainError, DataError, subprocess.TimeoutExpired) as exc:
            ctx.log(f"error: {vid}: {one_line(exc)}")
            failed.append(vid)
            continue
        except Exception as exc:  # a bug or a surprise: this variant fails, the others still run
            log_path = ctx.log_path(variant, "error")
            log_path.write_text(traceback.format_exc())
            ctx.log(f"error: {vid}: unexpected {type(exc).__name__}: {one_line(exc)} (traceback: {log_path})")
            failed.append(vid)
            continue
        status = "runs" if row["runs"] == "yes" else f"does not run ({row['failure']})"
        if row["binary_bytes"] is None:  # a size-ladder step whose build failed: its row says so
            ctx.log(
                f"[{i}/{len(variants)}] {vid}: not built ({row['failure']}); recorded, "
                f"{csv_label} {'updated' if changed else 'unchanged'} ({time.monotonic() - t0:.1f} s)"
            )
            continue
        ctx.log(
            f"[{i}/{len(variants)}] {vid}: image {row['image_bytes']:,} B, compressed {row['compressed_bytes']:,} B, "
            f"binary {row['binary_bytes']:,} B, {status}; {'cached' if from_cache else 'measured'}, "
            f"{csv_label} {'updated' if changed else 'unchanged'} ({time.monotonic() - t0:.1f} s)"
        )
        try:
            done = measure_hardening(variant, row, ctx, say)
        except DockerUnavailable as exc:
            ctx.log(f"error: {vid}: hardening: {exc}")
            failed += [f"{v.program.id}/{v.id}" for v in variants[i - 1 :]]
            break
        except (MeasureError, ToolchainError, DataError, subprocess.TimeoutExpired) as exc:
            ctx.log(f"error: {vid}: hardening: {one_line(exc)}")
            failed.append(vid)
            continue
        except Exception as exc:  # a bug or a surprise: this variant's hardening fails, the others still run
            log_path = ctx.log_path(variant, "error")
            log_path.write_text(traceback.format_exc())
            ctx.log(
                f"error: {vid}: hardening: unexpected {type(exc).__name__}: {one_line(exc)} (traceback: {log_path})"
            )
            failed.append(vid)
            continue
        ctx.log(f"[{i}/{len(variants)}] {vid}: hardening {done} ({time.monotonic() - t0:.1f} s)")
    measured = len(variants) - len(failed) - len(skipped)
    summary = f"done: {measured} of {len(variants)} variants measured"
    if skipped:
        summary += f", {len(skipped)} skipped because the base image cannot be obtained here ({', '.join(skipped)})"
    if failed:
        summary += f", {len(failed)} failed ({', '.join(failed)})"
    ctx.log(f"{summary}, in {time.monotonic() - started:.1f} s")
    return len(failed)


def one_line(exc: BaseException) -> str:
    lines = str(exc).splitlines() or [type(exc).__name__]
    return lines[0] + (f" (and {len(lines) - 1} more lines)" if len(lines) > 1 else "")
