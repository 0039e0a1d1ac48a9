"""Benchmarks: what d2lhelpers costs, measured side by side in one run, printed as ratios.

    python benchmarks/run.py            # everything (a few minutes on 2 cores)
    python benchmarks/run.py --only import
    python benchmarks/run.py --only suite --only notebooks

It prints the machine (CPU model, cores, system, Python, torch), then the tables in the form
CONTRIBUTING.md's "Speed, measured" uses, ready to paste. A notebook or suite run that fails is
reported in its row and the run goes on.

- import:    `import d2lhelpers as d2l` (and its first use, which loads the helpers)
             against the floor `import torch, matplotlib.pyplot`, and against the module set
             that `from d2l import torch as d2l` loads (those of them installed here);
- suite:     wall time of the notebook tests, serial and `-n 2 --dist loadfile`, each with and
             without warm kernels (tests/warm_kernels.py), against the floor of one kernel start
             plus `import torch` per notebook;
- whole:     README's `pytest` (both editions) against the English-only suite (`-m "not chinese"`),
             and the unit tests alone;
- notebooks: execution time, ratio to its own floor (one kernel start plus `import torch`) and
             the kernel's peak memory for each notebook.

Each measurement alternates the candidates and reports medians, so a busy machine slows all
of them alike; ratios are what to read, not absolute seconds. Nothing here asserts anything.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks" / "en").glob("*.ipynb"))
D2L_MODULES = ["numpy", "torch", "PIL", "pandas", "requests", "IPython", "matplotlib.pyplot",
               "scipy.spatial", "torchvision"]


def measure(candidates: dict, repeats: int) -> dict:
    """Median seconds of each zero-argument callable, the candidates taking turns in every round."""
    times = {name: [] for name in candidates}
    for _ in range(repeats):
        for name, run in candidates.items():
            times[name].append(run())
    return {name: statistics.median(values) for name, values in times.items()}


def ratio_rows(medians: dict, floor: str, digits: int, labels: dict | None = None) -> list[str]:
    """Markdown rows "| what | seconds | ratio |" for README.md's speed table."""
    rows = []
    for name, seconds in medians.items():
        ratio = f"{seconds / medians[floor]:.2f}x"
        rows.append(f"| {(labels or {}).get(name, name)} | {seconds:.{digits}f} | "
                    f"{ratio if name == floor else '**' + ratio + '**'} |")
    return rows


def cpu_model() -> str:
    system = platform.system()
    try:
        if system == "Linux":
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
        if system == "Darwin":
            return subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True,
                                  text=True).stdout.strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine() -> str:
    try:
        torch = importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        torch = "not installed"
    return (f"{cpu_model()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, torch {torch}")


def time_python(code: str) -> float:
    env = dict(os.environ, MPLBACKEND="Agg")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return time.perf_counter() - start


def importable(module: str) -> bool:
    result = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
    return result.returncode == 0


def bench_import(repeats: int) -> list[str]:
    d2l_set = [m for m in D2L_MODULES if importable(m)]
    missing = sorted(set(D2L_MODULES) - set(d2l_set))
    candidates = {
        "floor": "import torch, matplotlib.pyplot",
        "import": "import d2lhelpers as d2l",
        "plot": "import d2lhelpers as d2l; d2l.plot",
        "d2l": "import " + ", ".join(d2l_set),
    }
    labels = {
        "floor": "floor: `import torch, matplotlib.pyplot`",
        "import": "`import d2lhelpers as d2l` (helpers load on first use)",
        "plot": "`import d2lhelpers as d2l; d2l.plot` (everything loaded)",
        "d2l": "the modules `from d2l import torch as d2l` loads ("
               + ", ".join(m.replace("matplotlib.pyplot", "pyplot") for m in d2l_set)
               + (f"; {', '.join(missing)} {'does' if len(missing) == 1 else 'do'} not import here"
                  if missing else "") + ")",
    }
    medians = measure({name: (lambda code=code: time_python(code)) for name, code in candidates.items()}, repeats)
    return ratio_rows(medians, "floor", 2, labels)


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


FAILURES: list[str] = []  # what failed, printed after the tables


def time_pytest(arguments: list[str], paths: tuple[str, ...] = ("notebooks/en",)) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", *arguments, *paths],
                            cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:  # report it and go on: the time is still that of a full run
        summary = result.stdout.strip().splitlines()[-1:] or ["no output"]
        FAILURES.append(f"`pytest {' '.join([*arguments, *paths])}` failed: {summary[0]}")
    return seconds


def code_notebooks() -> list[Path]:
    return [p for p in NOTEBOOKS if '"cell_type": "code"' in p.read_text(encoding="utf-8")]


def bench_suite(repeats: int) -> list[str]:
    count = len(code_notebooks())
    medians = measure({
        "floor": lambda: kernel_floor(count),
        "serial": lambda: time_pytest(["-p", "no:xdist"]),
        "serial-cold": lambda: time_pytest(["-p", "no:xdist", "--no-warm-kernels"]),
        "parallel": lambda: time_pytest(["-n", "2", "--dist", "loadfile"]),
        "parallel-cold": lambda: time_pytest(["-n", "2", "--dist", "loadfile", "--no-warm-kernels"]),
    }, repeats)
    labels = {
        "floor": f"floor: one kernel start + `import torch` for each of the {count} notebooks with code",
        "serial": "`pytest notebooks/en/`, serial",
        "serial-cold": "the same without warm kernels (`--no-warm-kernels`: nbval starts each kernel)",
        "parallel": "`pytest -n 2 --dist loadfile notebooks/en/` (xdist workers warm no kernels)",
        "parallel-cold": "the same with `--no-warm-kernels`: a control, it should match",
    }
    return ratio_rows(medians, "floor", 1, labels)


