"""What the tests share: valid rows to write and then break, the site's HTML read back, a strict
build, the project's scripts loaded as modules, and the Docker resources a test left behind.

Fixtures built on these live in ``tests/conftest.py``; a test module imports the plain helpers with
``from support import ...`` (pyproject's ``pythonpath = ["tests"]``, also in the subprocesses the
store tests start).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from cheatsheet.data.table import read_table
from cheatsheet.data.text import DataError
from cheatsheet.measure.context import image_tag
from cheatsheet.measure.toolchain import DEBIAN_PACKAGES
from cheatsheet.paths import CACHE, MEASUREMENTS, REPO

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"

# -- rows ------------------------------------------------------------------------------------------

IMAGE_ROW = {
    "program": "hello-world",
    "variant": "scratch-musl",
    "base": "scratch",
    "libc": "musl",
    "crt_linkage": "static",
    "target": "x86_64-unknown-linux-musl",
    "arch": "amd64",
    "tls": "none",
    "dns": "none",
    "allocator": "system",
    "roots": "none",
    "strip": "symbols",
    "cargo_profile": "strip=symbols",
    "rustflags": "",
    "image_bytes": "455456",
    "compressed_bytes": "201234",
    "compression": "gzip-6",
    "binary_bytes": "455456",
    "build_seconds": "",
    "build_cpu_seconds": "",
    "base_bytes": "0",
    "runs": "yes",
    "failure": "",
    "health": "",
    "resolves": "",
    "proxies": "",
    "trust_anchors": "",
    "anchors_from": "",
    "base_source": "none",
    "base_ref": "scratch",
    "base_id": "",
    "toolchain": "debian-build-std",
    "rustc_release": "1.96.0",
    "rustc_version": "rustc 1.96.0 (abcdef012 2026-05-01) (built from a source tarball)",
    "docker_version": "20.10.24+dfsg1",
    "host_arch": "amd64",
    "measured_at": "2026-11-27T12:00:00Z",
    "recipe_key": "a" * 64,
}
SIZE_COLUMNS = ("image_bytes", "compressed_bytes", "binary_bytes", "base_bytes")


def image_row(**changes: str) -> dict[str, str]:
    """A valid row of images.csv as text, with ``changes``."""
    return {**IMAGE_ROW, **changes}


def typed_row(**changes: Any) -> dict[str, Any]:
    """:func:`image_row` typed as a writer holds it: sizes as integers, the time as a datetime."""
    row: dict[str, Any] = dict(image_row(**changes))
    for k in SIZE_COLUMNS:
        if isinstance(row[k], str):
            row[k] = int(row[k])
    row["measured_at"] = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)
    return row


def dockerfile_instructions(text: str) -> list[str]:
    """A Dockerfile's instructions: its lines without comments and blank lines."""
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def dockerfile_stages(text: str) -> list[list[str]]:
    """The instructions of each stage of a Dockerfile; the first list holds what stands before the first FROM."""
    out: list[list[str]] = [[]]
    for line in dockerfile_instructions(text):
        if line.startswith("FROM "):
            out.append([])
        out[-1].append(line)
    return out


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    header = header or list(rows[0])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


#: Datasets whose rows name a row of images.csv (a foreign key): emptied with it by :func:`images_only`.
NAMING_IMAGES = ("hardening", "build_caching")


def refusal(path: Path) -> str:
    """What read_table says when it refuses ``path``: every problem, one per line (fails if it accepts it)."""
    with pytest.raises(DataError) as info:
        read_table(path)
    return str(info.value)


