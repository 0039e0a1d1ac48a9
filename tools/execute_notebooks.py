"""Re-execute notebooks top to bottom in a fresh kernel and store their outputs.

    python tools/execute_notebooks.py                 # every notebook in notebooks/
    python tools/execute_notebooks.py notebooks/01-calculus.ipynb

Each notebook runs in its own folder, like nbval and JupyterLab run it. Cells
tagged ``raises-exception`` may fail; any other error stops the run and the
notebook file is left untouched. Volatile metadata (execution timings, the
Python patch version) is dropped so that re-executing an unchanged notebook
leaves ``git diff`` empty apart from real output changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parent.parent
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def clean_metadata(notebook: nbformat.NotebookNode) -> None:
    """Drop what changes from run to run or machine to machine."""
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)


def execute(path: Path, timeout: int) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        record_timing=False,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    clean_metadata(notebook)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default: %(default)s)")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    failed = 0
    for path in paths:
        try:
            execute(path, args.timeout)
        except CellExecutionError as error:
            failed += 1
            print(f"{path}: a cell failed, the notebook was not written:\n{error}", file=sys.stderr)
        except (OSError, nbformat.ValidationError) as error:
            failed += 1
            print(f"{path}: {error}", file=sys.stderr)
        else:
            print(f"executed {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
