"""The comparison by meaning (tests/nbval_meaning.py) lets noise through and catches every real change.

The rules are unit-tested on printed numbers and texts; then a small notebook is executed,
copied with one tampering each, and re-run under nbval with the plugin, in one pytest
process: every tampered copy must fail at the tampered cell, naming it, and the untouched
and the noisy copies must pass. The copies are laid end to end, one block of cells each, in
one notebook per comparison rule, so that two kernels re-run them all. Last, every tampering of the adversarial report of issue 18
(../shared/reviews/tools-adversary.md: 43 that must fail, 7 controls that must pass) is
compared directly, stored output against produced output, without executing anything.
"""

import base64
import copy
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import background
import nbval_meaning as meaning
from conftest import NOTEBOOKS, ROOT


# ----------------------------------------------------------------------------- the rules, one by one

@pytest.mark.parametrize("stored, produced", [
    ("0.1254", "0.1254"),
    ("0.12345679", "0.12345678"),              # float32 noise at the 1e-7 level
    ("86.968167", "86.968174"),                # an SVG coordinate under other kernels (8e-8 relative)
    ("1.7320508075688772", "1.7320508075688774"),
    ("0.1254", "0.1255"),                      # noise across a rounding boundary flips the last digit
    ("0.0", "5.96e-08"),                       # zero against float32 noise
    ("-0.0000", "0.0000"),
    ("2.", "2.0000"),                          # torch drops the decimals of integral values
    ("28.", "28.000002"),
])
def test_noise_passes(stored, produced):
    assert meaning.numbers_agree(stored, produced)


@pytest.mark.parametrize("stored, produced", [
    ("0.1254", "0.1260"),                      # another random sample (issue 9)
    ("28.", "28.56"),                          # 2 %
    ("0.1254", "0.1279"),                      # 2 %
    ("1e-07", "1e-08"),
    ("3", "4"),                                # integers are exact: counts, shapes, indices
    ("1000000", "1000001"),
    ("5.96e-08", "-2.98e-08"),                 # two different non-zero values are not noise around zero
    ("2.", "3."),
])
def test_real_changes_fail(stored, produced):
    assert not meaning.numbers_agree(stored, produced)


def test_numbers_inside_words_and_versions_are_text():
    assert meaning.skeleton("MulBackward0 float32 torch 2.13.0 x1 3x")[1] == []
    assert meaning.skeleton("tensor([0.5000, -1.2500e-03]) and 3 items")[1] == ["0.5000", "-1.2500e-03", "3"]


def test_text_outside_numbers_is_exact():
    assert meaning.compare_text("tensor(28., grad_fn=<MulBackward0>)", "tensor(28.000002, grad_fn=<MulBackward0>)") is None
    problem = meaning.compare_text("tensor(28., grad_fn=<MulBackward0>)", "tensor(28., grad_fn=<AddBackward0>)")
    assert problem and "line 1" in problem and "AddBackward0" in problem
    problem = meaning.compare_text("a\nshare 0.1254\nc", "a\nshare 0.1260\nc")
    assert problem and "line 2" in problem and "0.1254" in problem and "0.1260" in problem


def test_the_address_sanitizer_keeps_numbers_that_only_contain_0x():
    import configparser

    parser = configparser.ConfigParser()
    parser.read(meaning.SANITIZE_FILE)
    patterns = [(parser.get(section, "regex"), parser.get(section, "replace")) for section in parser.sections()]

    def sanitize(text):
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    assert sanitize("<AccumulateGrad object at 0x7f3a2b1c9d10>") == "<AccumulateGrad object at 0xADDRESS>"
    assert sanitize("shape 10x1000000") == "shape 10x1000000"
    assert meaning.compare_text(sanitize("shape 10x1000000"), sanitize("shape 10x9999999"))


def stored_figures():
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    yield output["data"]


def test_different_stored_figures_differ_by_far_more_than_the_tolerance():
    """Any two stored figures of the same size are at least ten tolerances apart."""
    pictures = [base64.b64decode(data["image/png"]) for data in stored_figures()]
    assert len(pictures) > 10
    distances = []
    for first, second in zip(pictures, pictures[1:]):
        try:
            distances.append(meaning.picture_rms(first, second))
        except ValueError:  # another size: compare_images refuses, which fails the cell too
            continue
    assert distances, "no two consecutive stored figures have the same size"
    assert min(distances) > 10 * meaning.FIGURE_RMS, sorted(distances)[:3]


