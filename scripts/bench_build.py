#!/usr/bin/env python3
"""Time `mkdocs build --strict` of the site with macros against the same pages as static Markdown,
with today's data and with a synthetic dataset of 1,000 more measured rows.

Four projects are built, each a temporary copy of the site:

* ``static``: today's pages with every macro already replaced by its output, macros plugin removed;
* ``macros``: the site as it is, today's data;
* ``static-N``: as ``static``, rendered from the synthetic data;
* ``macros-N``: the site with N synthetic variants added to programs/recipes.toml and N measured rows
  to measurements/images.csv (valid rows: each is a variant of the copied recipes, sizes consistent),
  spread over the same pages as today's hello-world rows (its tables, base-image index, provenance).

Every copy's Python code is compiled to bytecode before the first timed build (``compileall``), as
pip compiles an installed package and as Python caches a checkout's modules on its first build. mkdocs
and the theme are precompiled in the virtual environment; without this, an environment that sets
PYTHONDONTWRITEBYTECODE (this machine's does) would make every build compile the project's own modules
again (the macros build all of them, the static build only what its hooks import), which no second
build of a checkout does.

Builds are interleaved (one of each kind per round, so machine drift affects all alike) and the
median of each kind is printed, with the overhead of macros over the static build of the same pages.
Targets (issue 15): overhead at today's size at most 0.8 s; at N rows at most twice that.

``--baseline DIR`` adds the same four projects made from another copy of the site (e.g. a checkout
of an earlier commit) to the same interleaved rounds, so that before and after are measured side by
side, under the same load. The load average is printed before and after the run.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from cheatsheet.paths import REPO, copy_site

MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]
#: Issue 15: the macros add at most this over the same pages as static Markdown (seconds).
OVERHEAD_TARGET = 0.8


def add_synthetic_rows(project: Path, count: int) -> None:
    """Add ``count`` variants of hello-world to the copy's recipes, and a measured row for each."""
    recipes_path = project / "programs" / "recipes.toml"
    recipes = tomllib.loads(recipes_path.read_text())
    declared = {(v["program"], v["id"]): v for v in recipes["variants"]}
    images_path = project / "measurements" / "images.csv"
    with images_path.open(newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        # rows that were built (a failed build has no sizes to vary)
        templates = [r for r in reader if (r["program"], r["variant"]) in declared and r["binary_bytes"]]
    toml, out = [], io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for i in range(count):
        template = templates[i % len(templates)]
        recipe = declared[(template["program"], template["variant"])]
        vid = f"synthetic-{i:04d}"
        toml.append(
            "\n[[variants]]\n"
            + "".join(
                f'{key} = "{value}"\n' if isinstance(value, str) else f"{key} = {value!r}\n"
                for key, value in {**recipe, "id": vid}.items()
                if key != "verify"
            )
        )
        binary = int(template["binary_bytes"]) + 8 * i
        image = int(template["base_bytes"]) + binary
        row = {
            **template,
            "variant": vid,
            "binary_bytes": str(binary),
            "image_bytes": str(image),
            "compressed_bytes": str(min(image, int(template["compressed_bytes"]) + 3 * i)),
            "recipe_key": hashlib.sha256(vid.encode()).hexdigest(),
        }
        writer.writerow([row[h] for h in header])
    recipes_path.write_text(recipes_path.read_text() + "".join(toml))
    images_path.write_text(images_path.read_text() + out.getvalue())


def prerender(project: Path) -> None:
    """Replace each page of ``project`` by its macros' output and drop the macros plugin (in place).

    Runs in a subprocess with the project first on PYTHONPATH, so that the project's own code and
    data are the ones rendered (not the installed package's).
    """
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--prerender", str(project)],
        cwd=project,
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(project)},
    )


