"""Lecture mode and student handouts."""

import json
import sys

import matplotlib as mpl
import nbformat
import pytest

import background
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


LECTURE_AT_IMPORT = ("import d2lhelpers as d2l; d2l.plot([0, 1], [0, 1]);"
                     "print(round(d2l.plt.gcf().get_size_inches()[0], 2))")
# each in a fresh interpreter, run in the background from the start (background.py)
BACKGROUND = {f"D2LHELPERS_LECTURE={value}": background.command(
    [sys.executable, "-c", LECTURE_AT_IMPORT], env={"MPLBACKEND": "Agg", "D2LHELPERS_LECTURE": value, "PATH": ""})
    for value in ("1", "0", "")}


@pytest.mark.parametrize("value, expected", [("1", "6.3"), ("0", "3.5"), ("", "3.5")])
def test_environment_variable_at_import(value, expected):
    result = background.result(__name__, f"D2LHELPERS_LECTURE={value}")
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
    assert "it is, or links to, " in capsys.readouterr().err
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


# --- issue 18: lecture mode accepts every figure size matplotlib does ------------------------------


def test_lecture_mode_scales_a_figure_size_with_a_unit(lecture):
    """Trial LM03: matplotlib 3.11's figsize=(10, 5, 'cm') failed with 'too many values to unpack'."""
    from d2lhelpers import lecture as module

    width, height, unit = module.scaled((10, 5, "cm"))
    assert (width, height, unit) == (pytest.approx(18), pytest.approx(9), "cm")
    if tuple(int(part) for part in mpl.__version__.split(".")[:2]) < (3, 11):
        pytest.skip("matplotlib draws figure sizes with a unit from 3.11 on")
    figure = d2l.plt.figure(figsize=(10, 5, "cm"))
    assert tuple(figure.get_size_inches()) == pytest.approx((10 / 2.54 * 1.8, 5 / 2.54 * 1.8))
    wide = d2l.plt.figure(figsize=(30, 5, "cm"))  # wider than MAX_WIDTH inches: never made smaller
    assert wide.get_size_inches()[0] == pytest.approx(30 / 2.54)


@pytest.mark.parametrize("figsize", ["big", (-2, 3)])
def test_lecture_mode_leaves_what_it_cannot_scale_to_matplotlib(lecture, figsize):
    """Trials LM07, LM11: the error named the scaled numbers, or came from inside d2lhelpers.

    Lecture mode must raise exactly what matplotlib itself raises for the size as given: a
    ValueError naming (-2, 3); for "big" a ValueError ("Invalid unit") from matplotlib 3.11, a
    TypeError from np.isfinite in 3.10 (the release Python 3.10 gets).
    """
    with pytest.raises(Exception) as error:
        d2l.plt.figure(figsize=figsize)
    with pytest.raises(Exception) as plain:
        d2l.plt.figure.__wrapped__(figsize=figsize)  # matplotlib's own figure(), lecture mode aside
    assert (type(error.value), str(error.value)) == (type(plain.value), str(plain.value))
    assert "d2lhelpers" not in error.traceback[-1].path.as_posix()


@pytest.mark.parametrize("figsize", [(3,), "big", (1, 2, 3), None, 5])
def test_a_figure_size_that_is_not_one_is_named_in_one_message(figsize):
    """Trials PL47, PL48, SF06 (and SF03, SF04): 'not enough values to unpack' from lecture.scaled.

    set_figsize names the argument itself (a TypeError for what is not a pair at all); lecture
    mode's scaled() does the same for any figure size it is given.
    """
    from d2lhelpers import lecture

    with pytest.raises((TypeError, ValueError), match=r"figsize must be \(width, height\) in inches.*got "):
        d2l.set_figsize(figsize)
    with pytest.raises(ValueError, match=r"figsize must be \(width, height\) in inches.*got "):
        lecture.lecture_mode(True)
        try:
            lecture.scaled(figsize)
        finally:
            lecture.lecture_mode(False)


def test_reloading_lecture_mode_does_not_scale_twice():
    """Trial LM16: importlib.reload (as %autoreload does), then on again: a 3x2 figure became 8 x 5.33."""
    import importlib

    from d2lhelpers import lecture as module

    d2l.set_figsize()
    before = dict(mpl.rcParams)
    module.lecture_mode(True)
    try:
        importlib.reload(module)
        module.lecture_mode(True)
        assert tuple(d2l.plt.figure(figsize=(3, 2)).get_size_inches()) == pytest.approx((5.4, 3.6))
    finally:
        module.lecture_mode(False)
    assert tuple(d2l.plt.figure(figsize=(3, 2)).get_size_inches()) == pytest.approx((3, 2))
    assert dict(mpl.rcParams) == before


# --- issue 18: a handout never leaks a solution, and never writes where it must not --------------


def _write(folder, name, notebook):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    return path


def _handout(out, books, *extra):
    return main(["handout", str(out), "--notebooks", str(books), *extra])


