"""The five causes of data loss of issue 18, each reproduced the way the adversarial report did.

A. a tool that rewrites notebooks, interrupted while writing (here: a file-size limit, as
   ``ulimit -f``), left a truncated notebook; B. ``tools/navigation.py`` deleted every cell
   tagged ``navigation``; C. ``save --output <a notebook> --force`` replaced the notebook with
   Python; D. ``handout --force`` into the source folder reached by another path (a bind
   mount) deleted its solutions; E. ``save --output <a device> --force`` replaced the device.

Each test drives the commands as a user does (the command line, or the tool as a script), so
it runs as well against the code before the fix, and fails there.
"""

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap

import nbformat
import pytest

from conftest import ROOT
from in_process import run_script  # tests/in_process.py: the script as its own process runs it

from d2lhelpers.__main__ import main

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="file-size limits, devices and mounts: POSIX")
FILE_SIZE_LIMIT = 16 * 1024  # bytes a tool may write per file (ulimit -f 16): the notebooks below are larger


def big_notebook(path, *, collapsed=True, slides=True, timings=False):
    """A notebook of about 45 kB that the tools have something to do to (depending on the flags)."""
    new = nbformat.v4
    cells = [new.new_markdown_cell("# A title"), new.new_markdown_cell("Some prose.\n\n" + "More prose. " * 300),
             new.new_code_cell("print('x' * 20000)", execution_count=1,
                               outputs=[new.new_output("stream", name="stdout", text="x" * 20000 + "\n")]),
             new.new_markdown_cell("## Exercises\n\n1. Print it again."),
             new.new_code_cell("# Solution to exercise 1 (click to expand)\nprint('y' * 20000)", execution_count=2,
                               outputs=[new.new_output("stream", name="stdout", text="y" * 20000 + "\n")],
                               metadata={"tags": ["solution"]})]
    notebook = new.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    notebook.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    if collapsed:
        cells[4].metadata["jupyter"] = {"source_hidden": True, "outputs_hidden": True}
    if slides:
        import importlib

        sys.path.insert(0, str(ROOT / "tools"))
        try:
            notebook = importlib.import_module("slides").with_slides(notebook)
        finally:
            sys.path.remove(str(ROOT / "tools"))
    if timings:
        cells[2].metadata["execution"] = {"iopub.execute_input": "2026-11-21T10:00:00Z"}
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    assert path.stat().st_size > 2 * FILE_SIZE_LIMIT
    return path


def run_limited(command, cwd, env=None):
    """Run a command with writes limited to FILE_SIZE_LIMIT bytes per file (what 'ulimit -f 16' does)."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))

    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, preexec_fn=limit, env=env, timeout=600)


def assert_untouched_and_one_line(result, path, before):
    assert path.read_bytes() == before, "the notebook was changed: " + result.stderr[-400:]
    json.loads(path.read_text(encoding="utf-8"))
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0, result.stderr
    assert path.name in result.stderr, result.stderr
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert not leftovers, leftovers


# ----------------------------------------------------------------------------- A: interrupted writes

@posix_only
@pytest.mark.parametrize("tool, flags", [
    ("slides.py", {"slides": False}),           # trials W01, W02: new slide metadata to write
    ("solutions.py", {"collapsed": False}),     # trial W03: a solution to collapse
    ("clean_notebooks.py", {"timings": True}),  # trial W04: execution timings to drop
])
def test_a_tool_interrupted_while_writing_leaves_the_notebook_whole(tmp_path, tool, flags):
    path = big_notebook(tmp_path / "01-big.ipynb", **flags)
    before = path.read_bytes()
    result = run_limited([sys.executable, str(ROOT / "tools" / tool), str(path)], cwd=tmp_path)
    assert_untouched_and_one_line(result, path, before)


@pytest.fixture
def small_repository(tmp_path):
    """A copy of the tools beside a notebooks/en/ of two notebooks whose links are stale."""
    repository = tmp_path / "repository"
    shutil.copytree(ROOT / "tools", repository / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    folder = repository / "notebooks" / "en"
    folder.mkdir(parents=True)
    index = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Contents\n\n[A title](01-big.ipynb)")])
    (folder / "00-index.ipynb").write_text(nbformat.writes(index) + "\n", encoding="utf-8")
    big_notebook(folder / "01-big.ipynb")
    return repository


@posix_only
def test_navigation_interrupted_while_writing_leaves_the_notebook_whole(small_repository):
    """Trial W05."""
    path = small_repository / "notebooks" / "en" / "01-big.ipynb"
    index = small_repository / "notebooks" / "en" / "00-index.ipynb"
    before, index_before = path.read_bytes(), index.read_bytes()
    result = run_limited([sys.executable, str(small_repository / "tools" / "navigation.py")], cwd=small_repository)
    assert path.read_bytes() == before, "the notebook was truncated"
    json.loads(path.read_text(encoding="utf-8"))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "01-big.ipynb" in result.stderr, result
    assert index.read_bytes() != index_before, "the small index notebook was written (each file on its own)"


@posix_only
def test_execute_notebooks_interrupted_while_writing_leaves_the_notebook_whole(tmp_path):
    """Trial W06: the notebook executes, its outputs (60 kB) do not fit."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('z' * 60000)")])
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
    path = tmp_path / "ex.ipynb"
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    before = path.read_bytes()
    home = tmp_path / "home"  # the kernel's own small files (history, connection file) under the limit too
    env = dict(os.environ, HOME=str(home), IPYTHONDIR=str(home / ".ipython"), JUPYTER_RUNTIME_DIR=str(home / "rt"))
    result = run_limited([sys.executable, str(ROOT / "tools" / "execute_notebooks.py"), str(path)],
                         cwd=tmp_path, env=env)
    assert path.read_bytes() == before, "the notebook was truncated: " + result.stderr[-400:]
    assert result.returncode != 0 and "ex.ipynb" in result.stderr and "Traceback" not in result.stderr, result


