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
        text = "\n".join(cell.source for cell in notebook.cells)
        assert "before you open the worked solution" not in text and "before you expand" not in text, path.name
    assert {path: path.read_bytes() for path in NOTEBOOKS} == before


@pytest.mark.parametrize("target", ["notebooks/en", "notebooks/en/handouts", "notebooks/en/../en", "notebooks"])
def test_handout_refuses_the_source_folder(target, capsys):
    before = sorted(p.name for p in (ROOT / "notebooks" / "en").iterdir())
    assert main(["handout", str(ROOT / target)]) == 2
    assert "refusing to write handouts into" in capsys.readouterr().err
    assert sorted(p.name for p in (ROOT / "notebooks" / "en").iterdir()) == before


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


# --- issue 12: handouts never lose work ---------------------------------------------------------


needs_symlinks = pytest.mark.skipif(sys.platform == "win32", reason="symlinks need extra rights on Windows")


@pytest.fixture
def books(tmp_path):
    folder = tmp_path / "books"
    folder.mkdir()
    nbformat.write(_notebook_with_solutions(), folder / "01-a.ipynb")
    return folder


def _snapshot(folder):
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}


@needs_symlinks
def test_handout_never_writes_through_a_planted_link(books, tmp_path, capsys):
    before = _snapshot(books)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / ".01-a.ipynb.tmp").symlink_to(books / "01-a.ipynb")  # the old fixed temporary name
    assert main(["handout", str(shared), "--notebooks", str(books)]) == 0
    assert _snapshot(books) == before
    assert (shared / ".01-a.ipynb.tmp").is_symlink(), "someone else's file is left alone"
    assert "solution" not in (shared / "01-a.ipynb").read_text()


@needs_symlinks
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_handout_refuses_a_link_to_a_source_notebook(books, tmp_path, capsys, force):
    before = _snapshot(books)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "01-a.ipynb").symlink_to(books / "01-a.ipynb")
    assert main(["handout", str(shared), "--notebooks", str(books), *force]) == 2
    assert "links to, the source file" in capsys.readouterr().err
    assert _snapshot(books) == before


@needs_symlinks
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_handout_refuses_every_folder_that_holds_source_notebooks(books, tmp_path, capsys, force):
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "01-a.ipynb").write_bytes((books / "01-a.ipynb").read_bytes())
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "01-a.ipynb").symlink_to(books / "01-a.ipynb")
    real = _snapshot(ROOT / "notebooks" / "en")
    for out_dir, notebooks in [(ROOT / "notebooks" / "en", copy), (ROOT / "notebooks" / "en" / "new", copy),
                               (books, linked), (books / "sub", linked)]:
        mine = _snapshot(books)
        assert main(["handout", str(out_dir), "--notebooks", str(notebooks), *force]) == 2, out_dir
        assert "refusing to write handouts into" in capsys.readouterr().err
        assert _snapshot(books) == mine
    assert _snapshot(ROOT / "notebooks" / "en") == real
    assert not (ROOT / "notebooks" / "en" / "new").exists()


def test_handout_output_targets_that_cannot_work(books, tmp_path, capsys):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    named_like_a_notebook = tmp_path / "out"
    (named_like_a_notebook / "01-a.ipynb").mkdir(parents=True)
    for out_dir, message in [(a_file, "is a file, not a folder"), (a_file / "sub", "runs through"),
                             (named_like_a_notebook, "01-a.ipynb is a folder")]:
        assert main(["handout", str(out_dir), "--notebooks", str(books)]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert a_file.read_text() == "mine"


def test_handout_leaves_another_handouts_temporary_file_alone(books, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".01-a.ipynb.tmp").write_text("another handout, half written")
    assert main(["handout", str(out), "--notebooks", str(books)]) == 0
    assert (out / ".01-a.ipynb.tmp").read_text() == "another handout, half written"
    assert sorted(p.name for p in out.iterdir()) == [".01-a.ipynb.tmp", "01-a.ipynb"]


def test_concurrent_handouts_into_one_folder(books, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    for index in range(2, 6):
        nbformat.write(_notebook_with_solutions(), books / f"0{index}-b.ipynb")
    out = tmp_path / "out"
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: handout.write_handouts(out, books), range(4)))
    assert all(len(files) == 5 for files in results)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in books.iterdir())


@pytest.mark.parametrize("sentence", [
    "Try each one before you open the worked solution below it (click the collapsed cell, or the\n"
    "`...` it shows, to expand it).",
    "Try each one before you open the worked solution below it.",
    "Try each exercise before you expand its worked solution: the solutions are the collapsed\n"
    "cells under each exercise (click the `...` bar to open one).",
])
def test_handout_does_not_tell_students_to_expand_missing_solutions(sentence):
    source = _notebook_with_solutions()
    source.cells[2].source = f"## Exercises\n\n{sentence}\n\n1. Add."
    source.cells[0].source = f"# T\n\nRead on. {sentence}\nThe helpers come from d2lhelpers."
    result = handout.make_handout(source)
    assert result.cells[2].source == f"## Exercises\n\n{handout.NO_SOLUTIONS}\n\n1. Add."
    assert result.cells[0].source == f"# T\n\nRead on. {handout.NO_SOLUTIONS}\nThe helpers come from d2lhelpers."
