"""The ``# @save`` extraction: what it saves, how it fails, and that it never loses work."""

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import background
from d2lhelpers import atomic, extract
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
    assert namespace["__all__"] == ["double", "triple", "Box"]  # the helpers; the imports are not exported
    assert 'Defined in' in namespace["double"].__doc__ and "01-a.ipynb" in namespace["double"].__doc__
    assert namespace["triple"].__doc__.startswith("Three times x.")
    assert 'section "More"' in namespace["triple"].__doc__
    assert "02-b.ipynb" in namespace["Box"].__doc__


def test_decorated_function_is_saved_with_its_decorator(books):
    write_notebook(books, "01.ipynb", ["import functools  # @save\n\n# @save\n@functools.lru_cache\ndef one():\n    return 1"])
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
    with pytest.raises(extract.ExtractError, match="cannot write .*saved.py: disk full"):
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


SAVE_CHECK_FROM = {"": ROOT, "notebooks/en/": ROOT / "notebooks" / "en", "d2lhelpers/": ROOT / "d2lhelpers"}
# `python -m d2lhelpers save --check` from each folder, run in the background from the start (background.py)
BACKGROUND = {f"save --check from {name or 'the root'}": background.command(
    [sys.executable, "-m", "d2lhelpers", "save", "--check"], cwd=folder) for name, folder in SAVE_CHECK_FROM.items()}


def test_the_package_matches_the_notebooks():
    """The real check, as a maintainer runs it: notebooks and d2lhelpers/saved.py agree."""
    result = background.result(__name__, "save --check from the root")
    assert result.returncode == 0, result.stderr


def test_the_generated_module_does_not_depend_on_the_working_directory():
    for folder in ("notebooks/en/", "d2lhelpers/"):
        result = background.result(__name__, f"save --check from {folder}")
        assert result.returncode == 0, f"from {folder}: {result.stderr}"


def test_chinese_docstrings_like_the_seeds(books):
    write_notebook(books, "01.ipynb", [
        'def use_svg_display():  # @save\n    """使用svg格式在Jupyter中显示绘图"""\n    return "svg"',
        '# @save\ndef set_figsize(figsize=(3.5, 2.5)):\n    """设置matplotlib的图表大小\n\n    第二行。"""; x = 1\n    return figsize',
    ])
    namespace = load_module(extract.build(books)[0])
    # Python 3.13 strips a docstring's common indentation when it compiles it; cleandoc does the same
    # on 3.10 to 3.12, so the test holds on every supported Python
    assert inspect.cleandoc(namespace["use_svg_display"].__doc__).startswith("使用svg格式在Jupyter中显示绘图\n\nDefined in")
    assert namespace["use_svg_display"]() == "svg"
    assert "第二行。" in namespace["set_figsize"].__doc__ and "Defined in" in namespace["set_figsize"].__doc__
    assert namespace["set_figsize"]() == (3.5, 2.5)


def test_one_line_def_gets_a_clear_error(books):
    write_notebook(books, "01.ipynb", ["def f(): return 1  # @save"])
    with pytest.raises(extract.ExtractError, match="01.ipynb, cell 1: line 1: put the body of 'f' on lines of its own"):
        extract.build(books)


# --- issue 12: save never loses work, and saves what the kernel runs ---------------------------


def saved_once(books, tmp_path, cells=("def f():  # @save\n    return 1",)):
    write_notebook(books, "01.ipynb", list(cells))
    output = tmp_path / "saved.py"
    extract.save(books, output)
    return output


@pytest.mark.parametrize("edit", [
    lambda text: "import os  # my edit\n" + text,  # sed -i '1i ...': above the checksum line
    lambda text: text.replace("GENERATED FILE, DO NOT EDIT", "GENERATED FILE (my note)"),  # the header docstring
    lambda text: text.replace("\n\n__all__", "\nimport math  # needed\n\n__all__"),  # the imports
    lambda text: text + "\ndef mine():\n    return 2\n",  # appended at the end
])
def test_save_refuses_edits_anywhere_in_the_file(books, tmp_path, edit):
    output = saved_once(books, tmp_path)
    edited = edit(output.read_text())
    output.write_text(edited)
    assert extract.hand_edited(edited)
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 2"])
    with pytest.raises(extract.ExtractError, match="edited by hand"):
        extract.save(books, output)
    assert output.read_text() == edited


