"""The one writer of every notebook and generated file (d2lhelpers/atomic.py)."""

import os
import stat
import sys

import pytest

from d2lhelpers import atomic
from d2lhelpers.atomic import WriteError, check_target, write_atomically

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="modes, links, FIFOs and devices: POSIX")


def test_writes_the_text_as_utf8_bytes_with_lf(tmp_path):
    path = tmp_path / "a.txt"
    assert write_atomically(path, "one\ntwo — 三\n") == path
    assert path.read_bytes() == "one\ntwo — 三\n".encode("utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@posix_only
def test_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "a.txt"
    write_atomically(path, "one")
    assert stat.S_IMODE(path.stat().st_mode) == atomic.new_file_mode()
    path.chmod(0o640)
    write_atomically(path, "two")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640 and path.read_text() == "two"


@pytest.mark.parametrize("failing", ["fsync", "replace", "write"])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, failing):
    path = tmp_path / "a.txt"
    path.write_text("old")

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if failing == "write":
        real = os.fdopen

        class Full:
            def __init__(self, stream):
                self.stream = stream

            def __enter__(self):
                return self

            def __exit__(self, *args):
                self.stream.close()

            def write(self, data):
                self.stream.write(data[:10])
                disk_full()

        monkeypatch.setattr(os, "fdopen", lambda *args, **kwargs: Full(real(*args, **kwargs)))
    else:
        monkeypatch.setattr(os, failing, disk_full)
    with pytest.raises(WriteError, match=r"cannot write .*a\.txt: No space left on device"):
        write_atomically(path, "new" * 1000)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_an_interrupt_removes_the_temporary_file_and_goes_on(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    path.write_text("old")

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_refuses_a_folder(tmp_path):
    (tmp_path / "a.ipynb").mkdir()
    with pytest.raises(WriteError, match="it is a folder, not a regular file"):
        write_atomically(tmp_path / "a.ipynb", "x")


@posix_only
def test_refuses_a_fifo_and_a_device(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(WriteError, match=r"a FIFO \(named pipe\), not a regular file"):
        write_atomically(tmp_path / "fifo", "x")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)
    with pytest.raises(WriteError, match="a character device, not a regular file"):
        check_target("/dev/null")


@posix_only
def test_refuses_one_of_its_inputs_whatever_the_path_says(tmp_path):
    source = tmp_path / "source.ipynb"
    source.write_text("precious")
    os.link(source, tmp_path / "hard.ipynb")
    (tmp_path / "soft.ipynb").symlink_to(source)
    for path in (source, tmp_path / "hard.ipynb", tmp_path / "." / "source.ipynb"):
        with pytest.raises(WriteError, match="one of the files being read"):
            write_atomically(path, "x", inputs=[source])
    with pytest.raises(WriteError, match="one of the files being read"):
        write_atomically(tmp_path / "soft.ipynb", "x", inputs=[source], links="replace")
    assert source.read_text() == "precious"
    write_atomically(tmp_path / "other.ipynb", "x", inputs=[source, tmp_path / "missing.ipynb"])


@posix_only
def test_symbolic_links_are_refused_replaced_or_followed_as_asked(tmp_path):
    target = tmp_path / "target.txt"
    target.write_text("target")
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    with pytest.raises(WriteError, match=r"link\.txt is a symbolic link \(to .*target\.txt\), not a file"):
        write_atomically(link, "x")
    assert write_atomically(link, "followed", links="follow") == target
    assert link.is_symlink() and target.read_text() == "followed"
    write_atomically(link, "replaced", links="replace")
    assert not link.is_symlink() and link.read_text() == "replaced" and target.read_text() == "followed"
    dangling = tmp_path / "dangling.txt"
    dangling.symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(WriteError, match="which does not exist"):
        write_atomically(dangling, "x", links="follow")
    assert not (tmp_path / "nowhere.txt").exists()


def test_a_folder_that_cannot_be_written_is_one_line(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
    with pytest.raises(WriteError, match="cannot write into .*: Permission denied"):
        write_atomically(tmp_path / "a.txt", "x")
