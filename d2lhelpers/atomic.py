"""The one file writer of the project: every notebook and generated file is written atomically.

    from d2lhelpers.atomic import write_atomically
    write_atomically(path, text, inputs=[the files this text was made from])

``python -m d2lhelpers save`` and ``handout``, and every tool in ``tools/`` (through
``tools/notebook_files.py`` and ``tools/execute_notebooks.py``), write through it; nothing else
in the project opens a file for writing. How it writes, as git, pip and editors do:

1. the text goes to a new temporary file in the target's own folder, with a random hidden name
   (``.NAME.XXXXXXXX.tmp``, created with O_EXCL, so never through a link planted there);
2. it is flushed and fsynced, and gets the mode of the file it replaces (the umask's for a new file);
3. ``os.replace`` renames it over the target, which is atomic on POSIX and on Windows, and the
   folder is fsynced (where the system allows it) so that the rename itself survives a crash.

So a full disk, a file-size limit, a crash or a kill at any moment leaves the old file or the new
one, never half of one. On any error the temporary file is removed, the target is untouched, and
:class:`WriteError` says in one line what failed and where (the commands print it and exit 2).

Before writing anything it refuses (``check_target``, also usable on its own to check every
target before the first write):

- a target that exists and is not a regular file: a folder, a device such as ``/dev/null``, a
  FIFO or a socket (a rename would replace the device node with a file);
- a target that is one of ``inputs``, compared as files with ``os.path.samefile`` (the same
  device and inode), not as path strings: a hard link, a bind mount, a symbolic link or a
  case-insensitive file system cannot disguise a source as an output;
- a symbolic link, unless the caller says what to do with it: ``links="replace"`` replaces the
  link itself and leaves the file it points to alone; ``links="follow"`` writes the file it
  points to, which must pass the same checks (a tool rewriting a notebook that is a link).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

LINK_POLICIES = ("refuse", "replace", "follow")
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"))


class WriteError(Exception):
    """A file cannot be written, or must not be; the message names it and says why, in one line."""


def new_file_mode() -> int:
    """The mode a new file gets from the umask (0o666 & ~umask), as ``open`` would give it."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _same_file(first: Path, second: Path) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist (or cannot be reached): not the same file
        return False


def check_target(path: Path | str, inputs: Iterable[Path | str] = (), links: str = "refuse") -> Path:
    """The file that writing ``path`` would replace, after the refusals above; raises WriteError.

    Returns ``path`` itself, or for ``links="follow"`` the file the link points to.
    """
    if links not in LINK_POLICIES:
        raise ValueError(f"links must be one of {LINK_POLICIES}, not {links!r}")
    path = Path(path)
    target = path
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise WriteError(f"cannot write {path}: {error.strerror or error}") from None
    if info is not None and stat.S_ISLNK(info.st_mode):
        pointed = os.readlink(path)
        if links == "refuse":
            raise WriteError(f"{path} is a symbolic link (to {pointed}), not a file; remove the link, "
                             f"or name the file itself")
        if links == "follow":
            target = Path(os.path.realpath(path))
            if not target.exists():
                raise WriteError(f"{path} is a symbolic link to {pointed}, which does not exist (or is a loop)")
            info = os.lstat(target)
        else:
            info = None  # the link itself is replaced: nothing it points to is touched
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise WriteError(f"refusing to write {path}: it is {_kind(info.st_mode)}, not a regular file")
    for source in inputs:
        if _same_file(path, Path(source)):
            raise WriteError(f"refusing to write {path}: it is, or links to, {source}, one of the files being "
                             "read (the same file, whatever the path says)")
    return target


def write_atomically(path: Path | str, text: str, *, inputs: Iterable[Path | str] = (), links: str = "refuse",
                     mode: int | None = None) -> Path:
    """Write ``text`` (UTF-8, line endings as given) to ``path`` atomically; returns the file written.

    ``inputs``: files the text was made from, never to be overwritten. ``links``: what to do when
    ``path`` is a symbolic link ("refuse", "replace" or "follow"). ``mode``: the new file's mode
    (default: the replaced file's, or the umask's). Raises WriteError, the target untouched.
    """
    path = Path(path)
    target = check_target(path, inputs, links)
    if mode is None:
        try:
            info = os.lstat(target)
            mode = stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else new_file_mode()
        except FileNotFoundError:
            mode = new_file_mode()
        except OSError as error:
            raise WriteError(f"cannot write {path}: {error.strerror or error}") from None
    data = text.encode("utf-8")  # bytes: no newline translation on Windows, LF stays LF
    folder = target.parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise WriteError(f"cannot write into {folder}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise WriteError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    _sync_folder(folder)
    return target


def _sync_folder(folder: Path) -> None:
    """Make the rename durable: fsync the folder that holds it (POSIX; Windows cannot open a folder)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
