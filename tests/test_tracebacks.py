"""In a notebook that imports d2lhelpers, an error shows the cell's own lines and the message only."""

import re

import nbformat
import pytest
from nbclient import NotebookClient

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(*sources):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    NotebookClient(notebook, allow_errors=True, kernel_name="python3", timeout=120).execute()
    return [[ANSI.sub("", "\n".join(output.traceback)) for output in cell.outputs if output.output_type == "error"]
            for cell in notebook.cells]


@pytest.fixture(scope="module")
def tracebacks():
    return run(
        "import torch\nimport d2lhelpers as d2l",
        "x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)\ny.backward()\ny.backward()",
        "def to_numpy(t):\n    return t.numpy()\nto_numpy(x)",
        "try:\n    y.backward()\nexcept RuntimeError as error:\n    raise ValueError('again') from error",
        "d2l.short_tracebacks(False)\ny.backward()",
    )


def test_torch_error_shows_the_students_line_and_the_message(tracebacks):
    [text] = tracebacks[1]
    assert "----> 4 y.backward()" in text
    assert "Trying to backward through the graph a second time" in text
    assert "site-packages" not in text and "torch/" not in text and "_tensor.py" not in text
    assert len(text.splitlines()) < 12


def test_frames_of_the_students_own_functions_are_kept(tracebacks):
    [text] = tracebacks[2]
    assert "in to_numpy(t)" in text and "----> 3 to_numpy(x)" in text
    assert "Can't call numpy() on Tensor that requires grad" in text


def test_chained_errors_are_shortened_too(tracebacks):
    [text] = tracebacks[3]
    assert "ValueError: again" in text and "Trying to backward" in text
    assert "site-packages" not in text


def test_short_tracebacks_off_gives_the_full_traceback_back(tracebacks):
    [text] = tracebacks[4]
    assert "site-packages" in text or "torch" in text.split("y.backward()")[-1]


def test_outside_ipython_it_does_nothing():
    from d2lhelpers.tracebacks import short_tracebacks

    short_tracebacks()
    short_tracebacks(False)