def test_a_stored_svg_renders_to_what_its_png_shows_in_outline():
    data = next(stored_figures())
    png = meaning.svg_to_png(data["image/svg+xml"])
    assert png.startswith(b"\x89PNG")
    svg = ElementTree.fromstring(data["image/svg+xml"].encode())
    assert svg.get("width").endswith("pt")


def test_drawn_data_ignores_text_and_ticks_but_not_the_data():
    svg = next(stored_figures())["image/svg+xml"]
    assert meaning.compare_drawn(svg, svg) is None
    elements = meaning.drawn_data(svg)
    assert elements and elements[0], "the figure draws something"
    relabelled = re.sub(r"(<!-- )([^>]*)( -->)", r"\1another label\3", svg)
    assert meaning.compare_drawn(svg, relabelled) is None
    first_line = re.search(r'<g id="line2d_\d+">\s*<path d="M ([\d.]+) ([\d.]+)', svg[svg.index('id="axes_1"'):])
    assert first_line


def test_another_matplotlib_is_decided_per_notebook(monkeypatch):
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "3.11.2")
    notebook = nbformat.v4.new_notebook()
    assert meaning.made_with_this_matplotlib(notebook), "a notebook without a record is compared as pictures"
    notebook.metadata["d2lhelpers"] = {"outputs_made_with": {"matplotlib": "3.11.0"}}
    assert meaning.made_with_this_matplotlib(notebook)
    notebook.metadata["d2lhelpers"] = {"outputs_made_with": {"matplotlib": "3.10.9"}}
    assert not meaning.made_with_this_matplotlib(notebook)


# ----------------------------------------------------------------------------- tampered copies of a notebook

SOURCES = [
    "import torch\nimport d2lhelpers as d2l",
    "x = torch.tensor([1.0, 2.0, 3.0])\nprint('share', (x / 7).sum().item())",
    # two figures of the same size (the same ticks), so that the pictures are compared pixel by pixel
    "d2l.plot(torch.arange(5.0), [torch.arange(5.0)], 'x', 'y', figsize=(3, 2))",
    "d2l.plot(torch.arange(5.0), [4 - torch.arange(5.0)], 'x', 'y', figsize=(3, 2))",
    "torch.ones(2) @ torch.ones(3)",
    "2 * torch.dot(x, x)",
]
RAISES = {4}


