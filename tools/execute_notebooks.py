"""Re-execute notebooks top to bottom in a fresh kernel and store their outputs.

    python tools/execute_notebooks.py                 # every notebook of every edition
    python tools/execute_notebooks.py notebooks/en/01-calculus.ipynb

Each notebook runs in its own folder, like nbval and JupyterLab run it. Cells
tagged ``raises-exception`` may fail; any other error stops that notebook and its
file is left untouched, and the run goes on with the next notebook. The notebook is
written atomically (``d2lhelpers.atomic``: a temporary file, fsync, rename), so a full
disk or a crash while writing leaves the old file whole. Exit 0 when every notebook
was executed and written, 1 when a cell failed, 2 when a notebook could not be read
or written (each named in one line). Volatile metadata (execution timings, the
Python patch version, widget state with its random ids) is dropped, so that
re-executing an unchanged notebook leaves ``git diff`` empty apart from cells
whose output really varies (timings, tagged ``nbval-ignore-output``). The
versions of torch, numpy and matplotlib that made the outputs are recorded in
the notebook's metadata (``d2lhelpers.outputs_made_with``); any other key there is kept.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from clean_notebooks import clean  # tools/ is on sys.path when this file runs as a script
from notebook_files import notebook_paths

from d2lhelpers.atomic import WriteError, write_atomically
from d2lhelpers.extract import ExtractError, read_nbformat

RECORDED = ("torch", "numpy", "matplotlib")  # the libraries whose versions shape stored outputs
# nbclient sometimes receives the reply to a cell that opens widgets (01's sliders) only when the
# cell's timeout runs out (jupyter/nbclient issue 312): a short timeout for such cells bounds the
# stall, without an error, instead of a ten-minute wait
WIDGET_CELL_TIMEOUT = 10


def cell_timeout(timeout: int):
    def for_cell(cell) -> int:
        return min(timeout, WIDGET_CELL_TIMEOUT) if "widgets.interact" in cell.source else timeout
    return for_cell


def library_versions() -> dict:
    """The versions the stored outputs were made with (for the record; tests/nbval_meaning.py compares figures as pictures under any version)."""
    from importlib.metadata import version

    return {name: version(name) for name in RECORDED}


def record_versions(notebook: nbformat.NotebookNode) -> None:
    record = notebook.metadata.get("d2lhelpers")
    if not isinstance(record, dict):
        record = notebook.metadata["d2lhelpers"] = {}
    record["outputs_made_with"] = library_versions()


def execute(path: Path, timeout: int) -> None:
    notebook = read_nbformat(path)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        timeout_func=cell_timeout(timeout),
        record_timing=False,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    clean(notebook)
    record_versions(notebook)
    nbformat.validate(notebook)
    write_atomically(path, nbformat.writes(notebook) + "\n", links="follow")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default: %(default)s)")
    args = parser.parse_args(argv)
    paths = args.notebooks or notebook_paths()
    failed = broken = 0
    for path in paths:
        try:
            execute(path, args.timeout)
        except CellExecutionError as error:
            failed += 1
            print(f"{path}: a cell failed, the notebook was not written:\n{error}", file=sys.stderr)
        except (ExtractError, WriteError) as error:
            broken += 1
            print(f"{error}; the notebook file is left untouched", file=sys.stderr)
        except (OSError, nbformat.ValidationError) as error:
            broken += 1
            print(f"{path}: {error}; the notebook file is left untouched", file=sys.stderr)
        else:
            print(f"executed {path}")
    return 2 if broken else 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
