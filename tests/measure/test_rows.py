"""cheatsheet.measure.rows: the rows a measurement writes (checked against the schema before they are
cached), the rows kept in the cache, and the base image's facts."""

from __future__ import annotations

import json

import pytest
from support import empty_datasets, typed_row

from cheatsheet.data.schema import Schema
from cheatsheet.data.table import read_table
from cheatsheet.measure.context import Context
from cheatsheet.measure.errors import MeasureError
from cheatsheet.measure.rows import cache_row, cached_facts, cached_row, checked_row
from cheatsheet.paths import MEASUREMENTS

SCHEMA = Schema.load(MEASUREMENTS / "images.schema.json")


@pytest.fixture
def ctx(tmp_path, recipes) -> Context:
    out = empty_datasets(tmp_path, ("images",))
    said: list[str] = []
    context = Context(recipes=recipes, csv_path=out / "images.csv", cache_dir=tmp_path / "cache", log=said.append)
    context.said = said  # type: ignore[attr-defined]
    return context


def test_a_long_text_is_cut_and_the_full_text_logged(ctx, recipes):
    variant = recipes.variant("hello-world", "scratch-musl")
    long = "exit status 1: " + "y" * 3000
    row = checked_row(typed_row(variant=variant.id, runs="no", failure=long), variant, ctx, SCHEMA)
    assert len(row["failure"]) == 500
    log = ctx.cache_dir / "logs" / "hello-world--scratch-musl.row.log"
    assert long in log.read_text()
    assert ctx.said == [f"note: hello-world/scratch-musl: failure cut to the column's limit; full text in {log}"]


def test_a_row_that_breaks_the_schema_is_an_error_with_the_row_logged(ctx, recipes):
    variant = recipes.variant("hello-world", "scratch-musl")
    with pytest.raises(MeasureError, match=r"^the measured row breaks the schema: .*'ubuntu' is not one of"):
        checked_row(typed_row(variant=variant.id, base="ubuntu"), variant, ctx, SCHEMA)
    assert "'ubuntu'" in (ctx.cache_dir / "logs" / "hello-world--scratch-musl.row.log").read_text()


def test_a_cached_row_is_read_back_and_one_that_breaks_the_schema_is_dropped(tmp_path):
    path = tmp_path / "rows" / "key.json"
    cache_row(path, typed_row())
    assert cached_row(path, SCHEMA) == typed_row()
    old = json.loads(path.read_text())
    old["host_arch"] = "x86_64"  # rows cached before host_arch said amd64
    path.write_text(json.dumps(old))
    assert cached_row(path, SCHEMA)["host_arch"] == "amd64"
    old["base"] = "ubuntu"
    path.write_text(json.dumps(old))
    assert cached_row(path, SCHEMA) is None and not path.exists()
    assert cached_row(path, SCHEMA) is None


def test_base_facts_cached_by_an_older_version_that_knew_fewer_facts_are_read_again(tmp_path):
    """Facts cached before the hardening facts existed lack their fields: read again, never guessed."""
    old = {"files": 0, "ca_bundle": "", "ca_certs": 0, "passwd": "no", "unprivileged_users": "", "tzdata": "no",
           "shell": "", "package_manager": "", "libc": "", "libssl": "", "libgcc_s": "no",
           "nsswitch": "no"}  # fmt: skip
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(old))
    assert cached_facts(path) is None
    current = {**old, "setuid_files": 0, "setuid_paths": "", "interpreters": "", "network_tools": "",
               "packages": None, "world_writable_dirs": 0, "world_writable_paths": ""}  # fmt: skip
    path.write_text(json.dumps(current))
    facts = cached_facts(path)
    assert facts is not None and facts.as_row() == current
    assert cached_facts(tmp_path / "missing.json") is None


@pytest.mark.docker
@pytest.mark.slow
def test_the_base_image_facts_are_recorded(webserver):
    workdir, proc = webserver
    assert proc.returncode == 0, proc.stderr
    facts = {r["base"]: r for r in read_table(workdir / "measurements" / "base_images.csv").rows}
    scratch = facts["scratch"]
    assert scratch["files"] == 0 and scratch["ca_bundle"] == "" and scratch["shell"] == ""
    assert scratch["base_source"] == "none" and scratch["passwd"] == "no"
    assert scratch["arch"] == "amd64" and scratch["host_arch"] == "amd64"


def test_a_row_cached_before_an_optional_column_was_added_has_it_empty(tmp_path):
    path = tmp_path / "rows" / "key.json"
    cache_row(path, typed_row(build_seconds=93.5))
    old = json.loads(path.read_text())
    del old["build_cpu_seconds"]  # cached before the column existed
    path.write_text(json.dumps(old))
    row = cached_row(path, SCHEMA)
    assert row is not None and row["build_cpu_seconds"] is None and row["build_seconds"] == 93.5
    del old["image_bytes"], old["program"]  # a required column missing: measured again
    path.write_text(json.dumps(old))
    assert cached_row(path, SCHEMA) is None and not path.exists()