def execute_the_notebook(folder):
    """The small notebook, a block of SOURCES for each copy, executed in one kernel."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                       "name": "python3"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for _ in COPIES for source in SOURCES]  # a block per copy
    for start in range(0, len(notebook.cells), len(SOURCES)):
        for index in RAISES:
            notebook.cells[start + index].metadata["tags"] = ["raises-exception"]
    NotebookClient(notebook, kernel_name="python3", timeout=300, allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def printed_share(nb):
    return float(nb.cells[1].outputs[0].text.split()[1])


def number_by_2_percent(nb):
    nb.cells[1].outputs[0].text = f"share {printed_share(nb) * 1.02}\n"


def float32_noise(nb):
    nb.cells[1].outputs[0].text = f"share {printed_share(nb) * (1 + 1.2e-7)}\n"


def png_of_the_other_figure(nb):
    nb.cells[2].outputs[0].data["image/png"] = nb.cells[3].outputs[0].data["image/png"]


def svg_of_the_other_figure(nb):
    nb.cells[2].outputs[0].data["image/svg+xml"] = nb.cells[3].outputs[0].data["image/svg+xml"]


def exception_type(nb):
    nb.cells[4].outputs[0].ename = "ValueError"


def output_removed(nb):
    nb.cells[5].outputs = []


def output_type(nb):
    result = nb.cells[5].outputs[0]
    nb.cells[5].outputs = [nbformat.v4.new_output("stream", name="stdout", text=result.data["text/plain"] + "\n")]


def made_with_another_matplotlib(nb):
    nb.metadata["d2lhelpers"] = {"outputs_made_with": {"matplotlib": "3.0.0"}}


def png_of_the_other_figure_only(nb):  # trials NV-E03a/b: under rule 5, only the PNGs swapped
    nb.cells[3].outputs[0].data["image/png"] = nb.cells[2].outputs[0].data["image/png"]


def traceback_of_another_line(nb):  # trial NV-B04: the traceback points at another line of the cell
    nb.cells[4].outputs[0].traceback = cell_traceback(1, "torch.ones(2) @ torch.ones(2)")


def float_printed_as_integer(nb):  # trials NV-A03, NV-C02: a float32 result stored as an int64 one
    data = nb.cells[5].outputs[0].data
    data["text/plain"] = data["text/plain"].replace("28.", "28")


COPIES = {  # copy: (its tamperings, {the code cell that must fail: what its message must say})
    "untouched": ([], {}),
    "noise": ([float32_noise], {}),
    "tampered": ([number_by_2_percent, png_of_the_other_figure, exception_type, output_removed],
                 {1: "beyond floating-point noise", 2: "image/png: the picture differs from the stored one: RMS",
                  4: "error name: line 1 differs: stored 'ValueError', produced 'RuntimeError'",
                  5: "0 outputs stored, 1 produced"}),
    "tampered_again": ([svg_of_the_other_figure, output_type],
                       {2: "image/svg+xml: the picture differs from the stored one: RMS",
                        5: "output 1: stored a stdout stream, produced execute_result with text/plain"}),
    # as if made with another matplotlib release: figures compared by their drawn data (rule 5)
    "other_matplotlib": ([made_with_another_matplotlib], {}),
    "other_matplotlib_tampered": ([made_with_another_matplotlib, svg_of_the_other_figure, number_by_2_percent,
                                   png_of_the_other_figure_only, traceback_of_another_line, float_printed_as_integer],
                                  {1: "beyond floating-point noise",
                                   2: "image/svg+xml: axes 1, element 1 (line2d) moved by",
                                   3: "image/png: the stored PNG does not show the stored SVG's figure",
                                   4: "traceback: cell frame 1 points at line 1 'torch.ones(2) @ torch.ones(2)'",
                                   5: "the number 28 (stored, an integer) became 28. (produced, a float)"}),
}


def laid_end_to_end(executed):
    """The tampered copies as blocks of cells in one notebook per comparison rule (a notebook's
    metadata says which rule): {file: notebook}, and {copy: (file, the number of its first cell)}."""
    notebooks, where = {}, {}
    for number, (name, (changes, _)) in enumerate(COPIES.items()):
        start = number * len(SOURCES)
        block = copy.deepcopy(executed.cells[start:start + len(SOURCES)])
        copied = nbformat.from_dict({**copy.deepcopy(executed), "cells": block})
        for change in changes:  # each change reads and writes cells 0-5 of its copy, or the metadata
            change(copied)
        file = "other_matplotlib.ipynb" if made_with_another_matplotlib in changes else "default.ipynb"
        notebook = notebooks.setdefault(file, nbformat.from_dict({**copied, "cells": []}))
        assert notebook.metadata == copied.metadata, f"{name}: the copies of {file} must share its metadata"
        where[name] = (file, len(notebook.cells))
        notebook.cells.extend(copied.cells)
    return notebooks, where


def run_tampered_copies(folder):
    """Execute the notebook, write the tampered copies and run nbval with the plugin once over them all:
    [copy, "Cell N" of the copy, outcome, message, where], ``where`` the notebook and cell nbval ran it as.
    It needs nothing of the test process, so it runs in the background from the start (background.py)."""
    folder = Path(folder)
    notebooks, where = laid_end_to_end(execute_the_notebook(folder))
    for file, notebook in notebooks.items():
        nbformat.write(notebook, folder / file)
    (folder / "pytest.ini").write_text("[pytest]\n")
    report = folder / "report.json"
    # -p warm_kernels: as the notebooks themselves run (pyproject.toml), the second notebook's kernel
    # starts while the first runs; each notebook gets a fresh kernel of its own
    command = [sys.executable, "-m", "pytest", str(folder), "-p", "nbval_meaning", "-p", "warm_kernels",
               "--nbval", "--nbval-current-env",
               "-p", "no:cacheprovider", "-p", "no:randomly", "-q", "-rf", "--rootdir", str(folder),
               "-o", f"pythonpath={ROOT / 'tests'}", "--junit-xml", str(report)]
    completed = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900)
    tree = ElementTree.parse(report)
    ran = {}
    for case in tree.iter("testcase"):  # classname "default.ipynb", name "Cell 13"
        failure = case.find("failure")
        error = case.find("error")
        ran[case.get("classname"), case.get("name")] = (
            "passed" if failure is None and error is None else "failed",
            "" if failure is None else failure.get("message", "") + (failure.text or ""))
    assert len(ran) == len(COPIES) * len(SOURCES), (sorted(ran), completed.stdout[-3000:] + completed.stderr[-3000:])
    results = []
    for name, (file, first) in where.items():
        for index in range(len(SOURCES)):
            cell = f"Cell {first + index}"
            if (file, cell) in ran:
                results.append([name, f"Cell {index}", *ran[file, cell], f"{file}, cell {first + index}"])
    return results


BACKGROUND = {"tampered copies": background.call(run_tampered_copies)}


@pytest.fixture(scope="module")
def nbval_results():
    """{(copy, "Cell N"): (outcome, message, where)}, from run_tampered_copies in the background."""
    return {(name, cell): (outcome, message, where)
            for name, cell, outcome, message, where in background.result(__name__, "tampered copies")}


@pytest.mark.parametrize("name", list(COPIES))
def test_each_tampering_fails_at_its_cell_naming_it_and_noise_passes(nbval_results, name):
    must_fail = {f"Cell {index}": says for index, says in COPIES[name][1].items()}
    outcomes = {cell: result for (copied, cell), result in nbval_results.items() if copied == name}
    assert len(outcomes) == len(SOURCES), sorted(nbval_results)
    failed = {cell: (message, where) for cell, (outcome, message, where) in outcomes.items() if outcome == "failed"}
    assert set(failed) == set(must_fail), failed
    for cell, (message, where) in failed.items():
        assert where in message, message
        assert must_fail[cell] in message, message


def test_different_stored_figures_draw_different_data():
    """Rule 5 still tells figures apart: no two stored figures (of compared cells) draw the same data."""
    import itertools

    figures = []
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if "nbval-ignore-output" in cell.metadata.get("tags", []):
                continue  # timings: never compared
            for output in cell.get("outputs", []):
                if "image/svg+xml" in output.get("data", {}):
                    figures.append((f"{path.name}, cell {index}", output["data"]["image/svg+xml"]))
    assert len(figures) > 10
    alike = [(first, second) for (first, a), (second, b) in itertools.combinations(figures, 2)
             if meaning.compare_drawn(a, b) is None]
    assert not alike, alike


# ----------------------------------------------------------------------------- the adversarial report's tamperings

# Each trial of tests/../shared/reviews/tools-adversary.md (issue 18) on the nbval comparison, as a
# stored output (the tampered one) and the produced one (what the code prints), compared directly.

new = nbformat.v4


def result(text, kind="execute_result"):
    if kind == "execute_result":
        return new.new_output("execute_result", {"text/plain": text}, execution_count=1)
    return new.new_output("display_data", {"text/plain": text})


def stream(text, name="stdout"):
    return new.new_output("stream", name=name, text=text)


def error(ename, evalue, traceback=()):
    return new.new_output("error", ename=ename, evalue=evalue, traceback=list(traceback))


def cell_traceback(number, code, ename="RuntimeError", evalue="boom"):
    """A traceback as IPython 9 prints it with d2lhelpers' short tracebacks (one cell frame)."""
    return ["\x1b[31m---------------------------------------------------------------------------\x1b[39m",
            f"\x1b[31m{ename}\x1b[39m                              Traceback (most recent call last)",
            f"\x1b[36mCell\x1b[39m\x1b[36m \x1b[39m\x1b[32mIn[3]\x1b[39m\x1b[32m, line {number}\x1b[39m\n"
            f"\x1b[32m      1\x1b[39m y = x * 2\n\x1b[32m----> \x1b[39m\x1b[32m{number}\x1b[39m {code}\n",
            f"\x1b[31m{ename}\x1b[39m: {evalue}"]