def bench_whole(repeats: int) -> list[str]:
    """README's `pytest` (both editions), against the English-only suite and the unit tests alone."""
    medians = measure({
        "english": lambda: time_pytest(["-m", "not chinese"], paths=()),
        "whole": lambda: time_pytest([], paths=()),
        "units": lambda: time_pytest(["-p", "no:xdist"], paths=("tests",)),
    }, repeats)
    labels = {
        "english": "the English-only suite: `pytest -m 'not chinese'`",
        "whole": "README's `pytest`: unit tests and notebooks, both editions",
        "units": "the unit tests alone: `pytest tests`",
    }
    return ratio_rows(medians, "english", 1, labels)


PEAK_MEMORY = "import resource as _r; print(_r.getrusage(_r.RUSAGE_SELF).ru_maxrss)"


def run_notebook(notebook, folder: Path) -> float:
    """Seconds from starting a fresh kernel to the reply of the notebook's last cell. The kernel's
    shutdown comes after (nbclient waits for it to exit: about 0.6 s that no notebook causes)."""
    from nbclient import NotebookClient

    sys.path.insert(0, str(ROOT / "tools"))
    from execute_notebooks import cell_timeout  # nbclient's widget stall (jupyter/nbclient issue 312)

    client = NotebookClient(notebook, timeout=600, timeout_func=cell_timeout(600), kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        seconds = time.perf_counter() - start
    return seconds


def one_cell(source: str):
    import nbformat

    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])


def bench_notebooks() -> list[str]:
    """One row per notebook; a notebook that fails gets a row saying so, and the next one runs.

    Two floors, each timed as the notebooks are (run_notebook): a notebook whose one cell is
    `import torch` (the floor of every notebook), and one whose one cell makes the imports this
    notebook's code makes anyway (tests/warm_kernels.py finds them: pyplot if it plots,
    torch._dynamo, which torch.func and torch.optim load on first use), so that the last ratio
    is what the notebook's own cells cost on top of those imports."""
    import nbformat

    sys.path.insert(0, str(ROOT / "tests"))
    from warm_kernels import warm_up

    floor = statistics.median(run_notebook(one_cell("import torch"), ROOT) for _ in range(3))
    imports: dict[str, float] = {}
    rows = [f"| notebook | code cells | seconds | ratio to its floor ({floor:.1f} s) | the imports it makes | "
            "seconds with only those | ratio to that | kernel peak MiB |",
            "|---|---:|---:|---:|---|---:|---:|---:|"]
    for path in NOTEBOOKS:
        try:
            notebook = nbformat.read(path, as_version=4)
            cells = sum(cell.cell_type == "code" for cell in notebook.cells)
            if not cells:  # a notebook without code starts no kernel of its own in the suite
                rows.append(f"| {path.stem} | 0 | | | | | | |")
                continue
            needs = warm_up(path)
            if needs not in imports:
                imports[needs] = statistics.median(run_notebook(one_cell(needs), ROOT) for _ in range(3))
            notebook.cells.append(nbformat.v4.new_code_cell(PEAK_MEMORY))
            seconds = run_notebook(notebook, path.parent)
            kib = int(notebook.cells[-1].outputs[0]["text"].strip())  # Linux reports KiB
            named = ", ".join(line.removeprefix("import ") for line in needs.splitlines())
            rows.append(f"| {path.stem} | {cells} | {seconds:.1f} | {seconds / floor:.2f}x | {named} | "
                        f"{imports[needs]:.1f} | {seconds / imports[needs]:.2f}x | {kib / 1024:.0f} |")
        except Exception as error:  # a failing cell, a dead kernel, a timeout: report and go on
            reason = str(error).strip().splitlines()[-1:] or [type(error).__name__]
            FAILURES.append(f"{path.name} failed: {type(error).__name__}: {reason[0][:200]}")
            rows.append(f"| {path.stem} | | failed | | | | | |")
        print(rows[-1], file=sys.stderr, flush=True)  # progress
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", choices=["import", "imports", "suite", "whole", "notebooks"])
    parser.add_argument("--repeats", type=int, default=7, help="fresh interpreters per import measurement")
    parser.add_argument("--suite-repeats", type=int, default=2, help="runs of the notebook suite")
    args = parser.parse_args(argv)
    chosen = {"import" if c == "imports" else c for c in args.only or ["import", "suite", "whole", "notebooks"]}
    if importlib.util.find_spec("d2lhelpers") is None:
        raise SystemExit("install the package first: pip install -e '.[test]'")
    print(f"`python benchmarks/run.py` on {machine()}; "
          f"medians of {args.repeats} interpreters" + (f" and of {args.suite_repeats} suite runs" if "suite" in chosen
                                                      else "") + ":\n")
    rows = []
    if "import" in chosen:
        rows += bench_import(args.repeats)
    if "suite" in chosen:
        rows += bench_suite(args.suite_repeats)
    if rows:
        print("| what | seconds | ratio |\n|---|---:|---:|")
        print("\n".join(rows))
    if "whole" in chosen:
        print("\nThe whole suite, with and without the Chinese edition (`--only whole`):\n")
        print("| what | seconds | ratio |\n|---|---:|---:|")
        print("\n".join(bench_whole(args.suite_repeats)))
    if "notebooks" in chosen:
        print("\nEach notebook, run alone in a fresh kernel (`python benchmarks/run.py --only notebooks`):\n")
        print("\n".join(bench_notebooks()))
    for failure in FAILURES:
        print(f"\nFAILED: {failure}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
