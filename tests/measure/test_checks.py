"""cheatsheet.measure.checks: does the image do what its recipe says? A program run to completion is
judged by what it prints; a server is started on a private network and checked against the local peers
(the webserver measured end to end with real Docker, once per session)."""

from __future__ import annotations

import subprocess

import pytest
from support import measure_webserver_command, nothing_labelled_left

from cheatsheet.data.table import read_table
from cheatsheet.measure.checks import VERIFIERS, RunResult, is_server
from cheatsheet.recipes.model import SERVER_VERIFY_KINDS, VERIFY_KINDS, Verify


def test_every_verify_kind_has_a_verifier():
    # a kind is checked either on the output of a run to completion (VERIFIERS) or as a server on the
    # private test network (verify_server)
    assert set(VERIFY_KINDS) == set(VERIFIERS) | set(SERVER_VERIFY_KINDS)
    assert not set(VERIFIERS) & set(SERVER_VERIFY_KINDS)


def test_stdout_must_be_exactly_what_the_recipe_says():
    step = Verify(kind="stdout", equals="Hello, world!\n")
    assert VERIFIERS["stdout"](step, RunResult(0, "Hello, world!\n", "")) == ""
    assert VERIFIERS["stdout"](step, RunResult(0, "", "")) == "printed '' instead of 'Hello, world!\\n'"


def test_a_server_is_a_variant_verified_as_one(recipes):
    assert is_server(recipes.variant("webserver", "scratch-glibc-rustls-ring"))
    assert is_server(recipes.variant("webserver", "alloc-glibc-static"))
    assert not is_server(recipes.variant("hello-world", "scratch-musl"))


@pytest.mark.docker
@pytest.mark.slow
def test_the_webserver_is_built_started_and_verified_against_the_local_peers(webserver):
    workdir, proc = webserver
    assert proc.returncode == 0, proc.stderr
    row = {r["variant"]: r for r in read_table(workdir / "measurements" / "images.csv").rows}["alloc-glibc-static"]
    assert row["runs"] == "yes", row["failure"]
    assert (row["health"], row["resolves"], row["proxies"]) == ("yes", "yes", "yes")
    assert (row["tls"], row["dns"], row["roots"]) == ("rustls-ring", "hickory", "compiled-in")
    # webpki-roots' anchors plus the one test CA handed over with EXTRA_ROOTS_FILE
    assert row["trust_anchors"] > 100
    assert row["anchors_from"].startswith("webpki-roots:") and row["anchors_from"].endswith(":1")
    assert row["image_bytes"] == row["binary_bytes"] > 1_000_000  # scratch: the image is the binary
    assert "verifying on a private network against the local peers" in proc.stderr
    # what the run created for the check is gone
    assert nothing_labelled_left()


@pytest.mark.docker
@pytest.mark.slow
def test_a_second_run_with_nothing_changed_is_read_from_the_cache(webserver):
    workdir, first = webserver
    assert first.returncode == 0, first.stderr
    proc = subprocess.run(measure_webserver_command(workdir), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "cached" in proc.stderr and "verifying" not in proc.stderr