BACKWARD_TWICE = ("Trying to backward through the graph a second time (or directly access saved tensors after they "
                  "have already been freed).")
SHAPES = "Mismatch in shape: grad_output[0] has a shape of torch.Size([{}]) and output[0] has a shape of torch.Size([4])."

# trial: (stored outputs, produced outputs, the words the failure must say)
TEXT_TAMPERINGS = {
    "NV-A01": ([result("tensor(28.1, grad_fn=<MulBackward0>)")], [result("tensor(28., grad_fn=<MulBackward0>)")],
               "the number 28.1 (stored) became 28."),
    "NV-A02": ([stream("that node holds y:       True\nthat node holds x:       False\n")],
               [stream("that node holds y:       True\nthat node holds x:       True\n")], "line 2 differs"),
    "NV-A03": ([result("tensor([0, 1, 2, 3])")], [result("tensor([0., 1., 2., 3.])")],
               "the number 0 (stored, an integer) became 0. (produced, a float)"),
    "NV-A04": ([error("RuntimeError", BACKWARD_TWICE.replace("second", "third"))],
               [error("RuntimeError", BACKWARD_TWICE)], "error message: line 1 differs"),
    "NV-A05": ([], [stream("calls: 1\n")], "0 outputs stored, 1 produced"),
    "NV-A06": ([result("tensor([True, True, False, True])")], [result("tensor([True, True, True, True])")],
               "line 1 differs"),
    "NV-A07": ([new.new_output("execute_result", {"image/png": "iVBORw0KGgo="}, execution_count=1)],
               [result("tensor([ 0.,  4.,  8., 12.])")], "stored execute_result with image/png"),
    "NV-A08": ([result("tensor([0.3689, 1.0000, 1.6487, 7.3891])")], [result("tensor([0.3679, 1.0000, 1.6487, 7.3891])")],
               "the number 0.3689 (stored) became 0.3679"),
    "NV-A09": ([stream("calls: 2 | gradient it carried: tensor([ 0.,  4.,  8., 12.])\n")],
               [stream("calls: 1 | gradient it carried: tensor([ 0.,  4.,  8., 12.])\n")], "the number 2 (stored)"),
    "NV-A10": ([stream("MulBackward1 <- ['DotBackward0', None]\n")], [stream("MulBackward0 <- ['DotBackward0', None]\n")],
               "line 1 differs"),
    "NV-A11": ([stream("dy/dx at 0: tensor(2.)\n")], [stream("dy/dx at 0: tensor(-2.)\n")], "the number 2. (stored)"),
    "NV-A13": ([stream("y: leaf False | grad_fn MulBackward0\nx: leaf True | grad_fn None\n")],
               [stream("x: leaf True | grad_fn None\ny: leaf False | grad_fn MulBackward0\n")], "line 1 differs"),
    "NV-A14": ([result("tensor([ 0.,  4.,  8., 12.], dtype=torch.float64)")], [result("tensor([ 0.,  4.,  8., 12.])")],
               "line 1 differs"),
    "NV-A15": ([result("tensor([0., 2., 4., 6.])", "display_data")], [result("tensor([0., 2., 4., 6.])")],
               "stored display_data with text/plain, produced execute_result"),
    "NV-A16": ([stream("after the first pass:  tensor([ 0.,  8., 16., 24.])\nafter the second pass: tensor([ 0.,  4.,  8., 12.])\n")],
               [stream("after the first pass:  tensor([ 0.,  4.,  8., 12.])\nafter the second pass: tensor([ 0.,  8., 16., 24.])\n")],
               "line 1 differs"),
    "NV-B01": ([result("tensor([  26., 1250.])")], [result("tensor([  26., 1240.])")], "the number 1250. (stored)"),
    "NV-B02": ([stream("a\nb\nc\nx.grad: tensor(2223.)\n")], [stream("a\nb\nc\nx.grad: tensor(2222.)\n")],
               "line 4: the number 2223. (stored)"),
    "NV-B03": ([error("ValueError", "grad can be implicitly created only for scalar outputs")],
               [error("RuntimeError", "grad can be implicitly created only for scalar outputs")],
               "error name: line 1 differs: stored 'ValueError', produced 'RuntimeError'"),
    "NV-B04": ([error("RuntimeError", "grad can be implicitly created only for scalar outputs",
                      cell_traceback(2, "y.sum().backward()"))],
               [error("RuntimeError", "grad can be implicitly created only for scalar outputs",
                      cell_traceback(2, "y.backward()"))],
               "traceback: cell frame 1 points at line 2 'y.sum().backward()' (stored), line 2 'y.backward()'"),
    "NV-B05": ([stream("z:\n tensor([[1., 1.]], grad_fn=<AddBackward0>)\n")],
               [stream("z:\n tensor([[1., 1.],\n        [1., 1.]], grad_fn=<AddBackward0>)\n")], "line 2 differs"),
    "NV-B06": ([stream("tensor([ 3., 17., 20.], grad_fn=<StackBackward0>)\n")],
               [stream("tensor([ 3., 17., 20.], grad_fn=<CopySlices>)\n")], "line 1 differs"),
    "NV-B07": ([result("tensor([1111, 1111])")], [result("tensor([1111., 1111.])")],
               "the number 1111 (stored, an integer) became 1111. (produced, a float)"),
    "NV-B08": ([stream("y.sum().backward(): tensor([0., 2., 4., 6.])\n"), stream("y.backward(ones):   tensor([0., 2., 4., 6.])\n")],
               [stream("y.backward(ones):   tensor([0., 2., 4., 6.])\n"), stream("y.sum().backward(): tensor([0., 2., 4., 6.])\n")],
               "output 1, stdout stream: line 1 differs"),
    "NV-B09": ([stream("x.grad is None: True\n", "stderr")], [stream("x.grad is None: True\n")],
               "output 1: stored a stderr stream, produced a stdout stream"),
    "NV-B10": ([result("tensor([ 3., 17., 20.], requires_grad=True)")],
               [result("tensor([ 3., 17., 20.], grad_fn=<StackBackward0>)")], "line 1 differs"),
    "NV-B11": ([result("tensor([0., 1., 4., 9.01], grad_fn=<MulBackward0>)")],
               [result("tensor([0., 1., 4., 9.], grad_fn=<MulBackward0>)")], "the number 9.01 (stored) became 9."),
    "NV-B12": ([stream("one backward of the sum = sum of the 6 per-example gradients\n")],
               [stream("one backward of the sum = sum of the 5 per-example gradients\n")], "the number 6 (stored)"),
    "NV-B13": ([result("tensor(3.)"), stream("printed\n")], [stream("printed\n"), result("tensor(3.)")],
               "output 1: stored execute_result with text/plain, produced a stdout stream"),
    "NV-B14": ([stream("[1.0, 10.0, 100]\n")], [stream("[1.0, 10.0, 100.0]\n")],
               "the number 100 (stored, an integer) became 100.0 (produced, a float)"),
    "NV-B15": ([result("tensor([[ 6.,  2.,  0.],\n        [ 0.,  4.,  2.]])")],
               [result("tensor([[ 6.,  0.],\n        [ 2.,  4.],\n        [ 0.,  2.]])")], "line 1 differs"),
    "NV-C01": ([stream("calls: 1.0\n")], [stream("calls: 1\n")],
               "the number 1.0 (stored, a float) became 1 (produced, an integer)"),
    "NV-C02": ([result("tensor(28, grad_fn=<MulBackward0>)")], [result("tensor(28., grad_fn=<MulBackward0>)")],
               "the number 28 (stored, an integer) became 28. (produced, a float)"),
    "NV-C07": ([result("tensor(-4)")], [result("tensor(-4.)")], "the number -4 (stored, an integer)"),
    "NV-D01": ([error("RuntimeError", SHAPES.format(3))], [error("RuntimeError", SHAPES.format(4))],
               "error message: line 1: the number 3 (stored) became 4"),
    "NV-D02": ([error("RuntimeError", "grad can be implicitly created only for scalar inputs")],
               [error("RuntimeError", "grad can be implicitly created only for scalar outputs")],
               "error message: line 1 differs"),
    "NV-E06": ([result("<Figure size 600x280 with 1 Axes>", "display_data")],
               [result("<Figure size 600x270 with 1 Axes>", "display_data")], "line 1 differs"),
}
TEXT_CONTROLS = {  # floating-point noise: must pass
    "NV-A12": ([stream("dy/dx at 1: tensor(2.00001)\n")], [stream("dy/dx at 1: tensor(2.)\n")]),
    "NV-B16": ([result("tensor([-4.00003,  0.0000])")], [result("tensor([-4.,  0.])")]),
    "NV-C03": ([result("tensor([0.3680, 1.0000, 1.6487, 7.3891])")], [result("tensor([0.3679, 1.0000, 1.6487, 7.3891])")]),
    "NV-C04": ([result("tensor([9e-07, 1.])")], [result("tensor([0., 1.])")]),
    "NV-C05": ([result("tensor(12.0001)")], [result("tensor(12.)")]),
    "NV-C06": ([result("tensor([1.00001, 1.00001, 1.00001, 1.00001])")], [result("tensor([1., 1., 1., 1.])")]),
    "NV-D03": ([stream("x.grad: tensor(22.0002)\n")], [stream("x.grad: tensor(22.)\n")]),
}


