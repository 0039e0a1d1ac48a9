"""In a notebook that imports d2lhelpers, an error shows the cell's own lines and the message only."""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import background

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(*sources, folder=None):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    resources = {"metadata": {"path": str(folder)}} if folder else {}
    NotebookClient(notebook, allow_errors=True, kernel_name="python3", timeout=120, resources=resources).execute()
    return [[ANSI.sub("", "\n".join(output.traceback)) for output in cell.outputs if output.output_type == "error"]
            + [ANSI.sub("", output.text) for output in cell.outputs if output.output_type == "stream"]
            for cell in notebook.cells]


STUDENTS_MODULE = "def helper(x):\n    y = x + 1\n    return undefined_name + y\n"
DEBUG = """import io, sys, traceback
from IPython.core.debugger import Pdb
print('last_traceback:', [f.name for f in traceback.extract_tb(sys.last_traceback)])
print('__traceback__:', [f.name for f in traceback.extract_tb(sys.last_value.__traceback__)])
shell = get_ipython()
commands, shown = io.StringIO("where\\nup\\nquit\\n"), io.StringIO()
shell.InteractiveTB.pdb = Pdb(stdin=commands, stdout=shown)
shell.InteractiveTB.pdb.use_rawinput = False
shell.run_line_magic('debug', '')  # what %debug runs
print('debugger:', shown.getvalue())"""


def run_the_cells(folder):
    """The cells below in one kernel, beside the student's own mymodule.py: each cell's errors and streams."""
    (Path(folder) / "mymodule.py").write_text(STUDENTS_MODULE)
    return run(
        "import torch\nimport d2lhelpers as d2l",
        "x = torch.arange(4.0, requires_grad=True)\ny = 2 * torch.dot(x, x)\ny.backward()\ny.backward()",
        "def to_numpy(t):\n    return t.numpy()\nto_numpy(x)",
        "try:\n    y.backward()\nexcept RuntimeError as error:\n    raise ValueError('again') from error",
        "import mymodule\nmymodule.helper(1)",
        DEBUG,
        "y.backward()",
        "import sys, traceback\nprint([f.name for f in traceback.extract_tb(sys.last_traceback)])",
        "d2l.short_tracebacks(False)\ny.backward()",
        folder=folder,
    )


BACKGROUND = {"the cells": background.call(run_the_cells)}  # in the background from the start (background.py)


@pytest.fixture(scope="module")
def tracebacks():
    return background.result(__name__, "the cells")


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


def test_the_students_own_files_are_kept(tracebacks):
    """Trial TB02: the frame of the student's own mymodule.py, with the faulty line, was dropped."""
    [text] = tracebacks[4]
    assert "----> 2 mymodule.helper(1)" in text
    assert "mymodule.py:3, in helper(x)" in text and "----> 3     return undefined_name + y" in text
    assert "NameError: name 'undefined_name' is not defined" in text
    assert "site-packages" not in text and "interactiveshell" not in text


def test_debug_reaches_every_frame(tracebacks):
    """Trial TB17: sys.last_traceback was the shortened one, so %debug could not step into the module."""
    [text] = tracebacks[5]
    assert "last_traceback: ['run_code', '<module>', 'helper']" in text
    assert "__traceback__: ['run_code', '<module>', 'helper']" in text
    debugger = text.split("debugger:", 1)[1]
    assert "mymodule.py(3)helper()" in debugger and "return undefined_name + y" in debugger
    assert "mymodule.helper(1)" in debugger, "up: the cell's frame"
    frames = "".join(tracebacks[7])
    assert "'<module>', 'backward'" in frames, f"the library frames are there too: {frames}"


def test_short_tracebacks_off_gives_the_full_traceback_back(tracebacks):
    [text] = tracebacks[8]
    assert "site-packages" in text or "torch" in text.split("y.backward()")[-1]


def test_outside_ipython_it_does_nothing():
    from d2lhelpers.tracebacks import short_tracebacks

    short_tracebacks()
    short_tracebacks(False)
