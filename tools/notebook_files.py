"""Shared by the notebook tools: read notebooks, rewrite them through a function, report changes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks" / "en"


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def arguments(doc: str, check_help: str, argv: list[str] | None) -> tuple[list[Path], bool]:
    """The command line of a notebook tool: optional notebook paths (default: all) and --check."""
    import argparse

    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help=check_help)
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/en/")
    args = parser.parse_args(argv)
    return args.notebooks or notebook_paths(), args.check


def read(path: Path) -> nbformat.NotebookNode:
    """The notebook, or exit 2 with one line naming the file (nbformat raises many kinds of error)."""
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:
        print(f"{path}: not a readable notebook: {error}", file=sys.stderr)
        sys.exit(2)


def rewrite(paths: list[Path], transform: Callable, check: bool) -> list[Path]:
    """Apply ``transform(path, notebook) -> notebook`` to each notebook.

    Writes each file whose text changes, unless ``check``; returns the files that
    changed (or would change).
    """
    changed = []
    for path in paths:
        after = nbformat.writes(transform(path, read(path))) + "\n"
        # compared as written, so a notebook with CRLF line endings counts as changed; written
        # with LF on every system (.gitattributes: *.ipynb eol=lf)
        if path.read_bytes() != after.encode("utf-8"):
            changed.append(path)
            if not check:
                path.write_text(after, encoding="utf-8", newline="\n")
    return changed


def report(changed: list[Path], total: int, check: bool, what: str, tool: str) -> int:
    """Print what a tool did (or, with --check, what is stale); the exit code: 1 when stale."""
    if check and changed:
        print(f"{what} is stale in: {', '.join(p.name for p in changed)}; run python tools/{tool}", file=sys.stderr)
        return 1
    print(f"{'checked' if check else 'updated'} {what} of {total} notebooks ({len(changed)} changed)")
    return 0