def test_a_fresh_file_is_not_hand_edited(books, tmp_path):
    assert not extract.hand_edited(saved_once(books, tmp_path).read_text())


def test_carriage_returns_in_a_cell(books, tmp_path):
    output = saved_once(books, tmp_path, ["def f():  # @save\r\n    '''Doc.'''\r\n    return 1\r\n"])
    assert b"\r" not in output.read_bytes()
    assert "up to date" in extract.save(books, output)
    assert extract.check(books, output) == []


def test_a_percent_line_inside_a_string_is_kept(books, tmp_path):
    cell = ('%matplotlib inline\n!echo hi\n# @save\ndef report(share):\n    return f"""Share:\n% {share * 100:.0f}\n"""')
    write_notebook(books, "01.ipynb", [cell])
    namespace = load_module(extract.build(books)[0])
    assert namespace["report"](0.5) == "Share:\n% 50\n"


@pytest.mark.parametrize("body", ["    return (x\n%2)", "    return (x\n!= 2)", "    s = 'a' \\\n% 1\n    return s"])
def test_continuation_lines_that_start_like_magics(books, body):
    write_notebook(books, "01.ipynb", [f"def f(x):  # @save\n{body}"])
    assert "def f(x):" in extract.build(books)[0]


def test_ipython_syntax_in_a_saved_block_names_the_cell(books):
    write_notebook(books, "01.ipynb", ["x = 1", "def f():  # @save\n    %time g()\n    return 1"])
    with pytest.raises(extract.ExtractError, match=r"01.ipynb, cell 2: line 2: IPython syntax"):
        extract.build(books)


def test_cell_magic_with_a_marker_names_the_cell(books):
    write_notebook(books, "01.ipynb", ["%%time\ndef f():  # @save\n    return 1"])
    with pytest.raises(extract.ExtractError, match=r"01.ipynb, cell 1: IPython runs this cell as a string"):
        extract.build(books)


def test_tab_indents_and_docstrings_with_every_quote(books):
    write_notebook(books, "01.ipynb", [
        "def tabbed(x):  # @save\n\t'''Tabs.'''\n\tif x:\n\t\treturn 1\n\treturn 0",
        "def quotes():  # @save\n    \"\"\"Holds ''' and \" both.\"\"\"\n    return 2",
        "def single():  # @save\n    \"a \\\"b\\\" '''c'''\"\n    return 3",
        "def joined():  # @save\n    'one ' \"two\"\n    return 4",
        "def backslash():  # @save\n    \"\"\"C:\\\\path\\\\\"\"\"\n    return 5",
    ])
    namespace = load_module(extract.build(books)[0])
    assert namespace["tabbed"](1) == 1 and namespace["tabbed"].__doc__.startswith("Tabs.")
    assert namespace["quotes"].__doc__.startswith("Holds ''' and \" both.")
    assert namespace["single"].__doc__.startswith("a \"b\" '''c'''")
    assert namespace["joined"].__doc__.startswith("one two")
    assert namespace["backslash"].__doc__.startswith("C:\\path\\")
    for name, value in [("tabbed", 0), ("quotes", 2), ("single", 3), ("joined", 4), ("backslash", 5)]:
        assert "Defined in" in namespace[name].__doc__, name
        assert name == "tabbed" or namespace[name]() == value


def test_a_module_that_fails_on_import_names_the_cell(books, tmp_path, capsys):
    write_notebook(books, "01.ipynb", [
        "import functools",
        "@functools.lru_cache  # a decorator whose import is not saved\ndef one():  # @save\n    return 1",
    ])
    with pytest.raises(extract.ExtractError, match=r"01.ipynb, cell 2 \('one'\): the generated module fails "
                                                   r"when imported: NameError: name 'functools' is not defined"):
        extract.build(books)
    output = tmp_path / "saved.py"
    for command in (["save"], ["save", "--check"]):
        assert main([*command, "--notebooks", str(books), "--output", str(output)]) == 2
        assert "cell 2 ('one')" in capsys.readouterr().err
    assert not output.exists()