def _one_line(capsys, *fragments):
    err = capsys.readouterr().err
    assert err.startswith("d2lhelpers handout: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err
    return err


@pytest.mark.parametrize("tag", ["Solution", "solutions", "solution ", " solution", "SOLUTION", "soluton"])
def test_a_near_miss_solution_tag_is_an_error_naming_the_cell(tmp_path, capsys, tag):
    """Trials X01-X03: the cell and its printed answer went to students, with exit 0."""
    source = _notebook_with_solutions()
    source.cells[5].metadata["tags"] = [tag]
    books = tmp_path / "books"
    _write(books, "01-a.ipynb", source)
    assert _handout(tmp_path / "out", books) == 2
    _one_line(capsys, "01-a.ipynb, cell 6", repr(tag), "is not 'solution'")
    assert not (tmp_path / "out").exists()


def test_an_untagged_cell_labelled_as_a_solution_is_an_error(tmp_path, capsys):
    """Trial X20: the label tools/solutions.py writes, on a cell whose tag was lost."""
    source = _notebook_with_solutions()
    source.cells.append(nbformat.v4.new_code_cell("# Solution to exercise 2 (click to expand)\nprint(42)"))
    books = tmp_path / "books"
    _write(books, "01-a.ipynb", source)
    assert _handout(tmp_path / "out", books) == 2
    _one_line(capsys, "01-a.ipynb, cell 7", "starts with the solution label")


@pytest.mark.parametrize("trial, change, fragments", [
    ("X04", lambda nb: nb.cells[5].metadata.__setitem__("tags", "solution"), ["cell 6", "not of type 'array'"]),
    ("X09", lambda nb: nb.cells[1].outputs[0].__setitem__("transient", {"display_id": "x"}),
     ["cell 2, output 1", "'transient' was unexpected"]),
    ("Y05", lambda nb: nb.pop("metadata"), ["'metadata' is a required property"]),
    ("Y06", lambda nb: nb.cells[0].__setitem__("cell_type", "weird"), ["cell 1", "matches no kind of cell"]),
])
def test_a_schema_invalid_notebook_is_one_line_naming_the_file(tmp_path, capsys, trial, change, fragments):
    source = _notebook_with_solutions()
    change(source)
    books = tmp_path / "books"
    books.mkdir()
    (books / "01-a.ipynb").write_text(json.dumps(source))
    assert _handout(tmp_path / "out", books) == 2
    _one_line(capsys, "01-a.ipynb", *fragments)


@pytest.mark.parametrize("heading", ["## Exercise", "### Exercises", "## Exercises and solutions", "## 练习",
                                     "## exercises"])
def test_every_exercises_heading_clears_the_outputs_below_it(heading):
    """Trials X05, X06, X19: only the exact '## Exercises' started the cleared section."""
    source = _notebook_with_solutions()
    source.cells[2].source = f"{heading}\n\n1. Add."
    result = handout.make_handout(source)
    assert result.cells[3].outputs == [], heading
    assert result.cells[1].outputs, "the lesson's outputs are kept"


def test_a_heading_in_a_code_block_does_not_start_the_exercises():
    source = _notebook_with_solutions()
    source.cells[0].source = "# T\n\n```\n## Exercises\n```"
    assert handout.make_handout(source).cells[1].outputs, "trial X15: the lesson's outputs were cleared"


def test_only_the_metadata_a_reader_needs_is_kept():
    """Trials X07, X12: widget state (what an Output widget showed) and an instructor's notes went along."""
    source = _notebook_with_solutions()
    source.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"m": {"outputs": ["4"]}}}}
    source.metadata["instructor"] = {"answers": [4]}
    source.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    source.metadata["rise"] = {"scroll": True}
    result = handout.make_handout(source)
    assert set(result.metadata) == {"kernelspec", "rise"}


def test_the_final_scan_stops_a_leak_that_the_rules_missed(tmp_path, capsys, monkeypatch):
    """Whatever make_handout does, no solution text or output reaches the written handout."""
    source = _notebook_with_solutions()
    source.cells[5].source = "answer = 40 + 2\nanswer"
    source.cells[5].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "42"}, execution_count=3)]
    books = tmp_path / "books"
    _write(books, "01-a.ipynb", source)
    real = handout.make_handout
    for leak in ("cell", "widgets"):
        def leaky(notebook, name="", leak=leak):
            result = real(notebook, name)
            if leak == "cell":  # a rule that forgot one solution cell
                result.cells.append(nbformat.from_dict(json.loads(json.dumps(notebook.cells[5]))))
                result.cells[-1].metadata = {}
            else:  # a rule that forgot widget state holding the solution's output
                result.metadata["widgets"] = {"state": {"output": "answer = 40 + 2"}}
            return result

        monkeypatch.setattr(handout, "make_handout", leaky)
        assert _handout(tmp_path / "out", books) == 2
        _one_line(capsys, "01-a.ipynb, cell 6 (tagged solution)", "is still in the handout", "nothing was written")
        assert not (tmp_path / "out").exists()