def _prerender_here(project: Path) -> int:
    from mkdocs.commands.build import build  # noqa: PLC0415 -- only this mode needs mkdocs in-process
    from mkdocs.config import load_config  # noqa: PLC0415

    rendered: dict[str, str] = {}
    config = load_config(str(project / "mkdocs.yml"))
    macros = config.plugins["macros"]
    original = macros.on_page_markdown

    def capture(markdown: str, page: Any, config: Any, **kwargs: Any) -> str:
        out = original(markdown, page=page, config=config, **kwargs)
        text = markdown if out is None else out
        rendered[page.file.src_path] = text
        return text

    events = config.plugins.events["page_markdown"]  # methods are registered when the config loads
    events[events.index(original)] = capture
    with tempfile.TemporaryDirectory() as out:
        config["site_dir"] = out
        build(config)
    if not rendered:
        raise SystemExit(f"{project}: no page was rendered by the macros plugin")
    for src, text in rendered.items():
        (project / "docs" / src).write_text(text)
    yml = (project / "mkdocs.yml").read_text()
    start = yml.index("  - macros:")
    end = yml.index("\n\n", start)
    yml = yml[:start] + yml[end:]
    start = yml.index("watch:")
    end = yml.index("\n\n", start)
    (project / "mkdocs.yml").write_text(yml[:start] + yml[end + 2 :])
    return 0


def compile_bytecode(project: Path) -> None:
    """Compile the copy's Python modules (the package and macros.py) to bytecode beside them."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(project / "cheatsheet"), str(project / "macros.py")],
        check=True,
    )


def timed_build(project: Path, out: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    subprocess.run([*MKDOCS, "--site-dir", str(out)], cwd=project, env=env, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5, help="builds of each kind (default: %(default)s)")
    parser.add_argument("--rows", type=int, default=1000, help="synthetic measured rows (default: %(default)s)")
    parser.add_argument("--prerender", type=Path, help=argparse.SUPPRESS)
    parser.add_argument(
        "--baseline", type=Path, help="another copy of the site (e.g. an earlier checkout) to measure alongside"
    )
    args = parser.parse_args()
    if args.prerender:
        return _prerender_here(args.prerender)
    if args.n < 3:
        parser.error("-n must be at least 3 (medians of fewer builds are noise)")
    sources = {"": REPO}
    if args.baseline:
        sources = {"baseline ": args.baseline.resolve(), "": REPO}
    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        projects: dict[str, Path] = {}
        for label, source in sources.items():
            slug = label.strip() or "current"
            for kind in ("static", "macros", f"static-{args.rows}", f"macros-{args.rows}"):
                project = copy_site(tmp / slug / kind, source)
                if kind.endswith(f"-{args.rows}"):
                    add_synthetic_rows(project, args.rows)
                if kind.startswith("static"):
                    prerender(project)
                compile_bytecode(project)
                projects[label + kind] = project
        times: dict[str, list[float]] = {kind: [] for kind in projects}
        for i in range(args.n):  # interleaved
            for kind, project in projects.items():
                times[kind].append(timed_build(project, tmp / f"out-{i}" / kind.replace(" ", "-")))
    print(f"load average after: {_load()}")
    med = {kind: statistics.median(t) for kind, t in times.items()}
    print(f"mkdocs build --strict, median of {args.n} interleaved builds of each:")
    for kind, t in times.items():
        print(f"  {kind:<23} {med[kind]:6.2f} s   (runs: {', '.join(f'{x:.2f}' for x in t)})")
    for label, source in sources.items():
        today = med[f"{label}macros"] - med[f"{label}static"]
        scaled = med[f"{label}macros-{args.rows}"] - med[f"{label}static-{args.rows}"]
        name = label.strip() or "this checkout"
        print(
            f"{name}: macros over static, today's data ({len(_rows(source))} measured rows): {today:+.2f} s "
            f"(target <= {OVERHEAD_TARGET:.2f} s: {'met' if today <= OVERHEAD_TARGET else 'NOT met'})"
        )
        print(
            f"{name}: macros over static, {args.rows} more rows: {scaled:+.2f} s; ratio to today's overhead "
            f"{scaled / today if today > 0 else float('nan'):.2f} (target <= 2: "
            f"{'met' if scaled <= 2 * max(today, 0.0) or scaled <= OVERHEAD_TARGET else 'NOT met'})"
        )
    return 0


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _rows(project: Path) -> list[str]:
    return (project / "measurements" / "images.csv").read_text().splitlines()[1:]


if __name__ == "__main__":
    sys.exit(main())
