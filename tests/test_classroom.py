"""Lecture mode and student handouts."""

import json
import subprocess
import sys

import matplotlib as mpl
import nbformat
import pytest

import d2lhelpers as d2l
from d2lhelpers import handout
from d2lhelpers.__main__ import main
from conftest import NOTEBOOKS, ROOT


@pytest.fixture
def lecture():
    d2l.set_figsize()  # what plotting itself sets, so that only lecture mode's changes remain
    before = dict(mpl.rcParams)
    d2l.lecture_mode()
    yield
    d2l.lecture_mode(False)
    assert dict(mpl.rcParams) == before


def test_lecture_mode_makes_figures_readable(lecture):
    d2l.plot([0, 1, 2], [[0, 1, 4]], xlabel="x", legend=["y"])
    figure, axes = d2l.plt.gcf(), d2l.plt.gca()
    assert tuple(figure.get_size_inches()) == pytest.approx((3.5 * 1.8, 2.5 * 1.8))
    assert axes.xaxis.label.get_fontsize() >= 14
    assert min(label.get_fontsize() for label in axes.get_xticklabels()) >= 14
    assert axes.get_legend().get_texts()[0].get_fontsize() >= 14
    assert axes.get_lines()[0].get_linewidth() >= 2.5


def test_lecture_mode_twice_then_off_restores_everything():
    d2l.set_figsize()
    before = dict(mpl.rcParams)
    d2l.lecture_mode()
    d2l.lecture_mode()
    d2l.lecture_mode(False)
    assert dict(mpl.rcParams) == before
    d2l.plot([0, 1], [0, 1])
    assert tuple(d2l.plt.gcf().get_size_inches()) == pytest.approx((3.5, 2.5))


def test_style_sheet_is_usable_by_name():
    with mpl.style.context("d2lhelpers.lecture"):
        assert mpl.rcParams["font.size"] >= 14 and mpl.rcParams["lines.linewidth"] >= 2.5


@pytest.mark.parametrize("value, expected", [("1", "6.3"), ("0", "3.5"), ("", "3.5")])
def test_environment_variable_at_import(value, expected):
    code = ("import d2lhelpers as d2l; d2l.plot([0, 1], [0, 1]);"
            "print(round(d2l.plt.gcf().get_size_inches()[0], 2))")
    env = {"MPLBACKEND": "Agg", "D2LHELPERS_LECTURE": value, "PATH": ""}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def _notebook_with_solutions():
    new = nbformat.v4
    return new.new_notebook(cells=[
        new.new_markdown_cell("# T"),
        new.new_code_cell("1 + 1", outputs=[new.new_output("execute_result", {"text/plain": "2"}, execution_count=1)],
                          execution_count=1),
        new.new_markdown_cell("## Exercises\n\n1. Add."),
        new.new_code_cell("x = 2\nx", outputs=[new.new_output("execute_result", {"text/plain": "2"}, execution_count=2)],
                          execution_count=2),
        new.new_markdown_cell("**Solution.** 2", metadata={"tags": ["solution"]}),
        new.new_code_cell("2", metadata={"tags": ["solution"]}),
    ])


def test_handout_drops_solutions_and_clears_exercise_outputs():
    source = _notebook_with_solutions()
    result = handout.make_handout(source)
    assert [c.source for c in result.cells] == ["# T", "1 + 1", "## Exercises\n\n1. Add.", "x = 2\nx"]
    assert result.cells[1].outputs, "outputs before the exercises are kept"
    assert result.cells[3].outputs == [] and result.cells[3].execution_count is None
    assert len(source.cells) == 6 and source.cells[3].outputs, "the source notebook is untouched"


def test_handout_command_on_the_real_notebooks(tmp_path, capsys):
    before = {path: path.read_bytes() for path in NOTEBOOKS}
    assert main(["handout", str(tmp_path / "handouts")]) == 0
    written = sorted((tmp_path / "handouts").glob("*.ipynb"))
    assert [p.name for p in written] == [p.name for p in NOTEBOOKS]
    for path in written:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        assert not any("solution" in cell.metadata.get("tags", []) for cell in notebook.cells), path.name
    assert {path: path.read_bytes() for path in NOTEBOOKS} == before


@pytest.mark.parametrize("target", ["notebooks", "notebooks/handouts", "notebooks/../notebooks"])
def test_handout_refuses_the_source_folder(target, capsys):
    before = sorted(p.name for p in (ROOT / "notebooks").iterdir())
    assert main(["handout", str(ROOT / target)]) == 2
    assert "refusing to write handouts into" in capsys.readouterr().err
    assert sorted(p.name for p in (ROOT / "notebooks").iterdir()) == before


def test_handout_never_overwrites_a_different_file_silently(tmp_path, capsys):
    books = tmp_path / "books"
    books.mkdir()
    nbformat.write(_notebook_with_solutions(), books / "01-a.ipynb")
    out = tmp_path / "out"
    assert main(["handout", str(out), "--notebooks", str(books)]) == 0
    assert main(["handout", str(out), "--notebooks", str(books)]) == 0  # identical: fine
    (out / "01-a.ipynb").write_text(json.dumps({"my": "notes"}))
    assert main(["handout", str(out), "--notebooks", str(books)]) == 2
    assert "exists and differs" in capsys.readouterr().err
    assert json.loads((out / "01-a.ipynb").read_text()) == {"my": "notes"}
    assert main(["handout", str(out), "--notebooks", str(books), "--force"]) == 0
    assert "solution" not in (out / "01-a.ipynb").read_text()


def test_handout_reports_a_broken_notebook(tmp_path, capsys):
    books = tmp_path / "books"
    books.mkdir()
    (books / "01-bad.ipynb").write_text("{")
    assert main(["handout", str(tmp_path / "out"), "--notebooks", str(books)]) == 2
    assert "01-bad.ipynb: not valid notebook JSON" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
