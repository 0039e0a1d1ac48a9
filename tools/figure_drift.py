"""How far re-drawn figures move from the stored ones: the measurement behind FIGURE_RMS.

    python tools/figure_drift.py                         # every notebook, this machine's kernels
    ATEN_CPU_CAPABILITY=default python tools/figure_drift.py notebooks/en/08-optimizer.ipynb

Executes each notebook in a fresh kernel (nothing is written), renders every figure it
produces and its stored counterpart the way tests/nbval_meaning.py does (the PNG decoded,
the SVG rendered with resvg), and prints the RMS difference of each pair on the 0-255
scale, then the largest one against the tolerance. Run it under other CPU kernels
(ATEN_CPU_CAPABILITY) and other matplotlib releases before changing the tolerance.
"""

from __future__ import annotations

import argparse
import base64
import copy
import os
import platform
import sys
from importlib.metadata import version
from pathlib import Path

from nbclient import NotebookClient

from notebook_files import ROOT, notebook_paths, read  # tools/ is on sys.path when run as a script

sys.path.insert(0, str(ROOT / "tests"))
import nbval_meaning as meaning  # noqa: E402


def figures(cell):
    for number, output in enumerate(cell.get("outputs", []), start=1):
        for mime in meaning.PICTURE_TYPES:
            if mime in output.get("data", {}):
                yield number, mime, output["data"][mime]


def pixels(mime: str, value) -> bytes:
    text = "".join(value) if isinstance(value, list) else value
    return meaning.svg_to_png(text) if mime == "image/svg+xml" else base64.b64decode(text)


def drift(path: Path) -> list[tuple[str, float]]:
    stored = read(path)
    fresh = copy.deepcopy(stored)
    NotebookClient(fresh, kernel_name="python3", timeout=600, allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    found = []
    code = [cell for cell in stored.cells if cell.cell_type == "code"]
    redone = [cell for cell in fresh.cells if cell.cell_type == "code"]
    for index, (old, new) in enumerate(zip(code, redone)):
        for (number, mime, value), (_, _, new_value) in zip(figures(old), figures(new)):
            where = f"{path.name}, code cell {index}, output {number}, {mime}"
            try:
                found.append((where, meaning.picture_rms(pixels(mime, value), pixels(mime, new_value))))
            except ValueError as error:
                found.append((f"{where} ({error})", float("inf")))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    print(f"{platform.python_version()}, torch {version('torch')}, matplotlib {version('matplotlib')}, "
          f"ATEN_CPU_CAPABILITY={os.environ.get('ATEN_CPU_CAPABILITY', '(this CPU)')}")
    results = [item for path in (args.notebooks or notebook_paths()) for item in drift(path)]
    for where, rms in results:
        print(f"{rms:8.3f}  {where}")
    if not results:
        print("no figures")
        return 0
    where, largest = max(results, key=lambda item: item[1])
    print(f"largest RMS {largest:.3f} ({where}); tolerance FIGURE_RMS = {meaning.FIGURE_RMS}; "
          f"{len(results)} figures")
    return 0 if largest <= meaning.FIGURE_RMS else 1


if __name__ == "__main__":
    sys.exit(main())
