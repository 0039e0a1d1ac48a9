"""Every tool writes LF line endings, on every system, and turns CRLF notebooks back into LF."""

import sys

import nbformat

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import notebook_files  # noqa: E402


def test_rewrite_turns_a_crlf_notebook_into_lf(tmp_path):
    path = tmp_path / "01-x.ipynb"
    text = nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T")])) + "\n"
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))  # as a Windows checkout without .gitattributes
    assert notebook_files.rewrite([path], lambda _, notebook: notebook, check=True) == [path]
    notebook_files.rewrite([path], lambda _, notebook: notebook, check=False)
    assert path.read_bytes() == text.encode("utf-8")
    assert notebook_files.rewrite([path], lambda _, notebook: notebook, check=True) == []


def test_every_write_goes_through_the_atomic_writer():
    """One writer for every notebook and generated file (d2lhelpers/atomic.py): bytes, so LF stays LF on Windows.

    No other module of the package or the tools opens a file for writing.
    """
    import re

    writes = re.compile(r"\.write_(?:text|bytes)\(|nbformat\.write\(|json\.dump\(|open\([^)]*['\"][wax]b?['\"]|"
                        r"os\.fdopen\(")
    files = sorted((ROOT / "d2lhelpers").glob("*.py")) + sorted((ROOT / "tools").glob("*.py"))
    offenders = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in files if path.name != "atomic.py"
                 for match in writes.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders, offenders
    atomic = (ROOT / "d2lhelpers" / "atomic.py").read_text(encoding="utf-8")
    assert 'os.fdopen(handle, "wb")' in atomic and "os.fsync(" in atomic and "os.replace(" in atomic
    for name in ("d2lhelpers/extract.py", "d2lhelpers/handout.py", "tools/notebook_files.py",
                 "tools/execute_notebooks.py"):
        assert "write_atomically(" in (ROOT / name).read_text(encoding="utf-8"), name
