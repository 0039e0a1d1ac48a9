"""Hygiene of the committed notebooks: what nbval does not check by itself.

nbval (run by a bare ``pytest``) re-executes each notebook and compares outputs;
these tests check how the notebooks were stored: executed top to bottom in a
fresh kernel, no stray errors, nothing machine-specific, figures a student can
see without trusting the notebook, exercises with worked solutions.
"""

import re

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT
from in_process import run_script  # the tools' own work, without a fresh interpreter each (tests/in_process.py)

SIZE_BUDGET = 1_500_000  # bytes per notebook; figures are stored as SVG plus a PNG fallback
PRIVATE = re.compile(r"(/home/|/root/|/Users/|/tmp/|/work/|[A-Za-z]:\\\\Users\\\\|site-packages)")
ALLOWED_TAGS = {"solution", "raises-exception", "nbval-ignore-output", "navigation",
                "notes", "same-slide", "lecture-break"}  # the last three: tools/slides.py
INDEX = "00-index.ipynb"
CHAPTERS = [path for path in NOTEBOOKS if path.name != INDEX]


def code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def tags(cell):
    return set(cell.metadata.get("tags", []))


def text_of(output):
    if output.output_type == "stream":
        return output.text
    if output.output_type == "error":
        return "\n".join([output.ename, output.evalue] + output.traceback)
    return "\n".join(value for key, value in output.get("data", {}).items()
                     if isinstance(value, str) and not key.startswith("image/"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/en/"


@pytest.fixture(params=NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_file_name_orders_the_chapters(notebook):
    path, _ = notebook
    assert re.fullmatch(r"\d\d-[a-z0-9-]+\.ipynb", path.name), f"{path.name}: name it NN-words-with-dashes.ipynb"


def test_valid_nbformat(notebook):
    path, nb = notebook
    nbformat.validate(nb)
    assert nb.nbformat == 4


def test_executed_top_to_bottom_in_a_fresh_kernel(notebook):
    path, nb = notebook
    counts = [cell.execution_count for cell in code_cells(nb) if cell.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts[:12]}...; re-run with tools/execute_notebooks.py")


def test_errors_only_where_intended(notebook):
    path, nb = notebook
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        errors = [output for output in cell.outputs if output.output_type == "error"]
        if "raises-exception" in tags(cell):
            assert errors, f"{path.name}, cell {index}: tagged raises-exception but raised nothing"
        else:
            assert not errors, f"{path.name}, cell {index}: unexpected {errors[0].ename}: {errors[0].evalue}"
        streams = [output for output in cell.outputs if output.output_type == "stream" and output.name == "stderr"]
        assert not streams, f"{path.name}, cell {index}: writes to stderr (a warning?): {streams[0].text[:200]}"


def test_no_machine_specific_output(notebook):
    path, nb = notebook
    for index, cell in enumerate(code_cells(nb), start=1):
        for output in cell.outputs:  # tracebacks too: d2lhelpers keeps only the cells' own frames in them
            match = PRIVATE.search(text_of(output))
            assert not match, f"{path.name}, code cell {index}: output shows {match.group(0)!r}"
            assert not re.search(r"0x[0-9a-f]{8,}", text_of(output)), f"{path.name}, code cell {index}: a memory address"


def test_one_kernelspec_for_all(notebook):
    path, nb = notebook
    assert nb.metadata.kernelspec == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    assert "version" not in nb.metadata.get("language_info", {}), "Python's patch version would churn in git"


def test_size_budget(notebook):
    path, _ = notebook
    assert path.stat().st_size < SIZE_BUDGET, f"{path.name} is {path.stat().st_size} bytes"


def test_only_known_tags(notebook):
    path, nb = notebook
    for index, cell in enumerate(nb.cells, start=1):
        assert tags(cell) <= ALLOWED_TAGS, f"{path.name}, cell {index}: unknown tags {tags(cell) - ALLOWED_TAGS}"


def test_figures_show_in_an_untrusted_notebook(notebook):
    """JupyterLab shows no SVG in an untrusted notebook: every figure needs its PNG too."""
    path, nb = notebook
    for index, cell in enumerate(code_cells(nb), start=1):
        for output in cell.outputs:
            data = output.get("data", {})
            if "image/svg+xml" in data:
                assert "image/png" in data, f"{path.name}, code cell {index}: SVG without a PNG fallback"
                assert "<dc:date>" not in data["image/svg+xml"], f"{path.name}, code cell {index}: SVG has a date"


def test_each_stored_png_shows_the_figure_of_its_svg(notebook):
    """What a fresh, untrusted clone shows (the PNG) is the figure a trusted notebook shows (the SVG)."""
    import base64

    import nbval_meaning

    path, nb = notebook
    for index, cell in enumerate(code_cells(nb), start=1):
        for output in cell.outputs:
            data = output.get("data", {})
            if "image/svg+xml" in data and "image/png" in data:
                rms = nbval_meaning.png_against_svg_rms(base64.b64decode(data["image/png"]), data["image/svg+xml"])
                assert rms <= nbval_meaning.PNG_SHOWS_SVG_RMS, (
                    f"{path.name}, code cell {index}: the stored PNG does not show its SVG's figure (RMS {rms:.1f})")


def test_exercises_have_worked_solutions(notebook):
    path, nb = notebook
    if path.name == INDEX:
        pytest.skip("the table of contents has no exercises")
    headings = [cell.source for cell in nb.cells if cell.cell_type == "markdown"]
    assert any(re.search(r"^## Summary", text, re.M) for text in headings), f"{path.name}: no Summary"
    assert any(re.search(r"^## Exercises", text, re.M) for text in headings), f"{path.name}: no Exercises"
    solutions = [cell for cell in nb.cells if "solution" in tags(cell)]
    assert any(cell.cell_type == "code" for cell in solutions), f"{path.name}: no executed solution code"
    for cell in solutions:
        hidden = cell.metadata.get("jupyter", {})
        assert hidden.get("source_hidden"), f"{path.name}: a solution is not collapsed"
        if cell.cell_type == "code":
            assert hidden.get("outputs_hidden"), f"{path.name}: a solution's output shows under its collapsed input"
        first = cell.source.split("\n", 1)[0]
        assert re.fullmatch(r"(# )?Solution to exercise \d+ \(click to expand\)", first), (
            f"{path.name}: a collapsed solution shows {first[:60]!r}; run python tools/solutions.py")
    first_exercise = next(i for i, cell in enumerate(nb.cells)
                          if cell.cell_type == "markdown" and re.search(r"^## Exercises", cell.source, re.M))
    assert all(nb.cells.index(cell) > first_exercise for cell in solutions), f"{path.name}: a solution before the exercises"


def test_timing_cells_are_not_compared():
    """A cell that prints a time must be tagged nbval-ignore-output, or nbval fails at random."""
    timing = re.compile(r"perf_counter|timeit|time\.time\(")
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells, start=1):
            if cell.cell_type == "code" and timing.search(cell.source) and cell.outputs:
                assert "nbval-ignore-output" in tags(cell), f"{path.name}, cell {index}: timed output compared"


def test_seed_results_appear_in_the_stored_outputs():
    """The printed results of the study notes these notebooks teach."""
    outputs = {}
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        outputs[path.name] = "\n".join(text_of(o) for cell in code_cells(nb) for o in cell.outputs)
    everything = "\n".join(outputs.values())
    expected = [
        "h=0.10000, numerical limit=2.30000",
        "h=0.01000, numerical limit=2.03000",
        "h=0.00100, numerical limit=2.00300",
        "h=0.00010, numerical limit=2.00030",
        "h=0.00001, numerical limit=2.00003",
    ]
    expected += [
        "tensor(28., grad_fn=<MulBackward0>)",
        "tensor([ 0.,  4.,  8., 12.])",
        "tensor([True, True, True, True])",
        "tensor([1., 1., 1., 1.])",
        "tensor([0., 2., 4., 6.])",
        "tensor(36., grad_fn=<SumBackward0>)",
        "tensor([0., 1., 4., 9.])",
        "tensor(-2.)",
        "tensor(2.)",
        "Trying to backward through the graph a second time",
        "grad can be implicitly created only for scalar outputs",
    ]
    missing = [text for text in expected if text not in everything]
    assert not missing, f"not in any stored output: {missing}"


def test_there_is_an_index_and_it_lists_every_chapter():
    index = ROOT / "notebooks" / "en" / INDEX
    assert index.exists(), "notebooks/en/00-index.ipynb (the contents) is missing"
    text = "\n".join(cell.source for cell in nbformat.read(index, as_version=4).cells)
    missing = [path.name for path in CHAPTERS if f"({path.name})" not in text]
    assert not missing, f"not linked from the index: {missing}"


def test_every_link_between_notebooks_resolves():
    link = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells, start=1):
            if cell.cell_type != "markdown":
                continue
            for target in link.findall(cell.source):
                if re.match(r"[a-z]+://", target):
                    continue
                assert (path.parent / target).exists(), f"{path.name}, cell {index}: broken link {target}"


def test_navigation_at_top_and_bottom():
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        for cell in (cells[0], cells[-1]):
            assert "navigation" in tags(cell), f"{path.name}: no navigation cell at the top and bottom"
            if path.name != INDEX:
                assert f"]({INDEX})" in cell.source, f"{path.name}: navigation without a link to the contents"
    result = run_script(ROOT / "tools" / "navigation.py", "--check")
    assert result.returncode == 0, result.stderr


def test_solutions_are_collapsed_behind_their_labels():
    result = run_script(ROOT / "tools" / "solutions.py", "--check")
    assert result.returncode == 0, result.stderr


def test_the_deck_follows_the_rules(notebook):
    """Key points on the slides, notes for the lecturer, 15-35 slides a lecture (tools/slides.py --check)."""
    path, nb = notebook
    result = run_script(ROOT / "tools" / "slides.py", "--check", path)
    assert result.returncode == 0, result.stderr
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in nb.cells]
    shown = [kind for kind in kinds if kind not in ("skip", "notes")]
    assert shown and shown[0] == "slide", f"{path.name}: the deck does not open on a title slide"
    assert nb.metadata.get("rise", {}).get("scroll") is True, f"{path.name}: long slides would not scroll"
    assert (path.parent / "rise.css").exists(), f"{path.parent.name}/rise.css (readable code on slides) is missing"