@pytest.mark.parametrize("trial", sorted(TEXT_TAMPERINGS))
def test_every_text_tampering_of_the_report_fails(trial):
    stored, produced, says = TEXT_TAMPERINGS[trial]
    problem = meaning.first_difference(produced, stored)
    assert problem is not None, f"{trial} passed"
    assert says in problem, problem


@pytest.mark.parametrize("trial", sorted(TEXT_CONTROLS))
def test_every_control_of_the_report_passes(trial):
    stored, produced = TEXT_CONTROLS[trial]
    assert meaning.first_difference(produced, stored) is None


def test_a_traceback_is_compared_by_the_students_lines_only():
    """Colours, IPython's layout and library frames may change; the line of the cell may not."""
    produced = cell_traceback(2, "y.backward()")
    plain = [meaning.ANSI.sub("", line) for line in produced]
    with_a_library_frame = produced[:3] + ["File ~/site-packages/torch/_tensor.py:625, in Tensor.backward(self)\n"
                                           "--> 625     torch.autograd.backward(\n"] + produced[3:]
    for stored in (plain, with_a_library_frame, []):
        assert meaning.compare_traceback(stored, produced) is None
    assert meaning.cell_lines(produced) == [("2", "y.backward()")]
    assert meaning.compare_traceback(cell_traceback(3, "y.backward()"), produced)
    # IPython 8 (Python 3.10) and 9 indent the line of a function defined in the cell differently
    indented = cell_traceback(2, "        raise ValueError('no grad_fn')")
    assert meaning.compare_traceback(indented, cell_traceback(2, "    raise ValueError('no grad_fn')")) is None
    assert meaning.compare_traceback(indented, cell_traceback(2, "    raise TypeError('no grad_fn')"))


