"""Write the `< previous | contents | next >` links at the top and bottom of every notebook.

    python tools/navigation.py          # update the links of every edition (notebooks/en/, notebooks/zh-CN/)
    python tools/navigation.py --check  # exit 1 if any notebook's links are missing or stale

Each edition is linked within itself: the reading order is its file order, ``00-index.ipynb``
is its table of contents, the titles are its own notebooks' ``# Title`` headings, and the
contents link says ``Contents`` in English and ``目录`` in Chinese (``d2lhelpers/editions.py``).

What this tool owns: the link cells it wrote, and nothing else. A cell is one of them when it is
a markdown cell tagged ``navigation`` *and* its text is only such links (``&lt; [title](file.ipynb)``,
``[Contents](00-index.ipynb)``, ``[title](file.ipynb) &gt;``, separated by `` | ``). Those are
replaced by one link cell at the top and one at the bottom (keeping their ids, so an unchanged
notebook stays byte-identical). Any other cell tagged ``navigation`` (a code cell, a note) is
kept where it is, untouched, with a warning; every other cell and key is kept as well. Only
markdown changes, so the notebook need not be re-executed; writes are atomic
(``tools/notebook_files.py``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from notebook_files import edition_folders, edition_of, notebook_paths, read, report, rewrite  # tools/ on sys.path

from d2lhelpers.extract import markdown_headings

INDEX = "00-index.ipynb"
TAG = "navigation"
# one part of a navigation line: the previous notebook, the contents, or the next notebook
LINK = re.compile(r"&lt; \[[^\]\n]*\]\([^)\s]+\.ipynb\)|\[[^\]\n]*\]\([^)\s]+\.ipynb\)(?: &gt;)?")


def tags(cell) -> list:
    return cell.metadata.get("tags", [])


def is_link_cell(cell) -> bool:
    """A cell this tool wrote: tagged navigation, markdown, and nothing but links between notebooks."""
    if cell.cell_type != "markdown" or TAG not in tags(cell):
        return False
    text = cell.source.strip()
    return bool(text) and all(LINK.fullmatch(part) for part in text.split(" | "))


def title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and not is_link_cell(cell):
            headings = [text for level, text in markdown_headings(cell.source) if level == 1]
            if headings:
                return headings[0]
    raise ValueError("no '# Title' heading in the first markdown cells")


def links(paths: list[Path], position: int, titles: dict[str, str], contents: str = "Contents") -> str:
    parts = []
    if position > 0:
        previous = paths[position - 1].name
        parts.append(f"&lt; [{titles[previous]}]({previous})")
    if paths[position].name != INDEX:
        parts.append(f"[{contents}]({INDEX})")
    if position + 1 < len(paths):
        following = paths[position + 1].name
        parts.append(f"[{titles[following]}]({following}) &gt;")
    return " | ".join(parts)


def navigation_cell(text: str, minor: int = 5):
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [TAG]
    cell.metadata["slideshow"] = {"slide_type": "skip"}
    if minor < 5:  # cell ids came with nbformat 4.5
        del cell["id"]
    return cell


def with_navigation(notebook, text: str, path: Path | None = None):
    """The notebook with exactly one link cell at the top and one at the bottom; nothing else changes."""
    own = [cell for cell in notebook.cells if is_link_cell(cell)]
    for index, cell in enumerate(notebook.cells, start=1):
        if TAG in tags(cell) and not is_link_cell(cell):
            print(f"{path or 'notebook'}, cell {index}: tagged '{TAG}' but not a link cell this tool wrote, so it is "
                  f"kept as it is; remove the tag if it is yours", file=sys.stderr)
    cells = [cell for cell in notebook.cells if not is_link_cell(cell)]
    minor = notebook.get("nbformat_minor", 5)
    top, bottom = navigation_cell(text, minor), navigation_cell(text, minor)
    # keep the ids of the existing link cells, so an unchanged notebook stays byte-identical
    ids = [cell.get("id") for cell in own if cell.get("id")]
    if minor >= 5 and ids:
        top["id"] = ids[0]
        if len(ids) >= 2:
            bottom["id"] = ids[-1]
    notebook.cells = [top, *cells, bottom]
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if links are stale")
    args = parser.parse_args(argv)
    changed, total = [], 0
    for folder in edition_folders():
        paths = notebook_paths(folder)
        contents = edition_of(folder).contents
        titles = {}
        for path in paths:
            try:
                titles[path.name] = title(read(path))
            except ValueError as error:
                print(f"{path}: {error}", file=sys.stderr)
                return 2
        changed += rewrite(paths, lambda path, notebook, paths=paths, titles=titles: with_navigation(
            notebook, links(paths, paths.index(path), titles, contents), path), args.check)
        total += len(paths)
    return report(changed, total, args.check, "navigation", "navigation.py")


if __name__ == "__main__":
    sys.exit(main())