def test_a_library_missing_from_this_python_on_purpose_is_a_warning_with_without(books, tmp_path, capsys):
    """A bare system or pre-commit python without torch can still compare notebooks and saved.py: --without."""
    write_notebook(books, "01.ipynb", ["import d2lhelpers_not_installed_anywhere  # @save",
                                       "def one():  # @save\n    return 1"])
    output = tmp_path / "saved.py"
    without = ["--without", "d2lhelpers_not_installed_anywhere"]
    assert main(["save", *without, "--notebooks", str(books), "--output", str(output)]) == 0
    assert main(["save", "--check", *without, "--notebooks", str(books), "--output", str(output)]) == 0
    err = capsys.readouterr().err
    assert "'d2lhelpers_not_installed_anywhere' is not installed in this Python" in err and "text only" in err
    write_notebook(books, "01.ipynb", ["import os.not_a_submodule  # @save"])  # os is installed: a real error
    with pytest.raises(extract.ExtractError, match=r"01.ipynb, cell 1: the generated module fails when imported"):
        extract.build(books)


@pytest.mark.parametrize("comment", ["# @SAVE", "## @save", "# @save this", "#@ save", "# @Save"])
def test_near_miss_markers_warn_naming_the_cell(books, comment, capsys):
    write_notebook(books, "01.ipynb", ["x = 1", f"def f():  {comment}\n    return 1"])
    with pytest.warns(extract.MarkerWarning, match=r"01.ipynb, cell 2: line 1: .* is not a save marker"):
        text, _ = extract.build(books)
    assert "def f" not in text


def test_near_miss_warning_from_the_command_line(books, tmp_path, capsys):
    write_notebook(books, "01.ipynb", ["def f():  # @SAVE\n    return 1"])
    assert main(["save", "--notebooks", str(books), "--output", str(tmp_path / "saved.py")]) == 0
    assert "d2lhelpers save: warning: notebooks/01.ipynb, cell 1: line 1: '# @SAVE' is not a save marker" \
        in capsys.readouterr().err


def test_drift_in_a_decorator_names_the_function(books, tmp_path):
    cells = ["import functools  # @save", "@functools.lru_cache(maxsize=2)\ndef f():  # @save\n    return 1"]
    output = saved_once(books, tmp_path, cells)
    write_notebook(books, "01.ipynb", [cells[0], cells[1].replace("maxsize=2", "maxsize=3")])
    problems = "\n".join(extract.check(books, output))
    assert "f (notebooks/01.ipynb, cell 2) differs" in problems and "maxsize=3" in problems
    assert "outside any function" not in problems


@pytest.mark.skipif(sys.platform == "win32", reason="Windows keeps only a read-only flag, no mode bits")
def test_save_keeps_the_file_mode(books, tmp_path):
    output = saved_once(books, tmp_path)
    assert output.stat().st_mode & 0o777 == 0o666 & ~_umask()  # a new file: as the umask says, not 0600
    output.chmod(0o640)
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 2"])
    extract.save(books, output)
    assert output.stat().st_mode & 0o777 == 0o640


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_save_refuses_a_read_only_module(books, tmp_path, capsys):
    output = saved_once(books, tmp_path)
    output.chmod(0o444)
    before = output.read_text()
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 2"])
    for force in ([], ["--force"]):
        assert main(["save", *force, "--notebooks", str(books), "--output", str(output)]) == 2
        err = capsys.readouterr().err
        assert "saved.py is read-only, so save leaves it alone" in err and err.count("\n") == 1
    assert output.read_text() == before
    output.chmod(0o644)