def test_the_final_scan_allows_what_the_lesson_shows_too(tmp_path):
    source = _notebook_with_solutions()
    source.cells[5].source = "# Solution to exercise 1 (click to expand)\n1 + 1"  # the lesson's own cell, again
    source.cells[5].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=3)]
    books = tmp_path / "books"
    _write(books, "01-a.ipynb", source)
    assert _handout(tmp_path / "out", books) == 0


def test_a_rerun_of_a_notebook_without_cell_ids_needs_no_force(tmp_path, capsys):
    """Trial B07: nbformat invented new random ids on every run, so the second run 'differed'."""
    source = json.loads(nbformat.writes(_notebook_with_solutions()))
    for cell in source["cells"]:
        del cell["id"]
    books = tmp_path / "books"
    books.mkdir()
    (books / "01-a.ipynb").write_text(json.dumps(source))
    assert _handout(tmp_path / "out", books) == 0
    first = (tmp_path / "out" / "01-a.ipynb").read_text()
    assert _handout(tmp_path / "out", books) == 0
    assert (tmp_path / "out" / "01-a.ipynb").read_text() == first
    assert "MissingIDFieldWarning" not in capsys.readouterr().err


@pytest.mark.parametrize("out", ["tests/handouts", "d2lhelpers/handouts"])
def test_handout_refuses_the_test_suite_and_the_package(books, capsys, out):
    """Trial O08: handouts in tests/ would be collected by pytest as notebooks to test."""
    assert _handout(ROOT / out, books) == 2
    _one_line(capsys, "refusing to write handouts into")
    assert not (ROOT / out).exists()


def test_handout_refuses_an_empty_out_dir(books, tmp_path, capsys, monkeypatch):
    """Trial O11: '' silently meant the current folder."""
    monkeypatch.chdir(tmp_path)
    assert main(["handout", "", "--notebooks", str(books)]) == 2
    _one_line(capsys, "OUT_DIR is empty")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["books"]


@needs_symlinks
def test_handout_refuses_a_hard_link_to_a_source(books, tmp_path, capsys):
    import os

    out = tmp_path / "out"
    out.mkdir()
    os.link(books / "01-a.ipynb", out / "01-a.ipynb")
    before = _snapshot(books)
    assert _handout(out, books, "--force") == 2
    _one_line(capsys, "it is, or links to, ")
    assert _snapshot(books) == before


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and devices: POSIX")
@pytest.mark.parametrize("force", [[], ["--force"]])
def test_handout_never_replaces_a_fifo_or_reads_it(books, tmp_path, capsys, force):
    """Trial DV02 (a device in OUT_DIR was replaced with --force); a FIFO would hang the comparison."""
    import os
    import stat

    out = tmp_path / "out"
    out.mkdir()
    os.mkfifo(out / "01-a.ipynb")
    assert _handout(out, books, *force) == 2
    _one_line(capsys, "a FIFO (named pipe), not a regular file")
    assert stat.S_ISFIFO(os.lstat(out / "01-a.ipynb").st_mode)


CHINESE_TRY_FIRST = "每道题请先自己动手，再看它下面的解答（点击折叠的单元格或其中显示的 `...` 即可展开）。"


def test_handout_of_the_chinese_edition(tmp_path, capsys):
    new = nbformat.v4
    source = new.new_notebook(cells=[
        new.new_markdown_cell("# 微积分"),
        new.new_code_cell("1 + 1", outputs=[new.new_output("execute_result", {"text/plain": "2"}, execution_count=1)],
                          execution_count=1),
        new.new_markdown_cell(f"## 练习\n\n{CHINESE_TRY_FIRST}\n\n1. 求导。"),
        new.new_code_cell("x = 3\nx", outputs=[new.new_output("execute_result", {"text/plain": "3"}, execution_count=2)],
                          execution_count=2),
        new.new_code_cell("# 练习 1 的解答（点击展开）\nprint('答案')", metadata={"tags": ["solution"]},
                          outputs=[new.new_output("stream", name="stdout", text="答案\n")]),
    ])
    books = tmp_path / "notebooks" / "zh-CN"
    _write(books, "01-calculus.ipynb", source)
    assert _handout(tmp_path / "out", books) == 0
    result = nbformat.read(tmp_path / "out" / "01-calculus.ipynb", as_version=4)
    assert [cell.source for cell in result.cells] == ["# 微积分", "1 + 1", "## 练习\n\n每道题请自己动手完成：本讲义不含解答。\n\n1. 求导。",
                                                     "x = 3\nx"]
    assert result.cells[1].outputs and not result.cells[3].outputs
    source.cells[4].metadata["tags"] = []  # the Chinese label without its tag: refused
    _write(books, "01-calculus.ipynb", source)
    assert _handout(tmp_path / "out2", books) == 2
    _one_line(capsys, "starts with the solution label '# 练习 1 的解答（点击展开）'")
