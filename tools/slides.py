"""Give every notebook slideshow metadata for jupyterlab-rise (View > Render as slideshow, Alt+R).

    python tools/slides.py          # (re)write the slide types of notebooks/en/*.ipynb
    python tools/slides.py notebooks/en/05-control-flow.ipynb   # only these notebooks
    python tools/slides.py --check  # exit 1 if any notebook's slide metadata is missing or stale

The deck follows the notebook's structure, so nobody has to maintain it by hand:
- the title cell and every `## Section` start a new slide (left/right arrows),
  every `### Subsection` a sub-slide; a heading never sits in the middle of a cell
  (`--check` fails on one: split the cell there);
- every other paragraph of prose starts a sub-slide (down arrow) with the code
  and output that follow it: one idea per slide;
- imports and `%matplotlib` cells and navigation links are skipped, and so is the code of a
  `# @save` helper longer than a slide holds (SLIDE_LINES): the deck shows the helper at work,
  the notebook shows its code;
- each exercise's worked solution appears as a fragment (one more key press),
  so an instructor reveals it when the class is ready.
Long outputs scroll (`rise.scroll`); `notebooks/en/rise.css` makes code readable from the back.
Only metadata changes: the notebooks need not be re-executed.
"""

from __future__ import annotations

import re
import sys

from notebook_files import arguments, read, report, rewrite  # tools/ is on sys.path when run as a script

RISE = {"scroll": True, "theme": "simple", "transition": "none", "start_slideshow_at": "beginning",
        "slideNumber": True, "auto_select": "none"}
SLIDE_LINES = 20  # lines of code a 1280x800 slide shows at rise.css's 22 px
SAVE_MARKER = re.compile(r"^\s*#\s*@save\s*$|#\s*@save\s*$", re.MULTILINE)
SETUP_LINE = re.compile(r"^\s*(%matplotlib.*|import .+|from \S+ import .+|#.*|)\s*$")


def is_setup(cell) -> bool:
    """Only imports, magics and comments: nothing to show on a slide."""
    return cell.cell_type == "code" and all(SETUP_LINE.match(line) for line in cell.source.splitlines())


def is_long_helper(cell) -> bool:
    """The code of a `# @save` helper that would run past the bottom of a slide."""
    return (cell.cell_type == "code" and bool(SAVE_MARKER.search(cell.source))
            and len(cell.source.splitlines()) > SLIDE_LINES)


def slide_type(cell, first_markdown: bool) -> str:
    tags = set(cell.metadata.get("tags", []))
    if "navigation" in tags or is_setup(cell) or is_long_helper(cell):
        return "skip"
    if "solution" in tags:
        return "fragment"
    if cell.cell_type == "markdown":
        if first_markdown or re.match(r"^##?\s", cell.source):
            return "slide"
        return "subslide"  # a ### heading, or a paragraph of prose
    return "-"


HEADING = re.compile(r"^#{1,3}\s")


def headings_inside_cells(notebook) -> list[str]:
    """Headings that are not the first line of their markdown cell (outside code fences)."""
    found = []
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        fenced = False
        for number, line in enumerate(cell.source.splitlines()):
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif number > 0 and not fenced and HEADING.match(line):
                found.append(line.strip())
    return found


def with_slides(notebook):
    first = True
    for cell in notebook.cells:
        kind = slide_type(cell, first and cell.cell_type == "markdown"
                          and "navigation" not in cell.metadata.get("tags", []))
        if cell.cell_type == "markdown" and kind != "skip":
            first = False
        cell.metadata["slideshow"] = {"slide_type": kind}
    notebook.metadata["rise"] = dict(RISE)
    return notebook


def main(argv: list[str] | None = None) -> int:
    paths, check = arguments(__doc__, "write nothing; exit 1 if slide metadata is stale", argv)
    inner = [(path.name, heading) for path in paths for heading in headings_inside_cells(read(path))]
    for name, heading in inner:
        print(f"{name}: the heading {heading!r} sits inside a markdown cell; start a new cell there", file=sys.stderr)
    if inner:
        return 1
    changed = rewrite(paths, lambda path, notebook: with_slides(notebook), check)
    return report(changed, len(paths), check, "slide metadata", "slides.py")

if __name__ == "__main__":
    sys.exit(main())