def test_os_errors_are_one_line_and_exit_2(books, tmp_path, capsys, monkeypatch):
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    cases = [tmp_path / "folder", tmp_path / "missing" / "saved.py"]
    (tmp_path / "folder").mkdir()
    for output in cases:
        for check in ([], ["--check"]):
            assert main(["save", *check, "--notebooks", str(books), "--output", str(output)]) == 2, output
            err = capsys.readouterr().err
            assert err.startswith("d2lhelpers save: error: ") and err.count("\n") == 1 and "Traceback" not in err

    def read_only_folder(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", read_only_folder)
    assert main(["save", "--notebooks", str(books), "--output", str(tmp_path / "saved.py")]) == 2
    assert "cannot write into" in capsys.readouterr().err and not (tmp_path / "saved.py").exists()


def test_temporary_files_are_hidden_and_ignored_by_git(books, tmp_path, monkeypatch):
    names = []
    real = atomic.tempfile.mkstemp

    def spy(*args, **kwargs):
        handle, name = real(*args, **kwargs)
        names.append(Path(name).name)
        return handle, name

    monkeypatch.setattr(atomic.tempfile, "mkstemp", spy)
    saved_once(books, tmp_path)
    assert names and all(name.startswith(".saved.py.") and name.endswith(".tmp") for name in names)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    ignored = subprocess.run(["git", "check-ignore", "-q", f"d2lhelpers/{names[0]}"], cwd=ROOT)
    assert ignored.returncode == 0, "a temp file left by a killed save would show in git status"


def test_defined_in_does_not_depend_on_the_working_directory_outside_the_repository(books, tmp_path, monkeypatch):
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    texts = []
    for folder in (tmp_path, books, ROOT):
        monkeypatch.chdir(folder)
        texts.append(extract.build(books)[0])
    assert texts[0] == texts[1] == texts[2]
    assert "Defined in notebooks/01.ipynb." in texts[0]


def test_help_has_no_markup():
    for command in ([], ["save"], ["handout"]):
        result = subprocess.run([sys.executable, "-m", "d2lhelpers", *command, "--help"], cwd=ROOT,
                                capture_output=True, text=True)
        assert result.returncode == 0 and "``" not in result.stdout, result.stdout
        assert "usage: python -m d2lhelpers" in result.stdout


def test_without_ipython_magic_lines_are_blanked_with_a_warning(books, monkeypatch):
    monkeypatch.setattr(extract, "_TransformerManager", None)
    write_notebook(books, "01.ipynb", ["%matplotlib inline\ndef f():  # @save\n    return 1"])
    with pytest.warns(extract.MarkerWarning, match="01.ipynb, cell 1: IPython is not installed"):
        text, _ = extract.build(books)
    assert load_module(text)["f"]() == 1


# --- issue 18: save is strict and fast, and never writes over what it must not -------------------


def _save(books, output, *extra):
    return main(["save", *extra, "--notebooks", str(books), "--output", str(output)])


def _one_line_error(capsys, *fragments):
    err = capsys.readouterr().err
    assert err.startswith("d2lhelpers save: error: ") and err.count("\n") == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in err, err
    return err


@pytest.mark.skipif(sys.platform == "win32", reason="hard links and inodes: POSIX")
def test_save_knows_a_notebook_by_its_inode_not_its_name(books, tmp_path, capsys):
    notebook = write_notebook(books, "01-calc.ipynb", ["def f():  # @save\n    return 1"])
    before = notebook.read_bytes()
    alias = tmp_path / "saved.py"
    os.link(notebook, alias)  # another name for the same file
    assert _save(books, alias, "--force") == 2
    _one_line_error(capsys, "one of the files being read")
    assert notebook.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs: POSIX")
def test_save_never_reads_nor_replaces_a_fifo(books, tmp_path, capsys):
    import stat

    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    fifo = tmp_path / "saved.py"
    os.mkfifo(fifo)
    for command in (["save", "--force"], ["save", "--check"]):  # reading a FIFO would hang
        assert main([*command, "--notebooks", str(books), "--output", str(fifo)]) == 2
        _one_line_error(capsys, "a FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need extra rights on Windows")
@pytest.mark.parametrize("dangling", [False, True])
def test_save_refuses_a_link_and_says_so(books, tmp_path, capsys, dangling):
    """Trials L01, L03: save used to replace the link and report writing its target."""
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    target = tmp_path / "elsewhere.py"
    if not dangling:
        assert _save(books, target) == 0
    before = target.read_bytes() if not dangling else None
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 2"])
    link = tmp_path / "saved.py"
    link.symlink_to(target)
    assert _save(books, link, "--force") == 2
    _one_line_error(capsys, "saved.py is a symbolic link (to ", "elsewhere.py")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (target.read_bytes() if not dangling else target.exists()) == (before if not dangling else False)


def test_an_unreadable_notebooks_folder_is_an_error_not_an_empty_module(books, tmp_path, capsys, monkeypatch):
    """Trial P06 (a folder without read permission): the helpers used to vanish from saved.py."""
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    output = tmp_path / "saved.py"
    assert _save(books, output) == 0
    before = output.read_text()

    def unreadable(path):  # what a folder without read permission does (root reads it anyway)
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "scandir", unreadable)
    for check in ([], ["--check"]):
        assert _save(books, output, *check) == 2
        _one_line_error(capsys, "cannot list the notebooks folder", "Permission denied")
    assert output.read_text() == before


