"""benchmarks/run.py names the machine, and reports a failing notebook and goes on."""

import importlib.util

import nbformat

from conftest import ROOT


def load_run():
    spec = importlib.util.spec_from_file_location("benchmarks_run", ROOT / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_machine_is_named():
    text = load_run().machine()
    assert " cores, " in text and ", Python 3." in text and ", torch " in text


def test_a_failing_notebook_is_reported_and_the_next_one_runs(tmp_path):
    run = load_run()
    new = nbformat.v4
    broken, fine = tmp_path / "01-broken.ipynb", tmp_path / "02-fine.ipynb"
    nbformat.write(new.new_notebook(cells=[new.new_code_cell("1 / 0")]), broken)
    nbformat.write(new.new_notebook(cells=[new.new_code_cell("x = 1")]), fine)
    run.NOTEBOOKS = [broken, fine]
    measured, real_run = [], run.run_notebook

    def floors_measured_once(notebook, folder):  # the floors are real kernel runs, once each, not three times
        if len(notebook.cells) == 1:
            if not measured:
                measured.append(real_run(notebook, folder))
            return measured[0]
        return real_run(notebook, folder)

    run.run_notebook = floors_measured_once
    rows = run.bench_notebooks()
    assert measured and 0 < measured[0] < 300 and f"ratio to its floor ({measured[0]:.1f} s)" in rows[0]
    assert rows[2] == "| 01-broken | | failed | | | | | |"
    assert rows[3].startswith("| 02-fine | 1 | ") and "| torch, numpy | " in rows[3] and "failed" not in rows[3]
    assert len(run.FAILURES) == 1 and "01-broken.ipynb failed: CellExecutionError" in run.FAILURES[0]


def test_rows_are_the_readme_table():
    run = load_run()
    rows = run.ratio_rows({"floor": 2.0, "ours": 2.02}, "floor", 2, {"floor": "floor: x"})
    assert rows == ["| floor: x | 2.00 | 1.00x |", "| ours | 2.02 | **1.01x** |"]
