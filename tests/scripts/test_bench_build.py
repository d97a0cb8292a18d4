"""scripts/bench_build.py: the copies it times import the project's code from bytecode, as a second
build of a checkout does, whatever PYTHONDONTWRITEBYTECODE says."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from support import load_script

from cheatsheet.paths import REPO, copy_site

bench_build = load_script(REPO / "scripts" / "bench_build.py")


def test_a_copy_is_compiled_before_it_is_timed(tmp_path):
    project = copy_site(tmp_path / "project")
    sources = [*sorted((project / "cheatsheet").rglob("*.py")), project / "macros.py"]
    assert not any(Path(importlib.util.cache_from_source(str(p))).exists() for p in sources)  # copied without

    bench_build.compile_bytecode(project)

    assert [p for p in sources if not Path(importlib.util.cache_from_source(str(p))).exists()] == []
    # and a build's interpreter, told not to write bytecode, reads it: nothing is compiled on import
    probe = (
        "import sys, importlib.machinery as m\n"
        "compiled = []\n"
        "original = m.SourceFileLoader.source_to_code\n"
        "def compiling(self, *args, **kwargs):\n"
        "    compiled.append(self.path)\n"
        "    return original(self, *args, **kwargs)\n"
        "m.SourceFileLoader.source_to_code = compiling\n"
        "import cheatsheet.site.macros\n"
        "print([p for p in compiled if p.startswith(sys.argv[1])])\n"
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(project)}
    out = subprocess.run(
        [sys.executable, "-c", probe, str(project)], cwd=project, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]", out.stdout