def test_chinese_terms_appear_in_every_chapter():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for path in CHAPTERS:
        prose = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        assert cjk.search(prose), f"{path.name}: no Chinese term at the first mention of a key idea"


def test_intentional_errors_are_short(notebook):
    """A traceback shows the student's own lines and the message, not 40 lines of torch internals."""
    path, nb = notebook
    for index, cell in enumerate(code_cells(nb), start=1):
        for output in cell.outputs:
            if output.output_type == "error":
                lines = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(output.traceback)).splitlines()
                assert len(lines) <= 20, f"{path.name}, code cell {index}: a {len(lines)}-line traceback"
                assert not any(line.startswith("File ") for line in lines), (
                    f"{path.name}, code cell {index}: the traceback shows library frames; import d2lhelpers first")


def test_the_try_first_sentence_is_the_editions_own_in_every_notebook():
    """The sentence under an exercises heading is one per edition (d2lhelpers/editions.py): the
    handout replaces it, and a wording edited in one notebook alone drifts from the others."""
    from d2lhelpers.editions import EDITIONS

    found = []
    for edition in EDITIONS:
        opening = edition.try_first[:8]
        for path in sorted((ROOT / "notebooks" / edition.folder).glob("*.ipynb")):
            for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
                if cell.cell_type != "markdown":
                    continue
                for paragraph in re.split(r"\n\s*\n", cell.source):
                    paragraph = " ".join(paragraph.split())  # a wrapped English line reads as one
                    if opening in paragraph and edition.try_first not in paragraph:
                        found.append(f"{edition.folder}/{path.name}, cell {index}: {paragraph!r}")
    assert not found, "not the edition's try-first sentence (d2lhelpers/editions.py):\n" + "\n".join(found)