def test_an_empty_notebooks_folder_is_an_error(books, tmp_path, capsys):
    """Trial P11: a mistyped --notebooks (an empty folder) used to empty saved.py."""
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    output = tmp_path / "saved.py"
    assert _save(books, output) == 0
    before = output.read_text()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _save(empty, output) == 2
    _one_line_error(capsys, "no notebooks in")
    assert output.read_text() == before


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need extra rights on Windows")
@pytest.mark.parametrize("kind", ["dangling", "loop"])
def test_a_notebook_link_that_leads_nowhere_is_an_error(books, tmp_path, capsys, kind):
    """Trials L08, L09: its helpers used to vanish silently."""
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    link = books / "02.ipynb"
    link.symlink_to(tmp_path / "gone.ipynb" if kind == "dangling" else link)
    assert _save(books, tmp_path / "saved.py") == 2
    _one_line_error(capsys, "02.ipynb is a symbolic link", "does not exist (or is a loop)")


def test_hidden_notebooks_are_not_notebooks(books):
    """Trial L13: .name.ipynb (an editor's or a sync tool's copy) is not read."""
    write_notebook(books, "01.ipynb", ["def f():  # @save\n    return 1"])
    write_notebook(books, ".01.ipynb", ["def f():  # @save\n    return 2"])
    assert [b.notebook for b in extract.build(books)[1]] == ["notebooks/01.ipynb"]


def test_headings_are_parsed_in_linear_time():
    """Trials RE01, RE03: 10,000 spaces after '# Title' used to take more than 11 minutes."""
    import time

    started = time.perf_counter()
    line = "# Title" + " " * 200_000 + "x"
    assert extract.markdown_headings(line) == [(1, "Title" + " " * 200_000 + "x")]
    assert not extract._mentions_save("# " * 200_000)  # NEAR_MISS.search: quadratic, 6.8 s at 120 kB
    assert extract._mentions_save("x = 1  # # @ SAVE")
    assert time.perf_counter() - started < 5, "quadratic or worse: the old regexes took minutes"


@pytest.mark.parametrize("markdown, section", [
    ("## Real\n\n```python\n# not a heading\n```", "Real"),         # trial DS21
    ("## Real\n~~~\n# not a heading\n~~~~\n", "Real"),
    ("## First\n```\n# code\n```\n### Second ##", "Second"),
    ("## C#", "C#"),                                                  # the old regex said 'C'
    ("####### seven", "before"),                                      # not a heading
    ("#nospace", "before"),
    ("#\tTabbed", "Tabbed"),
])
def test_the_section_is_the_last_real_heading(books, markdown, section):
    write_notebook(books, "01.ipynb", [("md", "# before"), ("md", markdown), "def f():  # @save\n    return 1"])
    assert extract.build(books)[1][0].section == (section if section != "before" else "before")


def test_near_miss_search_agrees_with_the_regex():
    for text in ["# @save", "#@save", "## @SAVE", "#\n @ save", "x # y @save", "@save", "# x @save", "#  @  Save",
                 "a@save", "#@ sav", "# # # @", "#\t@save"]:
        assert extract._mentions_save(text) == bool(extract.NEAR_MISS.search(text)), text


def test_an_nbformat_3_notebook_says_so(books):
    """Trial S05: a real nbformat 3 notebook has worksheets and no cells."""
    (books / "01-old.ipynb").write_text(json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}))
    with pytest.raises(extract.ExtractError, match="nbformat 3 is not supported"):
        extract.build(books)


