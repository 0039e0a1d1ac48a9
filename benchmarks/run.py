"""Benchmarks: what d2lhelpers costs, measured side by side in one run, printed as ratios.

    python benchmarks/run.py            # everything (a few minutes on 2 cores)
    python benchmarks/run.py --only import
    python benchmarks/run.py --only suite --only notebooks

- import:    `import d2lhelpers as d2l` (and its first use, which loads the helpers)
             against the floor `import torch, matplotlib.pyplot`, and against the module set
             that `from d2l import torch as d2l` loads (those of them installed here);
- suite:     wall time of the notebook tests, serial and `-n 2 --dist loadfile`, against the
             floor of one kernel start plus `import torch` per notebook;
- notebooks: execution time and the kernel's peak memory for each notebook.

Each measurement alternates the candidates and reports medians, so a busy machine slows all
of them alike; ratios are what to read, not absolute seconds. Nothing here asserts anything.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
D2L_MODULES = ["numpy", "torch", "PIL", "pandas", "requests", "IPython", "matplotlib.pyplot",
               "scipy.spatial", "torchvision"]


def measure(candidates: dict, repeats: int) -> dict:
    """Median seconds of each zero-argument callable, the candidates taking turns in every round."""
    times = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            times[name].append(run())
    return {name: statistics.median(values) for name, values in times.items()}


def print_ratios(title: str, medians: dict, floor: str, digits: int) -> None:
    print(f"\n## {title}\n")
    print("| what | seconds | / floor |")
    print("|---|---:|---:|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.{digits}f} | {seconds / medians[floor]:.2f}x |")


def time_python(code: str) -> float:
    env = dict(os.environ, MPLBACKEND="Agg")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def importable(module: str) -> bool:
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return result.returncode == 0


def bench_import(repeats: int) -> None:
    d2l_set = [m for m in D2L_MODULES if importable(m)]
    candidates = {
        "python -c pass": "pass",
        "floor: import torch, matplotlib.pyplot": "import torch, matplotlib.pyplot",
        "import d2lhelpers as d2l": "import d2lhelpers as d2l",
        "import d2lhelpers as d2l; d2l.plot": "import d2lhelpers as d2l; d2l.plot",
        "d2l's module set": "import " + ", ".join(d2l_set),
    }
    medians = measure({name: (lambda code=code: time_python(code)) for name, code in candidates.items()}, repeats)
    print_ratios(f"Import cost (median of {repeats} fresh interpreters)", medians,
                 "floor: import torch, matplotlib.pyplot", 2)
    missing = sorted(set(D2L_MODULES) - set(d2l_set))
    print(f"\nd2l's module set here: {', '.join(d2l_set)}"
          + (f" (not importable here: {', '.join(missing)})" if missing else ""))


def kernel_floor(count: int) -> float:
    """Seconds to start `count` kernels, one after another, each importing torch."""
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    for _ in range(count):
        manager, client = start_new_kernel(kernel_name="python3")
        try:
            client.execute_interactive("import torch", timeout=120)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    return time.perf_counter() - start


def time_pytest(arguments: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", *arguments, "notebooks"],
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"the notebook suite failed:\n{result.stdout[-2000:]}")
    return time.perf_counter() - start


def bench_suite(repeats: int) -> None:
    code_notebooks = [p for p in NOTEBOOKS if '"cell_type": "code"' in p.read_text(encoding="utf-8")]
    medians = measure({
        "floor: kernel start + import torch, per notebook": lambda: kernel_floor(len(code_notebooks)),
        "pytest notebooks/ (serial)": lambda: time_pytest(["-p", "no:xdist"]),
        "pytest -n 2 --dist loadfile notebooks/": lambda: time_pytest(["-n", "2", "--dist", "loadfile"]),
    }, repeats)
    print_ratios(f"Notebook suite, {len(code_notebooks)} notebooks with code (median of {repeats})", medians,
                 "floor: kernel start + import torch, per notebook", 1)


PEAK_MEMORY = "import resource as _r; print(_r.getrusage(_r.RUSAGE_SELF).ru_maxrss)"


def bench_notebooks() -> None:
    import nbformat
    from nbclient import NotebookClient

    print("\n## Each notebook: execution time and the kernel's peak memory\n")
    print("| notebook | code cells | seconds | peak MiB |")
    print("|---|---:|---:|---:|")
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        cells = sum(cell.cell_type == "code" for cell in notebook.cells)
        notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY))
        client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}}, allow_errors=True)
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
        kib = int(notebook.cells[-1].outputs[0]["text"].strip())  # Linux reports KiB
        print(f"| {path.name} | {cells} | {seconds:.1f} | {kib / 1024:.0f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=["import", "suite", "notebooks"])
    parser.add_argument("--repeats", type=int, default=5, help="repeats for the import benchmark")
    parser.add_argument("--suite-repeats", type=int, default=1, help="repeats for the suite benchmark")
    args = parser.parse_args()
    chosen = args.only or ["import", "suite", "notebooks"]
    if importlib.util.find_spec("d2lhelpers") is None:
        raise SystemExit("install the package first: pip install -e '.[test]'")
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    if "import" in chosen:
        bench_import(args.repeats)
    if "suite" in chosen:
        bench_suite(args.suite_repeats)
    if "notebooks" in chosen:
        bench_notebooks()
    return 0


if __name__ == "__main__":
    sys.exit(main())
