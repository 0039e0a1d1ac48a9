"""The ``# @save`` extraction: what it saves, how it fails, and that it never loses work."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from d2lhelpers import extract
from d2lhelpers.__main__ import main

ROOT = Path(__file__).resolve().parent.parent


def write_notebook(folder: Path, name: str, cells: list) -> Path:
    """A minimal nbformat-4 notebook; str cells are code, ('md', text) are markdown."""
    notebook_cells = []
    for cell in cells:
        if isinstance(cell, tuple):
            notebook_cells.append({"cell_type": "markdown", "metadata": {}, "source": cell[1]})
        else:
            notebook_cells.append(
                {"cell_type": "code", "metadata": {}, "source": cell, "outputs": [], "execution_count": None}
            )
    path = folder / name
    path.write_text(json.dumps({"cells": notebook_cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def load_module(text: str) -> dict:
    namespace: dict = {}
    exec(compile(text, "saved.py", "exec"), namespace)
    return namespace


@pytest.fixture
def books(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    return folder


def test_both_marker_styles_imports_and_order(books):
    write_notebook(books, "01-a.ipynb", [
        ("md", "# Title\n## Helpers"),
        "%matplotlib inline\n# @save\nimport math\nfrom collections import OrderedDict as OD\n\nimport os",
        "def double(x):  #@save\n    return 2 * x\n\ndef not_saved():\n    return 0",
        ("md", "## More"),
        "# @save\ndef triple(x):\n    '''Three times x.'''\n    return 3 * x",
    ])
    write_notebook(books, "02-b.ipynb", [
        "#@save\nclass Box:\n    \"\"\"A box.\"\"\"\n    def __init__(self, v):\n        self.v = v",
        "import math  # @save",
    ])
    text, blocks = extract.build(books)
    assert [n for b in blocks for n in b.names] == ["math", "OD", "double", "triple", "Box"]
    assert "import os" not in text  # the blank line ended the import block
    assert "not_saved" not in text
    assert "@save" not in text.split('"""', 2)[2]
    namespace = load_module(text)
    assert namespace["double"](2) == 4 and namespace["triple"](2) == 6 and namespace["Box"](1).v == 1
    assert namespace["__all__"] == ["math", "OD", "double", "triple", "Box"]
    assert 'Defined in' in namespace["double"].__doc__ and "01-a.ipynb" in namespace["double"].__doc__
    assert namespace["triple"].__doc__.startswith("Three times x.")
    assert 'section "More"' in namespace["triple"].__doc__
    assert "02-b.ipynb" in namespace["Box"].__doc__


def test_decorated_function_is_saved_with_its_decorator(books):
    write_notebook(books, "01.ipynb", ["import functools\n\n# @save\n@functools.lru_cache\ndef one():\n    return 1"])
    text, _ = extract.build(books)
    assert "@functools.lru_cache\ndef one():" in text


@pytest.mark.parametrize("source, message", [
    ("# @save\nx = 1", "marks an assignment"),
    ("x = 1  # @save", "marks an assignment"),
    ("def f():\n    # @save\n    def g():\n        pass\n    return g", "inside a block"),
    ("def f():\n    return 1  # @save", "inside a block"),
    ("# @save", "marks nothing"),
    ("# @save\nfrom os import *", r"'import \*' cannot be saved"),
])
def test_markers_on_things_that_cannot_be_saved(books, source, message):
    write_notebook(books, "01-x.ipynb", ["print(1)", source])
    with pytest.raises(extract.ExtractError, match=message) as error:
        extract.build(books)
    assert "01-x.ipynb, cell 2" in str(error.value)


def test_syntax_error_names_file_cell_and_line(books):
    write_notebook(books, "03-broken.ipynb", ["x = 1", "# @save\ndef f(:\n    pass"])
    with pytest.raises(extract.ExtractError) as error:
        extract.build(books)
    message = str(error.value)
    assert "03-broken.ipynb, cell 2" in message and "syntax error" in message and "line 2" in message
    assert "\n" not in message


def test_cells_without_marker_may_hold_anything(books):
    write_notebook(books, "01.ipynb", ["this is not python (", "def f():  # @save\n    return 1"])
    assert "def f" in extract.build(books)[0]


def test_malformed_json_is_one_clear_line(books):
    (books / "01-bad.ipynb").write_text('{"cells": [}')
    with pytest.raises(extract.ExtractError, match=r"01-bad.ipynb: not valid notebook JSON \(line 1, column 12\)"):
        extract.build(books)


@pytest.mark.parametrize("content, message", [
    ('[1, 2]', "not a Jupyter notebook"),
    ('{"cells": [], "nbformat": 3}', "nbformat 3 is not supported"),
    ('{"cells": [42], "nbformat": 4}', "cell 1: not a cell object"),
])
def test_json_that_is_not_a_notebook(books, content, message):
    (books / "01-odd.ipynb").write_text(content)
    with pytest.raises(extract.ExtractError, match=message):
        extract.build(books)


def test_two_notebooks_saving_one_name(books):
    write_notebook(books, "01-a.ipynb", ["def plot():  # @save\n    pass"])
    write_notebook(books, "02-b.ipynb", ["x = 1", "def plot():  # @save\n    return 1"])
    with pytest.raises(extract.ExtractError) as error:
        extract.build(books)
    assert "'plot' is saved twice: " in str(error.value)
    assert "01-a.ipynb, cell 1" in str(error.value) and "02-b.ipynb, cell 2" in str(error.value)


