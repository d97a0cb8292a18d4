"""Shared fixtures: the committed recipes, a page context, copies of the data and of the site, and
the real site built once. Plain helpers are in ``support.py``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import Started, empty_datasets, measure_webserver_command

from cheatsheet.paths import CACHE, MEASUREMENTS, REPO, copy_site
from cheatsheet.recipes import Recipes, load_recipes
from cheatsheet.site.context import Site
from cheatsheet.site.measurements import load_measurements


@pytest.fixture(scope="session")
def recipes() -> Recipes:
    """programs/recipes.toml as committed."""
    return load_recipes()


@pytest.fixture
def site() -> Site:
    """The page context on the committed data, rendering a page named test.md."""
    s = Site(load_measurements)
    s.start_page("test.md")
    return s


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of measurements/ that a test may break."""
    shutil.copytree(MEASUREMENTS, tmp_path / "measurements")
    return tmp_path / "measurements"


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """A copy of the site's sources that a test may break."""
    return copy_site(tmp_path / "project")


# `mkdocs build --strict` (the command's own entry point), then the modules the build loaded.
BUILD_AND_LIST_MODULES = """
import json, sys
from mkdocs.__main__ import cli
cli(["build", "--strict", "--site-dir", sys.argv[1]], standalone_mode=False)
with open(sys.argv[2], "w") as fh:
    json.dump(sorted(sys.modules), fh)
"""


@pytest.fixture(scope="session")
def built_project(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the site's sources (frozen: measurements may be written meanwhile) and its real build,
    made once with `mkdocs build --strict` in a fresh interpreter."""
    project = copy_site(tmp_path_factory.mktemp("built") / "project")
    out = project.parent / "site"
    proc = subprocess.run(
        [sys.executable, "-c", BUILD_AND_LIST_MODULES, str(out), str(project.parent / "modules.json")],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(project)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return project, out


@pytest.fixture(scope="session")
def built_site(built_project) -> Path:
    """The real site built once with `mkdocs build --strict`."""
    return built_project[1]


@pytest.fixture(scope="session")
def build_modules(built_project) -> list[str]:
    """Every module the build of :func:`built_project` had loaded when it finished."""
    return json.loads((built_project[0].parent / "modules.json").read_text())


# -- measurements that run in the background ------------------------------------------------------
#
# The longest Docker measurements (the webserver, built and checked against its peers; the arm64
# hello world, std rebuilt for aarch64, measured and built by the cross-linker route; a full Dockerfile
# built as shown) run in the background, beside the rest of the suite instead of
# before it: each is the same `scripts/measure.py` run its tests always made. The order of the tests:
# first those that time something (marked `timing`: they run before the background adds load), then
# the others, while the background measurements run (started by the first of them, if a selected test
# needs one), and last the tests that wait for a background measurement.

BACKGROUND = ("webserver_run", "arm64_run", "verbatim_run", "arm64_route_run")


def waits_for_background(item: pytest.Item) -> bool:
    return any(name in item.fixturenames for name in BACKGROUND)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Timing tests first, then the others, then those that wait for a background measurement; each
    group in collection order."""
    items.sort(key=lambda item: 2 if waits_for_background(item) else 0 if item.get_closest_marker("timing") else 1)


@pytest.fixture(autouse=True)
def start_background_measurements(request: pytest.FixtureRequest) -> None:
    """Start the background measurements the session's tests need, when the first test not marked
    `timing` starts (once: the measurements are session fixtures)."""
    if request.node.get_closest_marker("timing"):
        return
    for name in BACKGROUND:
        if any(name in item.fixturenames for item in request.session.items):
            request.getfixturevalue(name)


@pytest.fixture(scope="session")
def webserver_run(tmp_path_factory) -> Iterator[tuple[Path, Started]]:
    """The webserver variant (support.WEBSERVER) being measured with --no-cache into an empty images.csv
    and base_images.csv: built, started on a private network and checked against the local peers."""
    workdir = tmp_path_factory.mktemp("webserver")
    empty_datasets(workdir, ("images", "base_images"))
    run = Started(measure_webserver_command(workdir, "--no-cache"), workdir, timeout=3000)
    yield workdir, run
    run.stop()


@pytest.fixture(scope="session")
def webserver(webserver_run) -> tuple[Path, subprocess.CompletedProcess]:
    """The measurement of :func:`webserver_run`, finished: its directory and its result."""
    workdir, run = webserver_run
    return workdir, run.result()


@pytest.fixture(scope="session")
def arm64_run(tmp_path_factory) -> Iterator[tuple[Path, Started]]:
    """hello-world/scratch-musl-arm64 being measured with --no-cache (the real cache, .cache) into an empty
    images.csv and base_images.csv: cross-built for aarch64, declared arm64, run under emulation."""
    workdir = tmp_path_factory.mktemp("arm64")
    out = empty_datasets(workdir, ("images", "base_images"))
    cmd = [sys.executable, str(REPO / "scripts" / "measure.py"), "--only", "hello-world/scratch-musl-arm64",
           "--csv", str(out / "images.csv"), "--cache-dir", str(CACHE), "--no-cache"]  # fmt: skip
    run = Started(cmd, workdir, timeout=1500)
    yield out, run
    run.stop()


@pytest.fixture(scope="session")
def arm64_route_run(tmp_path_factory) -> Iterator[tuple[Path, Started]]:
    """scripts/measure_arm64_routes.py building hello-world by the cross-linker route (a cold build with
    std compiled for aarch64) into an empty arm64_builds.csv, its image checked under emulation."""
    workdir = tmp_path_factory.mktemp("arm64-route")
    out = empty_datasets(workdir, ("arm64_builds",))
    cmd = [sys.executable, str(REPO / "scripts" / "measure_arm64_routes.py"), "--only", "hello-world/cross-gcc",
           "--csv", str(out / "arm64_builds.csv"), "--cache-dir", str(CACHE)]  # fmt: skip
    run = Started(cmd, workdir, timeout=2400)
    yield out, run
    run.stop()


@pytest.fixture(scope="session")
def verbatim_run(tmp_path_factory) -> Iterator[tuple[Path, Started]]:
    """scripts/build_dockerfiles.py building hello-world/scratch-glibc's full Dockerfile as shown, into an
    empty dockerfile_builds.csv: the builder image made (or found), the file built, the image checked."""
    workdir = tmp_path_factory.mktemp("verbatim")
    out = empty_datasets(workdir, ("dockerfile_builds",))
    cmd = [sys.executable, str(REPO / "scripts" / "build_dockerfiles.py"), "--only", "hello-world/scratch-glibc",
           "--csv", str(out / "dockerfile_builds.csv")]  # fmt: skip
    run = Started(cmd, workdir, timeout=1800)
    yield out, run
    run.stop()
