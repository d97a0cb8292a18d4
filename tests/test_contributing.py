"""CONTRIBUTING.md and the site's contributing page say the same thing, and every command it gives is real."""

from __future__ import annotations

import html.parser
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import load_script

from cheatsheet.paths import REPO

CONTRIBUTING = REPO / "CONTRIBUTING.md"
TOOLS_IN_VENV = re.compile(r"^\.venv/bin/([\w.-]+)$")

SYNC = REPO / ".github" / "scripts" / "sync_contributing.py"
sync = load_script(SYNC)


def code_blocks(markdown: str) -> list[tuple[str, list[str]]]:
    """(language, lines) of every fenced code block."""
    blocks, current, language = [], None, ""
    for line in markdown.splitlines():
        fence = re.match(r"^\s*```(\w*)", line)
        if fence and current is None:
            current, language = [], fence.group(1)
        elif fence:
            blocks.append((language, current))
            current = None
        elif current is not None:
            current.append(line.strip())
    return blocks


def make_targets() -> set[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(r"^([A-Za-z][\w-]*):(?!=)", text, re.M)}


def declared_tools() -> set[str]:
    """Console scripts the test requirements install into .venv (by package name)."""
    names = set()
    for line in (REPO / "requirements" / "test.in").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==", line)
        if match:
            names.add(match.group(1).lower())
    return names | {"python", "python3", "pip"}


def check_command(command: str) -> str | None:
    """Why ``command`` is not a real make target, script or tool of this repository, or None."""
    words = shlex.split(command, comments=True)
    if not words:
        return None
    head, args = words[0], words[1:]
    if head == "make":
        targets = [a for a in args if "=" not in a and not a.startswith("-")]
        missing = [t for t in targets or ["(default)"] if t not in make_targets()]
        return f"no make target {missing}" if missing else None
    if head == "$EDITOR":
        return None if args and (REPO / args[0]).is_file() else f"{args} is not a file of the repository"
    if head in ("python", "python3") or head == ".venv/bin/python":
        return None if args and (REPO / args[0]).is_file() else f"{args[:1]} is not a script of the repository"
    tool = TOOLS_IN_VENV.match(head)
    if tool:
        declared = any(p == tool.group(1) or p.startswith(tool.group(1) + "-") for p in declared_tools())
        return None if declared else f"{head} is not installed by requirements/test.in"
    if (REPO / head).is_file():
        return None
    return f"{head!r} is neither make, a script, nor a tool .venv installs"


