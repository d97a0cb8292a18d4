"""Where the project's parts live, and how a path is named in messages: written once."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MEASUREMENTS = REPO / "measurements"
PROGRAMS = REPO / "programs"
RECIPES = PROGRAMS / "recipes.toml"
IMAGES_SCHEMA = MEASUREMENTS / "images.schema.json"
CACHE = REPO / ".cache"


def label(path: Path | str) -> str:
    """``path`` relative to the repository when it lies inside it (how messages name files), else as given."""
    try:
        return str(Path(path).resolve().relative_to(REPO))
    except ValueError:
        return str(path)


#: What a build of the site reads: a copy of these is a site of its own (for tests and timings).
SITE_PARTS = ("mkdocs.yml", "macros.py", "cheatsheet", "docs", "measurements", "programs")


def copy_site(dest: Path, source: Path = REPO) -> Path:
    """Copy the site's sources (:data:`SITE_PARTS` of ``source``) into the new directory ``dest``."""
    import shutil  # noqa: PLC0415 -- only the callers that copy a site need it

    dest.mkdir(parents=True)
    for part in SITE_PARTS:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("target", "__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest
