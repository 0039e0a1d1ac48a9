"""Write the `< previous | contents | next >` links at the top and bottom of every notebook.

    python tools/navigation.py          # update the links in notebooks/en/*.ipynb
    python tools/navigation.py --check  # exit 1 if any notebook's links are missing or stale

The reading order is the file order; ``00-index.ipynb`` is the table of contents.
A navigation cell is a markdown cell tagged ``navigation``; this tool replaces
those cells and touches nothing else, so the notebook need not be re-executed.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from notebook_files import notebook_paths, read, report, rewrite  # tools/ is on sys.path when run as a script

INDEX = "00-index.ipynb"
TAG = "navigation"


def title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and TAG not in cell.metadata.get("tags", []):
            match = re.search(r"^#\s+(.+)$", cell.source, re.MULTILINE)
            if match:
                return match.group(1).strip()
    raise ValueError("no '# Title' heading in the first markdown cells")


def links(paths: list[Path], position: int, titles: dict[str, str]) -> str:
    parts = []
    if position > 0:
        previous = paths[position - 1].name
        parts.append(f"&lt; [{titles[previous]}]({previous})")
    if paths[position].name != INDEX:
        parts.append(f"[Contents]({INDEX})")
    if position + 1 < len(paths):
        following = paths[position + 1].name
        parts.append(f"[{titles[following]}]({following}) &gt;")
    return " | ".join(parts)


def navigation_cell(text: str):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [TAG]
    cell.metadata["slideshow"] = {"slide_type": "skip"}
    return cell


def with_navigation(notebook, text: str):
    """The notebook with exactly one navigation cell at the top and one at the bottom."""
    cells = [cell for cell in notebook.cells if TAG not in cell.metadata.get("tags", [])]
    top, bottom = navigation_cell(text), navigation_cell(text)
    # keep the ids of existing navigation cells, so an unchanged notebook stays byte-identical
    ids = [cell.get("id") for cell in notebook.cells if TAG in cell.metadata.get("tags", [])]
    if len(ids) == 2:
        top["id"], bottom["id"] = ids
    notebook.cells = [top, *cells, bottom]
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if links are stale")
    args = parser.parse_args(argv)
    paths = notebook_paths()
    titles = {}
    for path in paths:
        try:
            titles[path.name] = title(read(path))
        except ValueError as error:
            print(f"{path}: {error}", file=sys.stderr)
            return 2
    changed = rewrite(paths, lambda path, notebook: with_navigation(
        notebook, links(paths, paths.index(path), titles)), args.check)
    return report(changed, len(paths), args.check, "navigation", "navigation.py")

if __name__ == "__main__":
    sys.exit(main())
