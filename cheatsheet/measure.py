"""Build, run and measure the variants of programs/recipes.toml with the real Docker engine.

For each variant: get the base image (pulled, or bootstrapped from Debian packages), get the
toolchain, build the binary with cargo, build the image from :func:`cheatsheet.recipes.dockerfile`,
record its size as ``docker image inspect`` reports it and its layers' size gzip'd at level 6, run
it with no network and check what it prints. The row goes into measurements/images.csv at once
(atomically, replacing the row with the same key), so an interrupted run keeps what it finished.

A cache keyed on every input that can change the row (recipe, program sources, toolchain, base
image id, Docker version, Dockerfile, this module's method version) makes a re-run with nothing
changed take seconds.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import hashlib
import io
import json
import os
import platform
import shlex
import shutil
import subprocess
import tarfile
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .bases.images import BaseImage, BaseUnavailable, ensure_base
from .docker import DockerUnavailable, run_docker
from .emulation import cannot_run
from .imagefacts import ImageFacts, facts_from_tar, image_facts
from .netcheck import NetCheckError, TestNetwork
from .recipes import ARCH_VARIANT, DEFAULT_ARCH, REPO, Recipes, Variant, dockerfile
from .store import check_row, fit_to_schema, upsert_rows
from .tables import DataError, Schema, schema_path_for
from .toolchain import Toolchain, ToolchainError, toolchain
from .util import atomic_write, file_lock, useful_line

# Bump when the way a row is measured changes: it invalidates every cached row.
METHOD_VERSION = "3"  # 3: server checks against local peers; base image facts
GZIP_LEVEL = 6
COMPRESSION = f"gzip-{GZIP_LEVEL}"
RUN_TIMEOUT = 60
BUILD_TIMEOUT = 1800


class MeasureError(Exception):
    """A variant could not be measured; the message is one line naming the variant and the cause."""


class BuildInterrupted(MeasureError):
    """cargo was killed by a signal: nothing is known about the build, so no row records it."""


@dataclass
class Context:
    recipes: Recipes
    csv_path: Path
    cache_dir: Path
    allow_pull: bool = True
    use_cache: bool = True
    log: Callable[[str], None] = print
    _toolchains: dict[tuple[str, str], Toolchain] = field(default_factory=dict)
    _bases: dict[tuple[str, str], BaseImage] = field(default_factory=dict)
    _docker_version: str = ""
    _network: TestNetwork | None = None
    _facts_done: set[tuple[str, str]] = field(default_factory=set)

    @property
    def facts_path(self) -> Path:
        """base_images.csv beside the images CSV: what each base image carries."""
        return self.csv_path.with_name("base_images.csv")

    def close(self) -> None:
        """Remove what the run created for verification (the peers and their network)."""
        if self._network is not None:
            self._network.close()
            self._network = None

    @property
    def logs_dir(self) -> Path:
        return self.cache_dir / "logs"

    def log_path(self, variant: Variant, kind: str) -> Path:
        """``<cache>/logs/<program>--<variant>.<kind>.log``; never outside the logs directory."""
        name = f"{variant.program.id}--{variant.id}.{kind}.log"
        path = self.logs_dir / name
        if path.parent != self.logs_dir or "/" in name or name.startswith("."):
            raise MeasureError(f"refusing to write a log file named {name!r}")
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        return path


def docker(*args: str, timeout: float = 600, stdout: int | IO[bytes] = subprocess.PIPE) -> subprocess.CompletedProcess:
    return run_docker(list(args), timeout=timeout, stdout=stdout)


def stderr_line(proc: subprocess.CompletedProcess, prefer: str = "error") -> str:
    return useful_line(proc.stderr, prefer)


def docker_version(ctx: Context) -> str:
    if not ctx._docker_version:
        proc = docker("version", "--format", "{{.Server.Version}}", timeout=30)
        if proc.returncode != 0:
            raise DockerUnavailable(f"cannot reach the Docker daemon: {stderr_line(proc)}")
        ctx._docker_version = proc.stdout.decode().strip()
    return ctx._docker_version


def source_digest(directory: Path) -> str:
    """sha256 over the program's tracked inputs: manifests, lock file and sources (not target/)."""
    h = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory)
        if not path.is_file() or rel.parts[0] == "target":
            continue
        h.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def recipe_key(variant: Variant, tc: Toolchain, base: BaseImage, docker_ver: str, peers: Variant | None = None) -> str:
    material = {
        "method": METHOD_VERSION,
        "compression": COMPRESSION,
        "recipe": variant.fingerprint(),
        "source": source_digest(variant.program.dir),
        "toolchain": tc.fingerprint,
        "base": [base.name, base.ref, base.image_id],
        "docker": docker_ver,
        "dockerfile": dockerfile(variant),
        "arch": platform.machine(),
        # a server is verified against the peers: their program is an input of the row too
        "peers": source_digest(peers.program.dir) if peers is not None else "",
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()


def is_server(variant: Variant) -> bool:
    return any(step.is_server for step in variant.verify)


def build_binary(variant: Variant, tc: Toolchain, ctx: Context) -> Path:
    """Build the variant's binary and return a private copy of it.

    Variants built with one toolchain share a target directory, where cargo writes every build of a
    program to the same path: another run (or another variant of this one) may overwrite it at any
    time after cargo returns. So the build and the copy happen under a lock on that directory, and
    what is measured and put into the image is the copy under ``<cache>/binaries``.
    """
    target_dir = ctx.cache_dir / "target" / tc.slot
    flags = tc.rustflags + variant.all_rustflags
    # CARGO_ENCODED_RUSTFLAGS keeps a flag with a space (a cache path) in one piece.
    env = {**os.environ, **tc.env, "CARGO_ENCODED_RUSTFLAGS": "\x1f".join(flags), "CARGO_TERM_COLOR": "never"}
    env.pop("RUSTFLAGS", None)
    cmd = [tc.cargo, *variant.cargo_args(), *tc.cargo_args, "--target-dir", str(target_dir)]
    log_path = ctx.log_path(variant, "cargo")
    copy = ctx.cache_dir / "binaries" / f"{variant.program.id}--{variant.id}"
    target_dir.mkdir(parents=True, exist_ok=True)
    copy.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(target_dir.parent / f".{tc.slot}.lock"):
        proc = subprocess.run(
            cmd,
            cwd=variant.program.dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
        output = proc.stdout.decode(errors="replace")
        log_path.write_text(f"$ RUSTFLAGS={shlex.quote(' '.join(flags))} {shlex.join(cmd)}\n{output}")
        if proc.returncode < 0:
            raise BuildInterrupted(f"cargo was killed by signal {-proc.returncode} (log so far: {log_path})")
        if proc.returncode != 0:
            raise MeasureError(f"cargo build failed: {useful_line(output)} (full log: {log_path})")
        binary = variant.binary_path(target_dir)
        if not binary.is_file():
            raise MeasureError(f"cargo build produced no binary at {binary}")
        atomic_write(copy, binary.read_bytes(), mode=0o755)
    return copy


def build_image(variant: Variant, base: BaseImage, binary: Path, ctx: Context) -> str:
    with tempfile.TemporaryDirectory(prefix="cheatsheet-context-") as tmp:
        context = Path(tmp)
        copied = context / variant.program.binary
        shutil.copy2(binary, copied)
        os.utime(copied, (0, 0))  # a fixed time stamp: the same binary always gives the same layer
        (context / "Dockerfile").write_text(dockerfile(variant))
        args = ["build", "--quiet", "--tag", variant.image_tag]
        if base.name != "scratch":
            args += ["--build-arg", f"BASE={base.ref}"]
        proc = docker(*args, str(context), timeout=BUILD_TIMEOUT)
    if proc.returncode != 0:
        raise MeasureError(f"docker build failed: {stderr_line(proc)}")
    declare_architecture(variant.image_tag, variant.arch, ctx)
    return inspect_image(variant.image_tag)["Id"]


def declare_architecture(tag: str, arch: str, ctx: Context) -> None:
    """Make the image config of ``tag`` say ``arch``, as ``docker buildx build --platform`` would.

    Docker 20.10's classic builder (Debian 12's; its buildx plugin is not packaged) ignores
    ``--platform`` and stamps the host's architecture on a ``FROM scratch`` image; an image built
    FROM an arm64 base inherits arm64 and is left alone. Otherwise the image is saved, its config's
    ``architecture`` (and ``variant``) rewritten, and loaded again under the same tag: the layers and
    so every size stay as they are; only the config, and so the image id, changes.
    """
    info = inspect_image(tag)
    if info.get("Architecture") == arch:
        return
    with tempfile.TemporaryDirectory(prefix="cheatsheet-arch-", dir=ctx.cache_dir) as tmp:
        saved, rewritten = Path(tmp) / "saved.tar", Path(tmp) / "image.tar"
        with open(saved, "wb") as out:
            proc = docker("save", tag, stdout=out, timeout=BUILD_TIMEOUT)
        if proc.returncode != 0:
            raise MeasureError(f"docker save failed: {stderr_line(proc)}")
        with tarfile.open(saved) as src, tarfile.open(rewritten, "w", format=tarfile.PAX_FORMAT) as dst:
            manifest = json.load(_member(src, "manifest.json"))
            if len(manifest) != 1:
                raise MeasureError(f"docker save of {tag} holds {len(manifest)} images, not one")
            old_config = manifest[0]["Config"]
            config = json.load(_member(src, old_config))
            config["architecture"] = arch
            config.pop("variant", None)
            if arch in ARCH_VARIANT:
                config["variant"] = ARCH_VARIANT[arch]
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
    if inspect_image(tag).get("Architecture") != arch:
        raise MeasureError(f"{tag} still does not declare {arch} after it was loaded again")


def inspect_image(ref: str) -> dict:
    proc = docker("image", "inspect", ref, timeout=60)
    if proc.returncode != 0:
        raise MeasureError(f"docker image inspect {ref} failed: {stderr_line(proc)}")
    return json.loads(proc.stdout)[0]


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


def compressed_size(ref: str, ctx: Context) -> int:
    """Sum of the image's layer tars gzip'd at GZIP_LEVEL: what a registry would store and a pull transfer."""
    ctx.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(prefix="save-", suffix=".tar", dir=ctx.cache_dir) as tmp:
        with open(tmp.name, "wb") as out:
            proc = docker("save", ref, stdout=out, timeout=BUILD_TIMEOUT)
        if proc.returncode != 0:
            raise MeasureError(f"docker save failed: {stderr_line(proc)}")
        with tarfile.open(tmp.name) as tar:
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


@dataclass(frozen=True)
class RunResult:
    """What one ``docker run`` of the image gave; the verify steps judge it."""

    returncode: int
    stdout: str
    stderr: str


def _check_stdout(step: Any, result: RunResult) -> str:
    if result.stdout != step.equals:
        return f"printed {result.stdout[:80]!r} instead of {step.equals!r}"
    return ""


#: How each verify ``kind`` of programs/recipes.toml is checked: (step, run result) -> "" or why not.
#: A new kind (an HTTP check against a peer, say) is one function here and its name in
#: :data:`cheatsheet.recipes.VERIFY_KINDS`.
VERIFIERS: dict[str, Callable[[Any, RunResult], str]] = {
    "stdout": _check_stdout,
}


def verify(variant: Variant, ctx: Context) -> tuple[str, str]:
    """("yes", "") when every verification step passes, else ("no", why)."""
    name = f"cheatsheet-verify-{os.getpid()}-{variant.id}"
    try:
        proc = docker("run", "--rm", "--network", "none", "--name", name, variant.image_tag, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        docker("rm", "--force", name, timeout=60)
        return "no", f"did not finish within {RUN_TIMEOUT} s"
    result = RunResult(proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace"))
    if result.returncode != 0:
        return "no", f"exit status {result.returncode}: {useful_line(result.stderr, 'exec')}"
    for step in variant.verify:
        why = VERIFIERS[step.kind](step, result)
        if why:
            return "no", why
    return "yes", ""


#: The columns only a server check fills (empty for a program that runs to completion).
SERVER_COLUMNS = ("health", "resolves", "proxies", "trust_anchors", "anchors_from")


def peers_image(ctx: Context) -> str:
    """The image of the local peers ([peers] of the recipes), built FROM scratch like a measured variant."""
    peers = ctx.recipes.peers
    if peers is None:
        raise MeasureError("the recipes declare no [peers] to verify a server against")
    tc = get_toolchain(peers.target.toolchain, ctx)
    binary = build_binary(peers, tc, ctx)
    build_image(peers, get_base(peers, ctx), binary, ctx)
    return peers.image_tag


def verify_server(variant: Variant, ctx: Context) -> dict[str, Any]:
    """Start the image on the private test network (made once per run) and check /health, /resolve
    and the proxied page; the outcome as row columns."""
    if ctx._network is None:
        image = peers_image(ctx)
        try:
            ctx._network = TestNetwork(image, log=ctx.log).__enter__()
        except NetCheckError as exc:
            raise MeasureError(f"the local peers could not be set up: {exc}") from None
    result = ctx._network.check(variant.image_tag, variant.roots)
    expected = next(step.equals for step in variant.verify if step.is_server)
    failure = result.failure
    if result.ok and result.body != expected:
        failure = f"the proxied page said {result.body[:80]!r} instead of {expected!r}"
    runs = "yes" if result.ok and not failure else "no"
    return {
        "runs": runs,
        "failure": "" if runs == "yes" else failure or "the server check failed without a message",
        "health": result.health or None,
        "resolves": result.resolves or None,
        "proxies": result.proxies or None,
        "trust_anchors": result.trust_anchors,
        "anchors_from": result.anchors_from or None,
    }


def record_base_facts(base: BaseImage, ctx: Context) -> None:
    """Write what ``base`` carries into base_images.csv (once per base image per run; cached by image id)."""
    if (base.name, base.arch) in ctx._facts_done or not schema_path_for(ctx.facts_path).is_file():
        return
    ctx._facts_done.add((base.name, base.arch))
    cache = ctx.cache_dir / "facts" / f"{base.name}-{base.arch}-{(base.image_id or 'scratch').replace(':', '-')}.json"
    if cache.is_file():
        facts = ImageFacts(**json.loads(cache.read_text()))
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
        "docker_version": docker_version(ctx),
        "host_arch": platform.machine(),
        "measured_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0),
    }
    upsert_rows(ctx.facts_path, [row], label=_label(ctx.facts_path))


def get_toolchain(kind: str, ctx: Context, arch: str = DEFAULT_ARCH) -> Toolchain:
    if (kind, arch) not in ctx._toolchains:
        ctx._toolchains[kind, arch] = toolchain(kind, ctx.cache_dir / "toolchains", arch)
    return ctx._toolchains[kind, arch]


def get_base(variant: Variant, ctx: Context) -> BaseImage:
    key = (variant.base.name, variant.arch)
    if key not in ctx._bases:
        ctx._bases[key] = ensure_base(
            variant.base, ctx.cache_dir / "bases", log=ctx.log, allow_pull=ctx.allow_pull, arch=variant.arch
        )
    return ctx._bases[key]


def measure_variant(variant: Variant, ctx: Context, say: Callable[[str], None]) -> tuple[dict, bool]:
    """The row for ``variant`` and whether it came from the cache."""
    docker_ver = docker_version(ctx)
    say("base image")
    base = get_base(variant, ctx)
    record_base_facts(base, ctx)
    say(f"toolchain {variant.target.toolchain}")
    tc = get_toolchain(variant.target.toolchain, ctx, variant.arch)
    key = recipe_key(variant, tc, base, docker_ver, ctx.recipes.peers if is_server(variant) else None)
    cached = ctx.cache_dir / "rows" / f"{key}.json"
    if ctx.use_cache and cached.is_file():
        row = json.loads(cached.read_text())
        row["measured_at"] = _dt.datetime.fromisoformat(row["measured_at"])
        try:  # a row cached under an older schema is measured again rather than trusted
            check_row(ctx.csv_path, row)
            return row, True
        except DataError:
            cached.unlink(missing_ok=True)
    say(f"cargo build ({tc.id}, rustc {tc.release})")
    try:
        binary = build_binary(variant, tc, ctx)
    except MeasureError as exc:
        if isinstance(exc, BuildInterrupted) or not (variant.ladder or is_server(variant)):
            raise
        # A size-ladder step or a cell of the webserver matrix records its failed build as a row (empty
        # sizes, cargo's error as the failure): which combination cannot be built is a finding.
        row = failed_build_row(variant, str(exc), base, tc, docker_ver, key, ctx)
        cache_row(cached, row)
        return row, False
    say("docker build")
    build_image(variant, base, binary, ctx)
    image = inspect_image(variant.image_tag)
    say("compressing layers")
    compressed = compressed_size(variant.image_tag, ctx)
    if is_server(variant):
        say("verifying on a private network against the local peers")
        outcome = verify_server(variant, ctx)
    else:
        say("docker run")
        runs, failure = verify(variant, ctx)
        outcome = {"runs": runs, "failure": failure}
    row = {
        **dict.fromkeys(SERVER_COLUMNS),
        **variant.descriptors(),
        "image_bytes": int(image["Size"]),
        "compressed_bytes": compressed,
        "compression": COMPRESSION,
        "binary_bytes": binary.stat().st_size,
        "base_bytes": base.size,
        **outcome,
        **provenance(base, tc, docker_ver, key),
    }
    row = checked_row(row, variant, ctx)
    cache_row(cached, row)
    return row, False


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
        "host_arch": platform.machine(),
        "measured_at": _dt.datetime.now(_dt.UTC).replace(microsecond=0),
        "recipe_key": key,
    }


def cache_row(cached: Path, row: dict[str, Any]) -> None:
    cached.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(cached, json.dumps({**row, "measured_at": row["measured_at"].isoformat()}, indent=1))


def failed_build_row(
    variant: Variant, why: str, base: BaseImage, tc: Toolchain, docker_ver: str, key: str, ctx: Context
) -> dict[str, Any]:
    """The row of a variant whose cargo build failed: no sizes, ``runs`` = no, ``failure`` = cargo's error.

    Columns this function does not know are left empty; the schema decides whether that is allowed.
    """
    schema = Schema.load(schema_path_for(ctx.csv_path))
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
    return checked_row(row, variant, ctx)


def checked_row(row: dict[str, Any], variant: Variant, ctx: Context) -> dict[str, Any]:
    """``row`` with over-long texts cut to the schema's limits (the full text goes to the variant's
    log), validated by the reader's rules; MeasureError if it still breaks the schema.

    Called before the row is cached, so a row that breaks the schema is never cached.
    """
    schema = Schema.load(schema_path_for(ctx.csv_path))
    row, cut = fit_to_schema(row, schema)
    if cut:
        log_path = ctx.log_path(variant, "row")
        log_path.write_text("".join(f"{column} (full text):\n{text}\n" for column, text in cut.items()))
        ctx.log(
            f"note: {variant.program.id}/{variant.id}: {', '.join(cut)} cut to the column's limit; "
            f"full text in {log_path}"
        )
    try:
        check_row(ctx.csv_path, row, label=f"{_label(ctx.csv_path)} (row of {variant.program.id}/{variant.id})")
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
    label = _label(ctx.csv_path)
    for i, variant in enumerate(variants, start=1):
        vid = f"{variant.program.id}/{variant.id}"
        t0 = time.monotonic()

        def say(step: str, i: int = i, vid: str = vid, t0: float = t0) -> None:
            ctx.log(f"[{i}/{len(variants)}] {vid}: {step} ({time.monotonic() - t0:.1f} s)")

        try:
            row, from_cache = measure_variant(variant, ctx, say)
            changed = upsert_rows(ctx.csv_path, [row], label=label)
        except DockerUnavailable as exc:
            ctx.log(f"error: {vid}: {exc}")
            failed += [f"{v.program.id}/{v.id}" for v in variants[i - 1 :]]  # nothing else can be measured
            break
        except BaseUnavailable as exc:
            ctx.log(f"skipped: {vid}: {exc}")
            skipped.append(vid)
            continue
        except (MeasureError, ToolchainError, DataError, subprocess.TimeoutExpired) as exc:
            ctx.log(f"error: {vid}: {_one_line(exc)}")
            failed.append(vid)
            continue
        except Exception as exc:  # a bug or a surprise: this variant fails, the others still run
            log_path = ctx.log_path(variant, "error")
            log_path.write_text(traceback.format_exc())
            ctx.log(f"error: {vid}: unexpected {type(exc).__name__}: {_one_line(exc)} (traceback: {log_path})")
            failed.append(vid)
            continue
        status = "runs" if row["runs"] == "yes" else f"does not run ({row['failure']})"
        if row["binary_bytes"] is None:  # a size-ladder step whose build failed: its row says so
            ctx.log(
                f"[{i}/{len(variants)}] {vid}: not built ({row['failure']}); recorded, "
                f"{label} {'updated' if changed else 'unchanged'} ({time.monotonic() - t0:.1f} s)"
            )
            continue
        ctx.log(
            f"[{i}/{len(variants)}] {vid}: image {row['image_bytes']:,} B, compressed {row['compressed_bytes']:,} B, "
            f"binary {row['binary_bytes']:,} B, {status}; {'cached' if from_cache else 'measured'}, "
            f"{label} {'updated' if changed else 'unchanged'} ({time.monotonic() - t0:.1f} s)"
        )
    measured = len(variants) - len(failed) - len(skipped)
    summary = f"done: {measured} of {len(variants)} variants measured"
    if skipped:
        summary += f", {len(skipped)} skipped because the base image cannot be obtained here ({', '.join(skipped)})"
    if failed:
        summary += f", {len(failed)} failed ({', '.join(failed)})"
    ctx.log(f"{summary}, in {time.monotonic() - started:.1f} s")
    return len(failed)


def _one_line(exc: BaseException) -> str:
    lines = str(exc).splitlines() or [type(exc).__name__]
    return lines[0] + (f" (and {len(lines) - 1} more lines)" if len(lines) > 1 else "")


def _label(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)