def test_the_stored_tracebacks_show_cell_lines_the_comparison_reads():
    """The stored tracebacks of the notebooks are in the format cell_lines reads (else B04 would go unseen)."""
    found = [meaning.cell_lines(output.traceback) for path in NOTEBOOKS
             for cell in nbformat.read(path, as_version=4).cells for output in cell.get("outputs", [])
             if output.output_type == "error"]
    assert found and all(found), found


# the figure tamperings: pictures made here, as the inline backend makes them (SVG, and PNG at 'retina', tight box)

def _figure(values, figsize=(3.5, 2.5)):
    import io

    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "d2lhelpers"
    figure, axes = plt.subplots(figsize=figsize)
    axes.plot(range(len(values)), values, "-")
    axes.set_xlabel("x")
    svg, png = io.StringIO(), io.BytesIO()
    figure.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    figure.savefig(png, format="png", bbox_inches="tight", dpi=200)  # 'retina': twice figure.dpi
    plt.close(figure)
    return {"image/png": base64.b64encode(png.getvalue()).decode(), "image/svg+xml": svg.getvalue(),
            "text/plain": f"<Figure size {figsize[0] * 100:.0f}x{figsize[1] * 100:.0f} with 1 Axes>"}


@pytest.fixture(scope="module")
def figures():
    """a and b: two figures of the same size and ticks; wide: another size; a_times_10: a's data, ten times."""
    return {"a": _figure([0, 1, 2, 3, 4]), "b": _figure([4, 3, 2, 1, 0]), "wide": _figure([0, 1, 4, 9], (6, 2.7)),
            "a_times_10": _figure([0, 10, 20, 30, 40])}


