"""Two checkouts measuring on one engine never touch each other's images or containers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from cheatsheet.measure.containers import orphaned
from cheatsheet.measure.context import Context
from cheatsheet.recipes import load_recipes


def test_image_tags_carry_the_checkout(tmp_path):
    recipes = load_recipes()
    v = recipes.variant("hello-world", "scratch-musl")
    one = Context(recipes=recipes, csv_path=tmp_path / "a.csv", cache_dir=tmp_path / "one")
    two = Context(recipes=recipes, csv_path=tmp_path / "a.csv", cache_dir=tmp_path / "two")
    assert one.tag(v) != two.tag(v)
    assert one.tag(v).endswith("/hello-world:scratch-musl")
    assert one.tag(v) == Context(recipes=recipes, csv_path=tmp_path / "b.csv", cache_dir=tmp_path / "one").tag(v)


def test_only_a_gone_process_of_this_host_leaves_orphans():
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip
    here = socket.gethostname()
    assert orphaned(f"{here}:{dead}")
    assert not orphaned(f"{here}:{os.getpid()}")
    assert not orphaned(f"another-host-sharing-the-engine:{dead}")  # may be alive: never judged from here
    assert not orphaned("no owner at all")
