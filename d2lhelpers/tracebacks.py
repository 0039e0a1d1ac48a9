"""Short tracebacks in notebooks: the student's own lines and the error message.

An error raised inside torch shows, by default, 40 to 50 lines of torch's own
frames (with the paths of this machine's site-packages) above the one line that
matters. In a notebook that imports ``d2lhelpers``, a traceback keeps only the
frames of notebook cells (``Cell In[3], line 2``) and then the message, for
every error, also when a student re-runs the cell. Frames of files (torch,
numpy, matplotlib, d2lhelpers itself) are dropped, and so are the paths that
come with them.

``d2l.short_tracebacks(False)`` gives IPython's full tracebacks back;
``d2l.short_tracebacks()`` turns them on again. Outside IPython this does
nothing.
"""

from __future__ import annotations

import sys
import types

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


def cell_frames_only(shell, tb):
    """A traceback with only the frames of notebook cells, or ``tb`` itself if it has none."""
    kept = []
    while tb is not None:
        if _is_cell(shell, tb.tb_frame.f_code.co_filename):
            kept.append(tb)
        tb = tb.tb_next
    if not kept:
        return None
    shortened = None
    for frame in reversed(kept):
        shortened = types.TracebackType(shortened, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    return shortened


def _shorten_chain(shell, error: BaseException) -> None:
    """Shorten the tracebacks of the error and of the errors it was raised from."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        short = cell_frames_only(shell, error.__traceback__)
        if short is not None:
            error.__traceback__ = short
        error = error.__cause__ or error.__context__


def _show_short_traceback(shell, etype, value, tb, tb_offset=None):
    short = cell_frames_only(shell, tb)
    if short is None:  # the error did not pass through a cell: show it whole
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    _shorten_chain(shell, value)  # the error itself, then those it was raised from
    shell.showtraceback((etype, value, value.__traceback__), tb_offset=0)
    return None  # IPython's run_code ignores the value; showtraceback displayed it


def short_tracebacks(on: bool = True) -> None:
    """Show only the notebook's own frames in tracebacks (on=True), or IPython's full ones."""
    global _installed
    shell = _shell()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return
    if on:
        shell.set_custom_exc((Exception,), _show_short_traceback)
    elif _installed:
        shell.set_custom_exc((), None)
    _installed = on