def _display(data):
    return [new.new_output("display_data", dict(data))]


FIGURE_TAMPERINGS = {  # trial: (stored, produced, same matplotlib, the words the failure must say)
    "NV-E01a": (lambda f: f["b"], lambda f: f["a"], True, "the picture differs from the stored one: RMS"),
    "NV-E01b": (lambda f: f["a"], lambda f: f["b"], True, "the picture differs from the stored one: RMS"),
    "NV-E02": (lambda f: {**f["a"], "image/svg+xml": f["wide"]["image/svg+xml"]}, lambda f: f["a"], True,
               "image/svg+xml: the pictures cannot be compared"),
    "NV-E03a": (lambda f: {**f["a"], "image/png": f["b"]["image/png"]}, lambda f: f["a"], False,
                "image/png: the stored PNG does not show the stored SVG's figure"),
    "NV-E03b": (lambda f: {**f["b"], "image/png": f["a"]["image/png"]}, lambda f: f["b"], False,
                "image/png: the stored PNG does not show the stored SVG's figure"),
    "NV-E04": (lambda f: {**f["a"], "image/svg+xml": f["wide"]["image/svg+xml"]}, lambda f: f["a"], False,
               "image/svg+xml: axes 1"),
    "NV-E05": (lambda f: {**f["a"], "image/png": f["wide"]["image/png"]}, lambda f: f["a"], True,
               "image/png: the pictures cannot be compared: ValueError: Image sizes do not match"),
}


