#!/usr/bin/env python3
"""Time `mkdocs build` of the real site against the same pages with every macro replaced by its output.

Both builds use the same mkdocs.yml, theme and Markdown extensions; the static copy has the macros
plugin removed and each page's Markdown already rendered. Prints the median of N runs of each and
their ratio (measured in one run of this script, so both see the same machine state).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]


def timed_build(project: Path, out: Path) -> float:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    start = time.perf_counter()
    subprocess.run([*MKDOCS, "--site-dir", str(out)], cwd=project, env=env, check=True)
    return time.perf_counter() - start


def static_copy(dest: Path) -> Path:
    """The site with each page pre-rendered by the macros and the macros plugin removed."""
    sys.path.insert(0, str(REPO))
    from mkdocs.config import load_config
    from mkdocs.commands.build import build

    shutil.copytree(REPO / "docs", dest / "docs")
    rendered: dict[str, str] = {}

    config = load_config(str(REPO / "mkdocs.yml"))
    macros = config.plugins["macros"]
    original = macros.on_page_markdown

    def capture(markdown, page, config, site_navigation=None, **kwargs):
        out = original(markdown, page=page, config=config, site_navigation=site_navigation, **kwargs)
        rendered[page.file.src_path] = out
        return out

    macros.on_page_markdown = capture
    with tempfile.TemporaryDirectory() as out:
        config["site_dir"] = out
        build(config)
    for src, text in rendered.items():
        (dest / "docs" / src).write_text(text)
    yml = (REPO / "mkdocs.yml").read_text()
    start = yml.index("  - macros:")
    end = yml.index("\n\n", start)
    yml = yml[:start] + yml[end:]
    start = yml.index("watch:")
    end = yml.index("\n\n", start)
    (dest / "mkdocs.yml").write_text(yml[:start] + yml[end + 2:])
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=5, help="builds of each kind (default: %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        static = static_copy(tmp / "static")
        macro_times, static_times = [], []
        for i in range(args.n):  # interleaved, so drift affects both alike
            macro_times.append(timed_build(REPO, tmp / f"out-macro-{i}"))
            static_times.append(timed_build(static, tmp / f"out-static-{i}"))
    m, s = statistics.median(macro_times), statistics.median(static_times)
    print(f"mkdocs build, median of {args.n}: with macros and CSV tables {m:.2f} s; "
          f"same pages as static Markdown {s:.2f} s; ratio {m / s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
