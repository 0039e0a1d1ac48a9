"""Keep every worked solution collapsed behind a clean label, input and output alike.

    python tools/solutions.py                # relabel and collapse the solutions of every edition
    python tools/solutions.py notebooks/en/05-control-flow.ipynb
    python tools/solutions.py --check        # exit 1 if a solution shows its answer while collapsed

A worked solution is a cell tagged ``solution`` after its exercise. JupyterLab shows a
collapsed cell as a bar with the cell's first line, and keeps showing the cell's output
unless that is collapsed too. So each solution cell

- starts with the line ``Solution to exercise N (click to expand)`` (in the Chinese edition,
  ``notebooks/zh-CN/``: ``练习 N 的解答（点击展开）``), as a ``#`` comment in code, N being the
  number of the exercise above it, so the bar gives nothing away;
- has its input collapsed (``jupyter.source_hidden``) and, for code, its output too
  (``jupyter.outputs_hidden``): a plot or a printed answer stays hidden until the student
  expands the cell.

What this tool owns: the first line of each solution cell (an old label in either language is
replaced; the author's own first line is kept below the label) and its
``jupyter.source_hidden`` / ``jupyter.outputs_hidden``; every other cell, key and line is kept.
A code cell's new first line is a comment, so the notebook need not be re-executed; writes are
atomic (``tools/notebook_files.py``).
"""

from __future__ import annotations

import re
import sys

from notebook_files import arguments, edition_of, report, rewrite  # tools/ is on sys.path when run as a script

from d2lhelpers.editions import ENGLISH, SOLUTION_LABEL, Edition

TAG = "solution"
LABEL = SOLUTION_LABEL  # the label of either edition, numbered or not, as a comment or as text
EXERCISE = re.compile(r"^(\d+)\.\s", re.MULTILINE)


def label(number: int | None, code: bool, edition: Edition = ENGLISH) -> str:
    text = edition.label(number)
    return f"# {text}" if code else text


def relabelled(source: str, number: int | None, code: bool, edition: Edition = ENGLISH) -> str:
    """The cell's source with the label of its exercise as its first line, and nothing else changed."""
    lines = source.split("\n")
    if lines and LABEL.match(lines[0]):
        lines = lines[1:]
        if not code and lines and not lines[0].strip():
            lines = lines[1:]
    body = "\n".join(lines)
    if code:
        return f"{label(number, True, edition)}\n{body}"
    return f"{label(number, False, edition)}\n\n{body}"


def with_collapsed_solutions(notebook, edition: Edition = ENGLISH):
    number = None
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if TAG not in tags:
            if cell.cell_type == "markdown":
                found = EXERCISE.findall(cell.source)
                if found:
                    number = int(found[-1])
            continue
        code = cell.cell_type == "code"
        cell.source = relabelled(cell.source, number, code, edition)
        hidden = dict(cell.metadata.get("jupyter", {}), source_hidden=True)
        if code:
            hidden["outputs_hidden"] = True
        cell.metadata["jupyter"] = hidden
    return notebook


def main(argv: list[str] | None = None) -> int:
    paths, check = arguments(__doc__, "write nothing; exit 1 if a solution is not collapsed", argv)
    changed = rewrite(paths, lambda path, notebook: with_collapsed_solutions(notebook, edition_of(path)), check)
    return report(changed, len(paths), check, "collapsed solutions", "solutions.py")


if __name__ == "__main__":
    sys.exit(main())