@pytest.mark.parametrize("trial", sorted(FIGURE_TAMPERINGS))
def test_every_figure_tampering_of_the_report_fails(figures, trial):
    stored, produced, same, says = FIGURE_TAMPERINGS[trial]
    problem = meaning.first_difference(_display(produced(figures)), _display(stored(figures)), same_matplotlib=same)
    assert problem is not None, f"{trial} passed"
    assert says in problem, problem


def test_the_tamperings_are_43_and_the_controls_7():
    assert len(TEXT_TAMPERINGS) + len(FIGURE_TAMPERINGS) == 43 and len(TEXT_CONTROLS) == 7


@pytest.mark.parametrize("same", [True, False])
def test_the_same_figure_passes_under_both_rules(figures, same):
    again = _figure([0, 1, 2, 3, 4])
    assert meaning.first_difference(_display(again), _display(figures["a"]), same_matplotlib=same) is None


def test_a_figure_with_data_ten_times_larger_fails_under_rule_5(figures):
    """Trial FG06: drawn data are normalized to the axes, so only the ticks show the scale."""
    problem = meaning.compare_drawn(figures["a"]["image/svg+xml"], figures["a_times_10"]["image/svg+xml"])
    assert problem and "another scale" in problem, problem


def test_picture_rms_is_matplotlibs_without_files(figures):
    """The comparison in memory gives what matplotlib.testing.compare.compare_images gives on files."""
    import tempfile
    from pathlib import Path

    from matplotlib.testing.compare import compare_images

    first, second = (base64.b64decode(figures[name]["image/png"]) for name in ("a", "b"))
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "a.png").write_bytes(first)
        Path(folder, "b.png").write_bytes(second)
        reference = compare_images(str(Path(folder, "a.png")), str(Path(folder, "b.png")), tol=0, in_decorator=True)
    assert meaning.picture_rms(first, second) == pytest.approx(reference["rms"], rel=1e-9)
    assert meaning.picture_rms(first, first) == 0.0