# ----------------------------------------------------------------------------- B: foreign cells tagged navigation

def test_navigation_keeps_cells_it_did_not_write(small_repository):
    """Trial W07: a code cell and a note tagged 'navigation' used to be deleted, with exit 0."""
    path = small_repository / "notebooks" / "en" / "01-big.ipynb"
    notebook = nbformat.read(path, as_version=4)
    mine = nbformat.v4.new_code_cell("important = 42", metadata={"tags": ["navigation"]})
    notes = nbformat.v4.new_markdown_cell("My notes about this chapter.", metadata={"tags": ["navigation", "my-notes"]})
    notebook.cells[2:2] = [mine, notes]
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    result = run_script(small_repository / "tools" / "navigation.py", cwd=small_repository)  # no limit: in-process
    assert result.returncode == 0, result.stderr
    cells = nbformat.read(path, as_version=4).cells
    sources = [cell.source for cell in cells]
    assert "important = 42" in sources and "My notes about this chapter." in sources
    kept = next(cell for cell in cells if cell.source == "important = 42")
    assert kept.cell_type == "code" and kept.metadata["tags"] == ["navigation"] and kept.id == mine.id
    links = [cell for cell in cells if cell.cell_type == "markdown" and "[Contents](00-index.ipynb)" in cell.source]
    assert [cells.index(cell) for cell in links] == [0, len(cells) - 1]


# ----------------------------------------------------------------------------- C: save over a notebook

@pytest.mark.parametrize("force", [[], ["--force"]])
def test_save_never_writes_over_a_source_notebook(tmp_path, capsys, force):
    """Trial L05: 'save --output notebooks/01.ipynb --force' replaced the notebook with the module."""
    books = tmp_path / "notebooks"
    books.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def f():  # @save\n    return 1")])
    path = books / "01-calc.ipynb"
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    before = path.read_bytes()
    assert main(["save", *force, "--notebooks", str(books), "--output", str(path)]) == 2
    err = capsys.readouterr().err
    assert "01-calc.ipynb" in err and err.count("\n") == 1 and "Traceback" not in err
    assert path.read_bytes() == before


# ----------------------------------------------------------------------------- D: handout into the sources, by another path

def _can_bind_mount() -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount --bind / /mnt 2>/dev/null || mount --bind /tmp /tmp"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_bind_mount(), reason="needs Linux and an unprivileged mount namespace (unshare -rm)")
def test_handout_into_the_source_folder_through_a_bind_mount_is_refused(tmp_path):
    """Trial B01: the handouts replaced their own sources, every solution gone (paths were compared as strings)."""
    books = tmp_path / "books"
    books.mkdir()
    new = nbformat.v4
    notebook = new.new_notebook(cells=[new.new_markdown_cell("# T"), new.new_markdown_cell("## Exercises\n\n1. Add."),
                                       new.new_code_cell("2", metadata={"tags": ["solution"]})])
    path = books / "01-a.ipynb"
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    before = path.read_bytes()
    mount = tmp_path / "ho"
    mount.mkdir()
    script = textwrap.dedent(f"""\
        mount --bind {books} {mount} || exit 99
        {sys.executable} -m d2lhelpers handout {mount} --notebooks {books} --force
        """)
    result = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode != 99, result.stderr
    assert path.read_bytes() == before, "the source notebook lost its solutions"
    assert result.returncode == 2 and "refusing to write" in result.stderr, result


# ----------------------------------------------------------------------------- E: save over a device

@posix_only
def test_save_never_replaces_a_device(tmp_path, capsys):
    """Trial DV01: 'save --output fakenull --force' replaced a copy of /dev/null (c 1 3) with a file."""
    books = tmp_path / "notebooks"
    books.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("def f():  # @save\n    return 1")])
    (books / "01.ipynb").write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    device = tmp_path / "fakenull"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD)")
    for force in ([], ["--force"]):
        assert main(["save", *force, "--notebooks", str(books), "--output", str(device)]) == 2
        err = capsys.readouterr().err
        assert "fakenull" in err and err.count("\n") == 1, err
        assert stat.S_ISCHR(os.lstat(device).st_mode), "the device node was replaced by a regular file"