@pytest.mark.parametrize("content, message", [
    ({"cells": [{"cell_type": "code", "source": [1, 2], "metadata": {}}], "metadata": {}, "nbformat": 4},
     "cell 1: its source is not text"),                                                     # trial S15
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),                                   # trial S18
])
def test_broken_cells_are_one_line_and_exit_2(books, tmp_path, capsys, content, message):
    (books / "01.ipynb").write_text(content if isinstance(content, str) else json.dumps(content))
    assert _save(books, tmp_path / "saved.py") == 2
    _one_line_error(capsys, "01.ipynb", message)


@pytest.mark.parametrize("body, shown", [
    ("    import sys\n    sys.exit(0)", "SystemExit: 0"),                  # trial D19: --check used to pass
    ("    import sys\n    sys.exit(1)", "SystemExit: 1"),
    ("    raise KeyboardInterrupt", "KeyboardInterrupt"),                  # trial D20
])
def test_a_saved_block_that_exits_at_import_is_an_error_naming_its_cell(books, tmp_path, capsys, body, shown):
    write_notebook(books, "01.ipynb", ["x = 1", f"class Quits:  # @save\n{body}"])
    other = tmp_path / "other.py"
    other.write_text("a completely different module\n")
    for command, output in ((["save"], tmp_path / "saved.py"), (["save", "--check"], tmp_path / "missing.py"),
                            (["save", "--check"], other)):
        assert main([*command, "--notebooks", str(books), "--output", str(output)]) == 2
        _one_line_error(capsys, "01.ipynb, cell 2 ('Quits')", "ends the process when imported", shown)
    assert not (tmp_path / "saved.py").exists()


def test_os_exit_at_import_cannot_end_save_quietly(books, tmp_path):
    write_notebook(books, "01.ipynb", ["class Quits:  # @save\n    import os\n    os._exit(0)"])
    result = subprocess.run([sys.executable, "-m", "d2lhelpers", "save", "--check", "--notebooks", str(books),
                             "--output", str(tmp_path / "missing.py")], capture_output=True, text=True)
    assert result.returncode == 2 and "os._exit(0)" in result.stderr, result


@pytest.mark.parametrize("name", ["handout", "saved", "tracebacks", "lecture", "extract", "atomic", "editions",
                                  "lecture_mode", "short_tracebacks", "__all__"])
def test_a_helper_named_like_the_package_itself_is_refused(books, tmp_path, capsys, name):
    """Trials N01-N04 and D11: d2l.NAME would reach the package's own attribute, not the helper."""
    kind = "class" if name == "__all__" else "def"
    write_notebook(books, "01.ipynb", [f"{kind} {name}{'()' if kind == 'def' else ''}:  # @save\n    pass"])
    assert _save(books, tmp_path / "saved.py") == 2
    _one_line_error(capsys, f"'{name}' cannot be saved", "01.ipynb, cell 1")
    assert not (tmp_path / "saved.py").exists()


def test_the_package_s_own_modules_may_be_imported_by_name(books):
    write_notebook(books, "01.ipynb", ["from d2lhelpers import lecture  # @save\nimport warnings  # @save",
                                       "def f():  # @save\n    return lecture.FIGSIZE_SCALE"])
    assert load_module(extract.build(books)[0])["f"]() == 1.8
    write_notebook(books, "01.ipynb", ["import numpy as lecture  # @save"])
    with pytest.raises(extract.ExtractError, match="'lecture' cannot be saved"):
        extract.build(books)


def test_a_misspelt_import_is_an_error_with_a_suggestion(books, tmp_path, capsys):
    """Trial Q01: 'import nmupy as np' used to write a module that fails on import, with exit 0."""
    write_notebook(books, "01.ipynb", ["import nmupy as np  # @save", "def f():  # @save\n    return np.pi"])
    for check in ([], ["--check"]):
        assert _save(books, tmp_path / "saved.py", *check) == 2
        _one_line_error(capsys, "01.ipynb, cell 1", "'nmupy' names no module this Python has",
                        "did you mean 'numpy'?", "--without nmupy")
    assert not (tmp_path / "saved.py").exists()
    assert _save(books, tmp_path / "saved.py", "--without", "torch") == 2  # another module lacked: still an error


def test_the_package_s_submodules_are_all_known_to_its_getattr():
    import pkgutil

    import d2lhelpers

    files = {module.name for module in pkgutil.iter_modules(d2lhelpers.__path__)} - {"__main__"}
    assert d2lhelpers._SUBMODULES == files