def images_only(measurements: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """``measurements/images.csv`` holding ``rows`` only (None: its header only), and the datasets whose
    rows name image rows (:data:`NAMING_IMAGES`) header-only, so they name no row that is gone."""
    images = measurements / "images.csv"
    if rows:
        write_csv(images, rows)
    else:
        images.write_text(images.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    for name in NAMING_IMAGES:
        path = measurements / f"{name}.csv"
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    return images


def column_of(name: str, row: dict[str, str]) -> int:
    """1-based character column where field ``name`` starts in a CSV line of ``row`` (no quoting)."""
    keys = list(row)
    return sum(len(row[k]) + 1 for k in keys[: keys.index(name)]) + 1


def empty_datasets(dest: Path, names: tuple[str, ...]) -> Path:
    """``dest/measurements`` with each dataset's schema and a CSV holding only its header."""
    out = dest / "measurements"
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        (out / f"{name}.schema.json").write_bytes((MEASUREMENTS / f"{name}.schema.json").read_bytes())
        header = (MEASUREMENTS / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        (out / f"{name}.csv").write_text(header + "\n", encoding="utf-8")
    return out


def edit(path: Path, old: str, new: str) -> Path:
    """Replace the first ``old`` of the file by ``new``; ``old`` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# -- the built site --------------------------------------------------------------------------------


def mkdocs_build(project: Path, out: Path) -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of ``project`` into ``out``, as a user runs it."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def page(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def tables(doc: str) -> list[str]:
    return re.findall(r"<table>.*?</table>", doc, re.S)


def shown_text(cell: str) -> str:
    """What a table cell shows as text: footnote references and tags removed."""
    return html.unescape(re.sub(r"<sup.*?</sup>|<[^>]+>", "", cell)).strip()


def table_rows(table: str) -> list[list[str]]:
    """The cells of each body row as text (footnote references and tags removed)."""
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S)
    assert body, table[:500]
    out = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        out.append([shown_text(c) for c in cells])
    return out


def markdown_rows(table: str) -> list[list[str]]:
    """The body rows of a table a macro returns (Markdown, before the page is built), each cell as text."""
    lines = [line for line in table.splitlines() if line[:1] == "|"]
    return [[cell_text(c) for c in line.strip("|").split(" | ")] for line in lines[2:]]


def table_records(table: str) -> list[dict[str, str]]:
    """Each body row as {header text: cell text}: a test finds a figure by its column's name, wherever
    the table puts that column (key columns move next to the first, constant ones leave it)."""
    head = re.search(r"<thead>(.*?)</thead>", table, re.S)
    assert head, table[:500]
    names = [shown_text(c) for c in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1), re.S)]
    return [dict(zip(names, cells, strict=True)) for cells in table_rows(table)]


def cell_text(cell: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()


class _Texts(HTMLParser):
    """Text content of every element matching (tag, attribute, value-prefix), ignoring <sup> and backrefs."""

    def __init__(self, tag: str, attr: str = "", prefix: str = ""):
        super().__init__(convert_charrefs=True)
        self.want = (tag, attr, prefix)
        self.depth = 0  # > 0 inside a wanted element
        self.skip = 0  # > 0 inside a footnote reference or back-reference
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth:
            self.depth += tag == self.want[0]
            if tag == "sup" or "footnote-backref" in (a.get("class") or "") or (self.skip and tag in ("sup", "a")):
                self.skip += 1
            return
        t, attr, prefix = self.want
        if tag == t and (not attr or (a.get(attr) or "").startswith(prefix)):
            self.depth = 1
            self.found.append("")

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if self.skip and tag in ("sup", "a"):
            self.skip -= 1
            return
        if tag == self.want[0]:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.found[-1] += data


def texts(doc: str, tag: str, attr: str = "", prefix: str = "") -> list[str]:
    """The text of every ``tag`` element of ``doc`` (with ``attr`` starting with ``prefix``), stripped."""
    parser = _Texts(tag, attr, prefix)
    parser.feed(doc)
    return [t.strip() for t in parser.found]


# -- the project's scripts -------------------------------------------------------------------------


def load_script(path: Path) -> ModuleType:
    """A script of the repository (scripts/, .github/scripts/) imported as a module."""
    spec = importlib.util.spec_from_file_location(path.stem + "_script", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_validate(project: Path, *, github: bool = False) -> subprocess.CompletedProcess:
    """scripts/validate.py of the repository run on ``project``'s data, with ``project``'s code first on the path."""
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    env["PYTHONPATH"] = str(project)  # the copy's cheatsheet package, not the installed one
    if github:
        env["GITHUB_ACTIONS"] = "true"
    script = project / "scripts" / "validate.py"
    script.parent.mkdir(exist_ok=True)
    script.write_bytes((REPO / "scripts" / "validate.py").read_bytes())
    return subprocess.run(
        [sys.executable, str(script)], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


# -- Docker ----------------------------------------------------------------------------------------


def docker(*args: str, **kw: Any) -> subprocess.CompletedProcess:
    """``docker ARGS`` with its output captured (bytes unless ``text=True``), never raising."""
    return subprocess.run(["docker", *args], capture_output=True, timeout=300, check=False, **kw)


def labelled(kind: str) -> list[str]:
    """Labelled containers, networks or volumes of this process or of a process that is gone: what a
    test (or a run it started) may have left. A live concurrent run's resources are not counted."""
    from cheatsheet.measure.containers import LABEL, OWNER_LABEL, owner, owner_alive

    listing = ["docker", "ps", "--all"] if kind == "container" else ["docker", kind, "ls"]
    ids = subprocess.run([*listing, "--quiet", "--filter", f"label={LABEL}"], capture_output=True, text=True,
                         check=True).stdout.split()  # fmt: skip
    mine = []
    for ident in ids:
        inspect = ["docker", "inspect"] if kind == "container" else ["docker", kind, "inspect"]
        who = subprocess.run([*inspect, "--format", '{{index .Config.Labels "' + OWNER_LABEL + '"}}'
                              if kind == "container" else '{{index .Labels "' + OWNER_LABEL + '"}}', ident],
                             capture_output=True, text=True).stdout.strip()  # fmt: skip
        if who == owner() or not owner_alive(who):
            mine.append(ident)
    return mine


def nothing_labelled_left() -> bool:
    return labelled("container") == [] and labelled("network") == [] and labelled("volume") == []


# -- measurements ----------------------------------------------------------------------------------

# One CI-sized server variant: scratch, static glibc, rustls with ring, hickory, compiled-in roots. It is
# the variant tests/scripts/test_bench.py benchmarks (it has the benchmark's endpoints besides), so the
# benchmark finds its row and image in the cache instead of building and checking the server again. It
# uses the cache of real measurements (.cache), so only the first run on a machine is cold.
WEBSERVER = "webserver/alloc-glibc-static"
WEBSERVER_IMAGE = image_tag(CACHE, "webserver", "alloc-glibc-static")
PEERS_IMAGE = image_tag(CACHE, "testpeers", "peers")


class Started:
    """A command started now, in the background, its output going to files; :meth:`result` waits for it
    (at most ``timeout`` seconds from the start) and gives what ``subprocess.run`` would have."""

    def __init__(self, argv: list[str], log_dir: Path, *, timeout: float):
        self.argv, self.timeout = argv, timeout
        self.stdout, self.stderr = log_dir / "stdout.log", log_dir / "stderr.log"
        with open(self.stdout, "wb") as out, open(self.stderr, "wb") as err:
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        self.started = time.monotonic()

    def result(self) -> subprocess.CompletedProcess:
        left = self.timeout - (time.monotonic() - self.started)
        returncode = self.proc.wait(timeout=max(left, 1.0))
        return subprocess.CompletedProcess(
            self.argv, returncode, self.stdout.read_text(errors="replace"), self.stderr.read_text(errors="replace")
        )

    def stop(self) -> None:
        """End the command if it still runs (the session ended before a test waited for it)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def measure_webserver_command(workdir: Path, *args: str) -> list[str]:
    """scripts/measure.py measuring :data:`WEBSERVER` into ``workdir``'s images.csv, with the real cache."""
    from cheatsheet.paths import CACHE

    return [
        sys.executable, str(REPO / "scripts" / "measure.py"), "--csv", str(workdir / "measurements" / "images.csv"),
        "--cache-dir", str(CACHE), "--only", WEBSERVER, *args,
    ]  # fmt: skip


# -- a hello world crate built with a toolchain and run on scratch ---------------------------------

HELLO_MAIN = """\
fn main() {
    println!("Hello, world!");
    if cfg!(panic = "unwind") {
        std::panic::set_hook(Box::new(|_| {}));
        assert!(std::panic::catch_unwind(|| panic!("boom")).is_err());
        eprintln!("unwinding works");
    }
}
"""
HELLO_MANIFEST = """\
[package]
name = "hello"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
"""
HELLO_LOCK = """\
# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "hello"
version = "0.1.0"
"""
PT_INTERP = 3  # the ELF program header of a dynamic loader path


def hello_crate(root: Path) -> Path:
    """A hello world crate (it also checks that unwinding works, when built with panic=unwind)."""
    crate = root / "hello"
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(HELLO_MANIFEST)
    (crate / "Cargo.lock").write_text(HELLO_LOCK)
    (crate / "src" / "main.rs").write_text(HELLO_MAIN)
    return crate


class CargoBuild:
    """``cargo build --release`` of a crate with a toolchain (:class:`cheatsheet.measure.toolchain.Toolchain`),
    started at once; :meth:`binary` waits for it. Two builds may run side by side."""

    def __init__(self, tc: Any, crate: Path, target: str, target_dir: Path, flags: str, extra_env=None):
        env = {**os.environ, **tc.env, **(extra_env or {}), "RUSTFLAGS": " ".join([*tc.rustflags, *flags.split()])}
        env.pop("CARGO_ENCODED_RUSTFLAGS", None)
        cmd = [
            tc.cargo, "build", "--release", "--locked", "--target", target, "--target-dir", str(target_dir),
            "--config", 'profile.release.strip="symbols"', *tc.cargo_args,
        ]  # fmt: skip
        self.path = target_dir / target / "release" / "hello"
        self.log = target_dir.parent / f"{target_dir.name}.log"
        target_dir.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(cmd, cwd=crate, env=env, stdout=out, stderr=subprocess.STDOUT)

    def binary(self, timeout: float = 1800) -> Path:
        returncode = self.proc.wait(timeout=timeout)
        assert returncode == 0, self.log.read_text()[-5000:]
        assert self.path.is_file()
        return self.path


def elf_program_header_types(path: Path) -> set[int]:
    import struct

    data = path.read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "not a 64-bit little-endian ELF"
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    return {struct.unpack_from("<I", data, phoff + i * phentsize)[0] for i in range(phnum)}


def run_on_scratch(binary: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    """``binary`` run as the only file of a FROM scratch image (built, run, removed), with no network."""
    import shutil
    import uuid

    context = tmp_path / f"context-{uuid.uuid4().hex[:8]}"
    context.mkdir()
    shutil.copy2(binary, context / "hello")
    (context / "Dockerfile").write_text('FROM scratch\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n')
    tag = f"cheatsheet-test-toolchain:{uuid.uuid4().hex[:12]}"
    build = subprocess.run(["docker", "build", "--quiet", "--tag", tag, str(context)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    try:
        return subprocess.run(
            ["docker", "run", "--rm", "--network", "none", tag], capture_output=True, text=True, timeout=120
        )
    finally:
        subprocess.run(["docker", "image", "rm", "--force", tag], capture_output=True)


# -- Debian's toolchain ----------------------------------------------------------------------------


def _missing_debian_packages() -> list[str]:
    if shutil.which("dpkg-query") is None:
        return list(DEBIAN_PACKAGES)
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\\n", *DEBIAN_PACKAGES],
        capture_output=True,
        text=True,
        check=False,
    )
    installed = {line.split()[0] for line in proc.stdout.splitlines() if line.endswith(" installed")}
    return [p for p in DEBIAN_PACKAGES if p not in installed]


_MISSING = _missing_debian_packages()
#: Skips a test when the debian-build-std toolchain's Debian packages are not installed.
needs_debian = pytest.mark.skipif(
    bool(_MISSING),
    reason=f"Debian packages not installed: {' '.join(_MISSING)} (apt-get install {' '.join(DEBIAN_PACKAGES)})",
)


def sysroot_of(tc: Any) -> Path:
    """The private sysroot: the RUSTC wrapper lives in its bin/."""
    return Path(tc.env["RUSTC"]).parent.parent


# -- a benchmark run for tests ---------------------------------------------------------------------

BENCH_VARIANTS = {  # variant: (libc, crt_linkage, allocator, /alloc and /cpu throughput, peak memory, start-up)
    "alloc-glibc-dynamic": ("glibc", "dynamic", "system", 800.0, 5000.0, 40_000_000, 300.0),
    "alloc-glibc-mimalloc": ("glibc", "dynamic", "mimalloc", 1400.0, 5100.0, 46_000_000, 310.0),
    "alloc-glibc-static": ("glibc", "static", "system", 810.0, 5050.0, 39_000_000, 290.0),
    "alloc-musl": ("musl", "static", "system", 240.0, 4900.0, 36_000_000, 280.0),
    "alloc-musl-mimalloc": ("musl", "static", "mimalloc", 1350.0, 5000.0, 44_000_000, 285.0),
    "alloc-musl-jemalloc": ("musl", "static", "jemalloc", 1300.0, 4950.0, 52_000_000, 295.0),
}


def bench_rows() -> list[dict[str, str]]:
    """A made-up benchmark run of every allocator variant that bench.schema.json accepts, with a spread
    of rounds (lowest and highest) around every median: for tests of the pages while bench.csv has no
    run yet. Never a measurement: nothing writes it into measurements/."""
    common = {
        "program": "webserver", "baseline": "alloc-glibc-dynamic", "rounds": "5", "duration_s": "10", "slice_s": "1",
        "warmup_s": "3", "connections": "16", "server_cpus": "1", "load_cpus": "0", "memory_bytes": "536870912",
        "workers": "2", "load_generator": "wrk 4.1.0", "cpu_model": "A test CPU", "cores": "2",
        "kernel": "6.1.0", "docker_version": "20.10.24", "quiet": "yes", "foreign_cpu_pct": "0.5",
        "instruction_requests": "2000", "measured_at": "2026-12-01T00:00:00Z", "startup_runs": "20",
    }  # fmt: skip
    base = BENCH_VARIANTS["alloc-glibc-dynamic"]
    rows = []
    for i, (variant, (libc, linkage, allocator, alloc, cpu, rss, startup)) in enumerate(BENCH_VARIANTS.items()):
        row = dict(common, variant=variant, libc=libc, crt_linkage=linkage, allocator=allocator)
        p99, cpu_p99, instructions = 60_000.0 * base[3] / alloc, 9_000.0, 3_000_000 + 200_000 * i
        for column, value, base_value in (
            ("alloc_rps", alloc, base[3]), ("alloc_p99_us", p99, 60_000.0), ("cpu_rps", cpu, base[4]),
            ("cpu_p99_us", cpu_p99, 9_000.0),
        ):  # fmt: skip
            row[column] = f"{value:.3f}"
            row[f"{column}_min"], row[f"{column}_max"] = f"{value * 0.9:.3f}", f"{value * 1.08:.3f}"
            ratio_column = column.replace("_us", "") + "_ratio"
            ratio = round(value / base_value, 3)
            row[ratio_column] = f"{ratio:.3f}"
            row[f"{ratio_column}_min"], row[f"{ratio_column}_max"] = f"{ratio * 0.92:.3f}", f"{ratio * 1.06:.3f}"
        row["alloc_p50_us"], row["cpu_p50_us"] = f"{p99 / 4:.3f}", f"{cpu_p99 / 4:.3f}"
        row["rss_bytes"], row["rss_bytes_min"], row["rss_bytes_max"] = str(rss), str(rss - 1000), str(rss + 1000)
        rss_ratio = round(rss / base[5], 3)
        row["rss_ratio"], row["rss_ratio_min"], row["rss_ratio_max"] = (
            f"{rss_ratio:.3f}",
            f"{rss_ratio * 0.99:.3f}",
            f"{rss_ratio * 1.01:.3f}",
        )
        row["startup_ms"], row["startup_ms_min"], row["startup_ms_max"] = (
            f"{startup:.3f}",
            f"{startup - 20:.3f}",
            f"{startup + 30:.3f}",
        )
        row["startup_ratio"] = f"{round(startup / base[6], 3):.3f}"
        row["alloc_instructions"] = str(instructions)
        row["alloc_instructions_ratio"] = f"{round(instructions / 3_000_000, 3):.3f}"
        row["build_seconds"] = f"{100 + 10 * i:.1f}"
        rows.append(row)
    return rows


def write_bench_rows(path: Path) -> Path:
    """:func:`bench_rows` as ``path`` (a bench.csv with the committed header)."""
    header = (MEASUREMENTS / "bench.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    unknown = {column for row in bench_rows() for column in row} - set(header)
    assert not unknown, f"bench_rows has columns bench.csv does not: {sorted(unknown)}"
    return write_csv(path, bench_rows(), header)


# -- a row of hardening.csv ------------------------------------------------------------------------

HARDENING_ROW = {
    "program": IMAGE_ROW["program"], "variant": IMAGE_ROW["variant"], "base": IMAGE_ROW["base"],
    "arch": IMAGE_ROW["arch"], "default_user": "root", "default_user_kind": "root",
    "nonroot": "yes", "nonroot_failure": "", "read_only": "yes", "read_only_tmpfs": "", "read_only_failure": "",
    "no_caps": "yes", "no_caps_failure": "", "hardened": "yes", "hardened_failure": "",
    "hardened_command": "docker run --user 65532:65532 --read-only --cap-drop ALL --security-opt no-new-privileges",
    "files": "1", "setuid_files": "0", "setuid_paths": "", "shell": "", "package_manager": "", "interpreters": "",
    "network_tools": "", "packages": "", "world_writable_dirs": "0", "world_writable_paths": "",
    "vulnerabilities_measured": "no", "vulnerabilities": "", "vulnerability_scanner": "", "vulnerability_db": "",
    "vulnerabilities_note": "not measured here: no scanner database", "image_id": "sha256:" + "b" * 64,
    "recipe_key": IMAGE_ROW["recipe_key"], "docker_version": IMAGE_ROW["docker_version"], "host_arch": "amd64",
    "measured_at": "2026-11-27T12:00:00Z",
}  # fmt: skip


def hardening_row(**changes: str) -> dict[str, str]:
    """A valid row of hardening.csv as text (for the image of :func:`image_row`), with ``changes``."""
    return {**HARDENING_ROW, **changes}