def test_same_import_in_two_notebooks_is_kept_once_but_a_clash_is_an_error(books):
    write_notebook(books, "01-a.ipynb", ["import numpy as np  # @save"])
    write_notebook(books, "02-b.ipynb", ["import numpy as np  # @save"])
    assert extract.build(books)[0].count("import numpy as np") == 1
    write_notebook(books, "03-c.ipynb", ["import math as np  # @save"])
    with pytest.raises(extract.ExtractError, match="'np' is saved twice"):
        extract.build(books)


def test_docstring_styles_all_get_defined_in(books):
    write_notebook(books, "01.ipynb", [
        "def a():  # @save\n    return 1",
        "def b():  # @save\n    'One line.'\n    return 2",
        'def c():  # @save\n    r"""Raw \\d."""\n    return 3',
        "class D:  # @save\n    x = 1",
    ])
    namespace = load_module(extract.build(books)[0])
    for name in "abcD":
        assert "Defined in" in namespace[name].__doc__, name
    assert namespace["b"].__doc__.startswith("One line.") and namespace["b"]() == 2
    assert namespace["c"].__doc__.startswith("Raw \\d.")


def test_save_writes_then_reports_up_to_date(books, tmp_path):
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    output = tmp_path / "saved.py"
    assert extract.save(books, output).startswith("wrote")
    assert "up to date" in extract.save(books, output)
    assert extract.check(books, output) == []


def test_check_names_the_function_and_notebook(books, tmp_path):
    path = write_notebook(books, "01-calc.ipynb", ["def f():  # @save\n    return 1", "def g():  # @save\n    return 2"])
    output = tmp_path / "saved.py"
    extract.save(books, output)
    write_notebook(books, "01-calc.ipynb", ["def f():  # @save\n    return 10", "def h():  # @save\n    return 3"])
    problems = "\n".join(extract.check(books, output))
    assert "f (" in problems and "01-calc.ipynb, cell 1) differs" in problems
    assert "h (" in problems and "missing from" in problems
    assert "g is in" in problems and "no notebook saves it" in problems
    assert "python -m d2lhelpers save" in problems
    assert path.exists()


def test_check_missing_module(books, tmp_path):
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    assert "does not exist" in extract.check(books, tmp_path / "saved.py")[0]


def test_hand_edits_are_never_overwritten_silently(books, tmp_path):
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    output = tmp_path / "saved.py"
    extract.save(books, output)
    edited = output.read_text().replace("return 1", "return 42  # my fix")
    output.write_text(edited)
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 2"])
    with pytest.raises(extract.ExtractError, match="edited by hand"):
        extract.save(books, output)
    assert output.read_text() == edited
    extract.save(books, output, force=True)
    assert "return 2" in output.read_text()


def test_write_is_atomic(books, tmp_path, monkeypatch):
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    output = tmp_path / "saved.py"
    extract.save(books, output)
    before = output.read_text()
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 2"])

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        extract.save(books, output)
    assert output.read_text() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_cli_exit_codes_and_messages(books, tmp_path, capsys):
    output = tmp_path / "saved.py"
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    assert main(["save", "--notebooks", str(books), "--output", str(output)]) == 0
    assert main(["save", "--check", "--notebooks", str(books), "--output", str(output)]) == 0
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 2"])
    assert main(["save", "--check", "--notebooks", str(books), "--output", str(output)]) == 1
    assert "f (" in capsys.readouterr().err
    (books / "02.ipynb").write_text("not json")
    assert main(["save", "--notebooks", str(books), "--output", str(output)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("d2lhelpers save: error: ") and "02.ipynb" in err and "Traceback" not in err
    assert main(["save", "--notebooks", str(tmp_path / "nowhere"), "--output", str(output)]) == 2
    assert "no notebooks folder" in capsys.readouterr().err


def test_the_package_matches_the_notebooks():
    """The real check, as a maintainer runs it: notebooks and d2lhelpers/saved.py agree."""
    result = subprocess.run(
        [sys.executable, "-m", "d2lhelpers", "save", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_the_generated_module_does_not_depend_on_the_working_directory():
    for folder in (ROOT / "notebooks", ROOT / "d2lhelpers"):
        result = subprocess.run([sys.executable, "-m", "d2lhelpers", "save", "--check"], cwd=folder,
                                capture_output=True, text=True)
        assert result.returncode == 0, f"from {folder.name}/: {result.stderr}"


def test_chinese_docstrings_like_the_seeds(books):
    write_notebook(books, "01.ipynb", [
        'def use_svg_display():  # @save\n    """使用svg格式在Jupyter中显示绘图"""\n    return "svg"',
        '# @save\ndef set_figsize(figsize=(3.5, 2.5)):\n    """设置matplotlib的图表大小\n\n    第二行。"""; x = 1\n    return figsize',
    ])
    namespace = load_module(extract.build(books)[0])
    assert namespace["use_svg_display"].__doc__.startswith("使用svg格式在Jupyter中显示绘图\n\n    Defined in")
    assert namespace["use_svg_display"]() == "svg"
    assert "第二行。" in namespace["set_figsize"].__doc__ and "Defined in" in namespace["set_figsize"].__doc__
    assert namespace["set_figsize"]() == (3.5, 2.5)


def test_one_line_def_gets_a_clear_error(books):
    write_notebook(books, "01.ipynb", ["def f(): return 1  # @save"])
    with pytest.raises(extract.ExtractError, match="01.ipynb, cell 1: line 1: put the body of 'f' on lines of its own"):
        extract.build(books)
