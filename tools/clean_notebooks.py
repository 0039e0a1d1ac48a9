"""Drop volatile metadata from notebooks, so an unchanged notebook leaves `git diff` empty.

    python tools/clean_notebooks.py                        # every notebook of every edition
    python tools/clean_notebooks.py notebooks/en/01-calculus.ipynb
    python tools/clean_notebooks.py --check                # exit 1 if any would change

Removed: execution timings (JupyterLab's `execution` and the old `ExecuteTime` cell
metadata), the Python patch version in `language_info`, widget state (random model
ids, meaningless without a kernel) and widget views in outputs: the view itself, an
output keeping its static text and image fallbacks (an output that was only a view goes).
These, with `kernelspec` (set to the one kernel of the collection), are what this tool
owns; it keeps everything else: every other output, tag, slide type, cell and metadata key
and the recorded library versions. Used by pre-commit and by tools/execute_notebooks.py.
Writes are atomic (tools/notebook_files.py). Exits 1 when it changed (or, with --check,
would change) a file, as pre-commit hooks do; 2 on an error, naming the file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from notebook_files import notebook_paths, rewrite  # tools/ is on sys.path when run as a script

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Remove what changes from run to run or machine to machine (in place; returns it)."""
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
        if cell.cell_type == "code":
            kept = []
            for output in cell.outputs:
                data = output.get("data", {})
                if WIDGET_VIEW in data:
                    del data[WIDGET_VIEW]
                    if not data:
                        continue  # the output was only a widget view
                kept.append(output)
            cell.outputs = kept
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a notebook would change")
    args = parser.parse_args(argv)
    changed = rewrite(args.notebooks or notebook_paths(), lambda path, notebook: clean(notebook), args.check)
    for path in changed:
        print(f"{'would clean' if args.check else 'cleaned'} {path}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
