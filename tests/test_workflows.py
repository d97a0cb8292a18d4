"""The GitHub workflows: their security properties, actionlint and zizmor, and the measurement
workflow's matrix (.github/scripts/measure_matrix.py, fed by `measure.py --list --json`; the workflow's
other script, scripts/merge_rows.py, is tested in tests/scripts/test_merge_rows.py)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import load_script

from cheatsheet.paths import CACHE, MEASUREMENTS, REPO
from cheatsheet.recipes import load_recipes
from cheatsheet.site.measurements import load_measurements

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$")
IMAGE_PIN = re.compile(r"^[\w./:-]+@sha256:[0-9a-f]{64}$")


def tools_dir() -> Path:
    """Where actionlint and zizmor are: WORKFLOW_LINTERS_BIN if set, else beside this Python (.venv/bin)."""
    return Path(os.environ.get("WORKFLOW_LINTERS_BIN") or Path(sys.executable).parent)


def tool(name: str) -> str:
    path = tools_dir() / name
    if not path.exists():
        pytest.fail(f"{name} is not installed in {tools_dir()}: run `make test` (requirements/test.lock installs it)")
    return str(path)


def triggers(workflow: dict) -> dict:
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as true
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def parsed(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, step


def test_the_three_workflows_exist():
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "pages.yml", "measure.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_top_level_permissions_are_empty_or_read_only(path):
    workflow = parsed(path)
    assert "permissions" in workflow, f"{path.name}: no top-level permissions"
    permissions = workflow["permissions"]
    assert permissions in ({}, "read-all") or (
        isinstance(permissions, dict) and set(permissions.values()) <= {"read", "none"}
    ), f"{path.name}: top-level permissions grant writing: {permissions}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_job_states_its_permissions(path):
    for job_id, job in parsed(path)["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {job_id} does not state its permissions"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_jobs_run_for_pull_requests_cannot_write(path):
    workflow = parsed(path)
    if "pull_request" not in triggers(workflow):
        return
    for job_id, job in workflow["jobs"].items():
        writes = {k: v for k, v in (job.get("permissions") or {}).items() if v == "write"}
        assert not writes, f"{path.name}: job {job_id} runs on pull requests with {writes}"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_tag(path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.match(r"^\s*(?:-\s+)?uses:\s*(.*)$", line)
        if not match or match.group(1).startswith("./"):
            continue
        assert SHA_PIN.match(match.group(1)), (
            f"{path.name}:{number}: {match.group(1)!r} is not `owner/repo@<40 hex> # vX.Y.Z`"
        )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_container_image_is_pinned_by_digest(path):
    for job_id, job in parsed(path)["jobs"].items():
        container = job.get("container")
        if container is None:
            continue
        image = container if isinstance(container, str) else container["image"]
        assert IMAGE_PIN.match(image), f"{path.name}: job {job_id}: image {image!r} is not pinned by digest"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_pull_request_target(path):
    assert "pull_request_target" not in triggers(parsed(path))
    assert "pull_request_target" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_secrets_in_workflows_run_for_pull_requests(path):
    workflow = parsed(path)
    if "pull_request" not in triggers(workflow):
        return
    for job_id, job in workflow["jobs"].items():
        assert "secrets." not in yaml.safe_dump(job), f"{path.name}: job {job_id} uses a secret"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_no_expression_is_interpolated_into_a_script(path):
    # Values reach scripts through `env:`; a `${{ }}` in `run:` is pasted into the shell script
    # before it runs, which is how untrusted input (github.event.*, inputs.*) injects commands.
    for job_id, step in steps(parsed(path)):
        run = step.get("run", "")
        assert "${{" not in run, f"{path.name}: job {job_id}, step {step.get('name')!r} interpolates into run:"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_checkout_keeps_no_credentials(path):
    for job_id, step in steps(parsed(path)):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert (step.get("with") or {}).get("persist-credentials") is False, (
                f"{path.name}: job {job_id}: checkout without persist-credentials: false"
            )


def test_only_the_deploy_and_merge_jobs_write():
    writers = {
        (path.name, job_id): {k for k, v in job["permissions"].items() if v == "write"}
        for path in WORKFLOWS
        for job_id, job in parsed(path)["jobs"].items()
        if any(v == "write" for v in (job["permissions"] or {}).values())
    }
    assert writers == {
        ("pages.yml", "deploy"): {"pages", "id-token"},
        ("measure.yml", "merge"): {"contents", "pull-requests"},
    }


def test_actionlint_passes():
    proc = subprocess.run(
        [tool("actionlint"), "-no-color", *map(str, WORKFLOWS)], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_passes_offline():
    proc = subprocess.run(
        [tool("zizmor"), "--offline", "--no-progress", "--color=never", ".github/workflows"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# -- the measurement workflow's matrix ---------------------------------------------------------------

matrix_script = load_script(REPO / ".github" / "scripts" / "measure_matrix.py")
VARIANTS = [
    {"program": "hello-world", "id": "debian", "base": "debian", "target": "glibc-dynamic",
     "libc": "glibc", "tls": "none", "dns": "none", "group": "hello-world/glibc"},
    {"program": "hello-world", "id": "scratch-glibc", "base": "scratch", "target": "glibc-static",
     "libc": "glibc", "tls": "none", "dns": "none", "group": "hello-world/glibc"},
    {"program": "hello-world", "id": "scratch-musl", "base": "scratch", "target": "musl-static",
     "libc": "musl", "tls": "none", "dns": "none", "group": "hello-world/musl"},
    {"program": "webserver", "id": "alpine-rustls", "base": "alpine", "target": "musl-static",
     "libc": "musl", "tls": "rustls", "dns": "none", "group": "webserver/musl"},
]  # fmt: skip


def run_matrix(tmp_path: Path, variants: list, *args: str, capsys) -> tuple[int, str, str]:
    listing = tmp_path / "variants.json"
    listing.write_text(json.dumps(variants), encoding="utf-8")
    status = matrix_script.main([str(listing), *args])
    out, err = capsys.readouterr()
    return status, out, err


def outputs(out: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in out.splitlines())


def test_the_matrix_has_one_job_per_group(tmp_path, capsys):
    status, out, _ = run_matrix(tmp_path, VARIANTS, capsys=capsys)
    assert status == 0
    result = outputs(out)
    assert result["count"] == "4"
    assert json.loads(result["matrix"]) == {
        "include": [
            {"group": "hello-world/glibc", "name": "hello-world-glibc",
             "ids": "hello-world/debian hello-world/scratch-glibc"},
            {"group": "hello-world/musl", "name": "hello-world-musl", "ids": "hello-world/scratch-musl"},
            {"group": "webserver/musl", "name": "webserver-musl", "ids": "webserver/alpine-rustls"},
        ]
    }  # fmt: skip


def test_the_selection_is_measure_pys_own(tmp_path, capsys):
    """The workflow selects with `measure.py --list --json --only GLOB` (the one place a glob selects
    variants); the matrix script only groups what it is given, and refuses an empty listing."""
    workflow = (REPO / ".github" / "workflows" / "measure.yml").read_text()
    assert 'measure.py --list --json ${ONLY:+--only "$ONLY"}' in workflow
    listing = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "measure.py"), "--list", "--json", "--only",
         "hello-world/scratch-musl*"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    status, out, _ = run_matrix(tmp_path, json.loads(listing), capsys=capsys)
    assert status == 0
    ids = [e["ids"] for e in json.loads(outputs(out)["matrix"])["include"]]
    assert ids == ["hello-world/scratch-musl hello-world/scratch-musl-arm64"]
    status, out, err = run_matrix(tmp_path, [], capsys=capsys)
    assert status == 2 and out == "" and "lists no variant" in err


def test_a_listing_that_is_not_variants_fails(tmp_path, capsys):
    status, out, err = run_matrix(tmp_path, {"id": "x"}, capsys=capsys)
    assert status == 2 and out == "" and "expected a JSON array" in err
    status, out, err = run_matrix(tmp_path, [{"id": "debian"}], capsys=capsys)  # which program?
    assert status == 2 and out == ""


def test_measure_list_json_feeds_the_matrix(tmp_path, capsys):
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "measure.py"), "--list", "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    variants = json.loads(proc.stdout)
    for variant in variants:
        assert {"program", "id", "base", "target", "libc", "tls", "dns", "group"} <= set(variant), variant
    status, out, _ = run_matrix(tmp_path, variants, capsys=capsys)
    assert status == 0
    listed = " ".join(e["ids"] for e in json.loads(outputs(out)["matrix"])["include"]).split()
    assert sorted(listed) == sorted(f"{v['program']}/{v['id']}" for v in variants)


# Two variants of one group that rustup's prebuilt std builds in a second or so: the test is of planning,
# measuring job by job and merging, not of a toolchain (a std rebuilt for musl is built by other tests).
# Exact ids: a glob also matches their twins.
ONLY = ("hello-world/scratch-glibc", "hello-world/ladder-glibc-02-strip")


def run(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.mark.docker
@pytest.mark.slow
def test_plan_measure_merge_on_two_variants(tmp_path):
    listing = run("scripts/measure.py", "--list", "--json", *(arg for vid in ONLY for arg in ("--only", vid))).stdout
    (tmp_path / "variants.json").write_text(listing)
    assert [v["only"] for v in json.loads(listing)] == list(ONLY)
    plan = run(".github/scripts/measure_matrix.py", str(tmp_path / "variants.json")).stdout
    matrix = json.loads(plan.split("matrix=", 1)[1].splitlines()[0])
    rows = tmp_path / "rows"
    for job in matrix["include"]:  # each job of the workflow, one after another
        name = job["name"]
        args = ["--csv", str(rows / f"{name}.csv"), "--facts-csv", str(rows / f"{name}.base_images.csv"),
                "--hardening-csv", str(rows / f"{name}.hardening.csv")]  # fmt: skip
        for vid in job["ids"].split():
            args += ["--only", vid]
        run("scripts/measure.py", *args, "--cache-dir", str(CACHE))
    assert (rows / "hello-world.base_images.csv").read_text().count("\nscratch,amd64,") == 1
    merged = tmp_path / "measurements"
    shutil.copytree(MEASUREMENTS, merged)
    run("scripts/merge_rows.py", str(rows / "hello-world.csv"), "--into", str(merged / "images.csv"))
    run("scripts/merge_rows.py", str(rows / "hello-world.base_images.csv"), "--into", str(merged / "base_images.csv"))
    run("scripts/merge_rows.py", str(rows / "hello-world.hardening.csv"), "--into", str(merged / "hardening.csv"))
    data = load_measurements(merged, load_recipes())
    variants = {r["variant"] for r in data.tables["images"].rows if r["program"] == "hello-world"}
    assert {"scratch-glibc", "ladder-glibc-02-strip"} <= variants
    assert any(r["base"] == "scratch" for r in data.tables["base_images"].rows)
    hardened = {(r["variant"], r["hardened"]) for r in data.tables["hardening"].rows if r["program"] == "hello-world"}
    assert {("scratch-glibc", "yes"), ("ladder-glibc-02-strip", "yes")} <= hardened
