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


def test_every_tool_write_says_newline():
    """A text write without newline= writes CRLF on Windows."""
    for name in ("tools/notebook_files.py", "d2lhelpers/extract.py"):
        source = (ROOT / name).read_text()
        writes = source.count("write_text(") + source.count("os.fdopen(")
        assert writes and source.count('newline="\\n"') >= writes, name
    handout = (ROOT / "d2lhelpers" / "handout.py").read_text()
    assert "write_text(" not in handout and "write_atomically(" in handout, "handout writes through extract"
