"""Short tracebacks in notebooks: the student's own lines and the error message.

An error raised inside torch shows, by default, 40 to 50 lines of torch's own
frames (with the paths of this machine's site-packages) above the one line that
matters. In a notebook that imports ``d2lhelpers``, a traceback keeps only the
student's own frames, then the message, for every error, also when a student
re-runs the cell. The student's own frames are those of notebook cells
(``Cell In[3], line 2``) and of the student's own files: any Python file outside
the standard library, every site-packages (or dist-packages) folder and
d2lhelpers itself, such as a ``mymodule.py`` next to the notebook. Frames of
torch, numpy, matplotlib, IPython and d2lhelpers are dropped, with their paths.

Only what is shown is shortened. ``%debug`` (and ``%pdb``) get the whole
traceback: ``sys.last_traceback``, ``sys.last_value`` (``sys.last_exc``) and the
error's ``__traceback__`` keep every frame, library frames included, so the
debugger can step into any of them.

``d2l.short_tracebacks(False)`` gives IPython's full tracebacks back;
``d2l.short_tracebacks()`` turns them on again. Outside IPython this does
nothing.
"""

from __future__ import annotations

import os
import sys
import types
from functools import lru_cache

_installed = False


def _shell():
    """The running IPython shell, if any: a kernel has imported IPython long before any cell runs."""
    if "IPython" not in sys.modules:  # plain Python: nothing to shorten, and no IPython to import
        return None
    return sys.modules["IPython"].get_ipython()


def _is_cell(shell, filename: str) -> bool:
    """A frame of code a notebook cell ran (IPython names it ``Cell In[n]``)."""
    format_code_name = getattr(shell.compile, "format_code_name", None)  # IPython >= 8
    return format_code_name is not None and format_code_name(filename) is not None


@lru_cache(maxsize=1)
def _library_folders() -> tuple[str, ...]:
    """Folders whose files are not the student's: the standard library, every site-packages, d2lhelpers."""
    import site
    import sysconfig

    folders = {os.path.dirname(os.__file__), os.path.dirname(os.path.abspath(__file__))}
    paths = sysconfig.get_paths()
    folders |= {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths}
    try:
        folders |= set(site.getsitepackages()) | {site.getusersitepackages()}
    except AttributeError:  # pragma: no cover - a virtualenv's old site.py
        pass
    return tuple(sorted({os.path.join(os.path.realpath(folder), "") for folder in folders if folder}))


@lru_cache(maxsize=512)
def _is_library_file(filename: str) -> bool:
    if filename.startswith("<"):  # <frozen importlib._bootstrap>, <string> (exec), <__array_function__ internals>
        return True
    path = os.path.realpath(filename)
    parts = set(path.split(os.sep))
    return "site-packages" in parts or "dist-packages" in parts or path.startswith(_library_folders())


def is_students_frame(shell, filename: str) -> bool:
    """A notebook cell's frame, or one of a file of the student's own (not a library's)."""
    return _is_cell(shell, filename) or not _is_library_file(filename)


def cell_frames_only(shell, tb):
    """A traceback with only the student's frames (cells and own files), or None if it has no cell frame."""
    kept = []
    while tb is not None:
        if is_students_frame(shell, tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    if not any(_is_cell(shell, frame.tb_frame.f_code.co_filename) for frame in kept):
        return None
    shortened = None
    for frame in reversed(kept):
        shortened = types.TracebackType(shortened, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return shortened


def _shorten_chain(shell, error: BaseException) -> list[tuple[BaseException, object]]:
    """Shorten the tracebacks of the error and of the errors it was raised from; returns what to put back."""
    seen, originals = set(), []
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        short = cell_frames_only(shell, error.__traceback__)
        if short is not None:
            originals.append((error, error.__traceback__))
            error.__traceback__ = short
        error = error.__cause__ or error.__context__
    return originals


def _show_short_traceback(shell, etype, value, tb, tb_offset=None):
    short = cell_frames_only(shell, tb)
    if short is None:  # the error did not pass through a cell: show it whole
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    originals = _shorten_chain(shell, value)  # the error itself, then those it was raised from
    call_pdb = shell.call_pdb
    shell.call_pdb = False  # %pdb: the debugger starts below, on the whole traceback
    try:
        shell.showtraceback((etype, value, value.__traceback__), tb_offset=0)
    finally:
        shell.call_pdb = call_pdb
        for error, original in originals:  # what %debug walks: every frame, as if we were not here
            error.__traceback__ = original
        sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb
        if sys.version_info >= (3, 12):
            sys.last_exc = value
        shell.InteractiveTB.tb = tb
    if call_pdb:
        shell.debugger(force=True)
    return None  # IPython's run_code ignores the value; showtraceback displayed it


def short_tracebacks(on: bool = True) -> None:
    """Show only the student's own frames in tracebacks (on=True), or IPython's full ones."""
    global _installed
    shell = _shell()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return
    if on:
        shell.set_custom_exc((Exception,), _show_short_traceback)
    elif _installed:
        shell.set_custom_exc((), None)
    _installed = on