def test_the_site_page_is_generated_from_contributing_md():
    page = (REPO / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert sync.page_text(CONTRIBUTING.read_text(encoding="utf-8"), page) == page, (
        "docs/contributing.md is out of date: run python3 .github/scripts/sync_contributing.py"
    )
    proc = subprocess.run(
        [sys.executable, str(SYNC), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr


def test_the_site_page_keeps_the_dataset_columns():
    tail = (REPO / "docs" / "contributing.md").read_text(encoding="utf-8").partition(sync.END_MARK)[2]
    # every dataset, whatever exists: made by the macros from the schemas and the registries
    for macro in ("schema_tables()", "rules_table()", "macro_table()"):
        assert macro in tail


def test_contributing_md_is_safe_to_show_on_the_site():
    text = CONTRIBUTING.read_text(encoding="utf-8")
    assert "{% endraw" not in text and "{%- endraw" not in text  # it is included inside {% raw %}
    # A link relative to the repository would be broken on the site: name files in code spans instead.
    for target in re.findall(r"\]\(([^)]*)\)", text):
        assert re.match(r"^(https?://|#)", target), f"CONTRIBUTING.md links to {target!r}"


class _Text(html.parser.HTMLParser):
    """The text of the page's article, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article" or self.depth:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join("".join(self.parts).split())


def fragments(markdown: str) -> list[str]:
    """The visible text of CONTRIBUTING.md, as paragraphs, list items, headings, table cells and code lines."""
    out, paragraph, in_code = [], [], False

    def flush():
        if paragraph:
            out.append(" ".join(paragraph))
            paragraph.clear()

    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            out.append(line.strip())
            continue
        if not line.strip():
            flush()
            continue
        if line.startswith("|"):
            flush()
            if not re.fullmatch(r"[|\s:-]+", line):
                out.extend(cell.strip() for cell in line.strip("|").split("|"))
            continue
        item = re.match(r"^(#+|-|\d+\.)\s+(.*)$", line)
        if item:
            flush()
            paragraph.append(item.group(2))
        else:
            paragraph.append(line.strip())
    flush()
    plain = (re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", f).replace("`", "").replace("**", "") for f in out)
    return [" ".join(f.split()) for f in plain if f.strip()]


def test_the_built_page_contains_contributing_md(built_site):
    parser = _Text()
    parser.feed((built_site / "contributing" / "index.html").read_text(encoding="utf-8"))
    page = parser.text()
    missing = [f for f in fragments(CONTRIBUTING.read_text(encoding="utf-8")) if f not in page]
    assert not missing, f"not on the built page: {missing}"
    assert "{% raw %}" not in page and "end of CONTRIBUTING.md" not in page


def test_every_command_in_contributing_md_is_real():
    blocks = [b for b in code_blocks(CONTRIBUTING.read_text(encoding="utf-8")) if b[0] in ("sh", "bash", "console")]
    commands = [line for _, lines in blocks for line in lines if line and not line.startswith("#")]
    assert commands, "CONTRIBUTING.md has no shell commands"
    problems = {command: check_command(command) for command in commands}
    assert not {c: p for c, p in problems.items() if p}


def test_the_three_commands_add_measure_and_show_a_variant():
    first_block = next(
        lines for language, lines in code_blocks(CONTRIBUTING.read_text(encoding="utf-8")) if language == "sh"
    )
    commands = [shlex.split(line, comments=True) for line in first_block]
    assert commands[0] == ["$EDITOR", "programs/recipes.toml"]
    assert commands[1][:2] == ["make", "measure"] and commands[1][2].startswith("ONLY=")
    assert commands[2] == ["make", "serve"]
    # The example variant is the one measured, and the recipe example is a valid entry.
    variant = commands[1][2].removeprefix("ONLY=")
    toml_block = next(
        lines for language, lines in code_blocks(CONTRIBUTING.read_text(encoding="utf-8")) if language == "toml"
    )
    assert f'id = "{variant.split("/")[1]}"' in toml_block and f'program = "{variant.split("/")[0]}"' in toml_block


def test_the_issue_form_asks_what_to_measure_and_why():
    form = yaml.safe_load((REPO / ".github" / "ISSUE_TEMPLATE" / "request-a-measurement.yml").read_text("utf-8"))
    assert form["name"] and form["description"]
    ids = [element["id"] for element in form["body"] if element["type"] != "markdown"]
    assert len(ids) == len(set(ids))
    assert {"program", "base", "libc", "tls", "why"} <= set(ids)
    for element in form["body"]:
        assert element["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        assert element["attributes"].get("label") or element["type"] == "markdown"
    program = next(element for element in form["body"] if element.get("id") == "program")
    schema = json.loads((REPO / "measurements" / "images.schema.json").read_text("utf-8"))
    enum = next(f for f in schema["fields"] if f["name"] == "program")["constraints"]["enum"]
    assert program["attributes"]["options"][:-1] == enum  # every measured program, then "another program"


def test_the_pull_request_template_names_real_commands():
    text = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    for target in re.findall(r"`make (\w+)`", text):
        assert target in make_targets()


def test_pre_commit_hooks_are_local_and_run_tools_from_the_venv():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing to fetch
    hooks = config["repos"][0]["hooks"]
    assert {"validate-data", "ruff-check", "ruff-format", "actionlint", "zizmor"} <= {h["id"] for h in hooks}
    for hook in hooks:
        assert check_command(hook["entry"]) is None, hook


def test_pre_commit_accepts_the_configuration():
    tools = Path(os.environ.get("WORKFLOW_LINTERS_BIN") or Path(sys.executable).parent)
    if not (tools / "pre-commit").exists():
        pytest.fail(f"pre-commit is not installed in {tools}: run `make test` (requirements/test.lock installs it)")
    proc = subprocess.run(
        [str(tools / "pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
