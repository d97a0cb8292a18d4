"""The package's shape: the layers contract of pyproject.toml (import-linter), no import cycle between
any two modules of cheatsheet (as grimp reads the imports, those under TYPE_CHECKING included), and no
module longer than a reader can hold in mind."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp

from cheatsheet.paths import REPO

PACKAGE = REPO / "cheatsheet"
MAX_LINES = 450


def test_the_layers_contract_is_kept():
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert [c["type"] for c in contracts] == ["layers"]
    assert contracts[0]["layers"] == [
        "cheatsheet.site | cheatsheet.measure",
        "cheatsheet.recipes",
        "cheatsheet.data",
        "cheatsheet.util | cheatsheet.paths",
    ]
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 1 kept, 0 broken." in proc.stdout


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of ``graph`` with more than one module, or one that imports
    itself (Tarjan's algorithm, iteratively): each is a set of modules that import each other in a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in graph[node]:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"a"}, "b": set()}) == [["a"]]
    assert strongly_connected({"a": {"b"}, "b": set()}) == []


def test_no_two_modules_import_each_other_even_indirectly():
    graph = grimp.build_graph("cheatsheet", cache_dir=None)
    imports = {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    assert len(imports) > 50 and sum(map(len, imports.values())) > 100  # the whole package was read
    cycles = strongly_connected(imports)
    chains = [graph.find_shortest_chain(cycle[0], cycle[1]) for cycle in cycles]
    assert cycles == [], f"modules in an import cycle: {cycles}; e.g. {chains}"


def resolves(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def unresolved_imports(path: Path) -> list[str]:
    """The imports of the project's own code in ``path`` (a module of cheatsheet, or a script) that name
    no module or no attribute of one, ``line: name`` each. A function-level import is only run when its
    function is: a relative import left pointing at a package's old place fails nowhere else but there."""
    module = ".".join(path.relative_to(REPO).with_suffix("").parts)
    package = module.removesuffix(".__init__") if path.name == "__init__.py" else module.rpartition(".")[0]
    bad = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").split(".")[0] == "cheatsheet":
                target = node.module or ""
            else:
                continue
            if not resolves(target):
                bad.append(f"{node.lineno}: {target}")
                continue
            found = importlib.import_module(target)
            bad += [
                f"{node.lineno}: {target}.{a.name}"
                for a in node.names
                if not hasattr(found, a.name) and not resolves(f"{target}.{a.name}")
            ]
        elif isinstance(node, ast.Import):
            bad += [
                f"{node.lineno}: {a.name}"
                for a in node.names
                if a.name.startswith("cheatsheet") and not resolves(a.name)
            ]
    return bad


def test_every_import_of_the_projects_own_code_resolves():
    files = [*sorted(PACKAGE.rglob("*.py")), *sorted((REPO / "scripts").glob("*.py")), REPO / "macros.py"]
    problems = {str(p.relative_to(REPO)): bad for p in files if (bad := unresolved_imports(p))}
    assert problems == {}


def test_the_import_check_finds_an_import_left_at_an_old_place(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "REPO", tmp_path)
    module = tmp_path / "cheatsheet" / "measure" / "toolchain" / "debian.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "def f():\n    from .bases.common import BaseUnavailable\n    from ..bases.common import nothing\n"
    )
    assert unresolved_imports(module) == [
        "2: cheatsheet.measure.toolchain.bases.common",
        "3: cheatsheet.measure.bases.common.nothing",
    ]


def test_no_module_is_longer_than_450_lines():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) > 50
    lengths = {str(p.relative_to(REPO)): len(p.read_text(encoding="utf-8").splitlines()) for p in modules}
    assert {path: n for path, n in lengths.items() if n > MAX_LINES} == {}


def test_the_data_recipes_and_site_layers_load_no_docker_or_measurement_code():
    """What the layers contract says of the import graph, seen at run time: importing everything the site
    and the validator use loads nothing of the measure layer (Docker, base images, toolchains)."""
    code = (
        "import sys, cheatsheet.recipes, cheatsheet.data.datasets, cheatsheet.site.macros, cheatsheet.site.downloads\n"
        "heavy = [m for m in sys.modules if m.startswith('cheatsheet.measure') or m.split('.')[0] == 'docker']\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


def test_the_linter_reads_every_python_file_of_the_project():
    """ruff's exclusions are anchored to the top folder: a bare "site" (the built site) once also skipped
    cheatsheet/site and tests/site, so their findings went unseen."""
    listed = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--show-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    seen = {Path(line.strip()).resolve() for line in listed.splitlines() if line.strip().endswith(".py")}
    tracked = subprocess.run(
        ["git", "ls-files", "*.py"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    missing = [f for f in tracked if (REPO / f).resolve() not in seen and not f.startswith("programs/")]
    assert missing == []
