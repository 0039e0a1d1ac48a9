"""d2lhelpers: the helpers of the calculus and autograd notebooks, a light drop-in for d2l.

Use it as ``import d2lhelpers as d2l``; then ``d2l.plot``, ``d2l.set_axes``,
``d2l.set_figsize``, ``d2l.use_svg_display`` and ``d2l.plt`` behave as in
``from d2l import torch as d2l`` (d2l 1.0.3), without its pinned numpy and its
torchvision, pandas, scipy and requests imports.

The helpers are written in the notebooks and marked ``# @save``; ``python -m
d2lhelpers save`` copies them into the generated module ``d2lhelpers.saved``.
That module is loaded on first use of a helper, so ``python -m d2lhelpers save``
still runs when the generated module is missing or broken.

In IPython, importing the package shortens tracebacks to the notebook's own
lines and the message (``d2l.short_tracebacks(False)`` restores IPython's
full ones; see ``d2lhelpers.tracebacks``). It also hides one warning that is not about the student's
code: torch 2.14 deprecated ``torch.jit.script`` and warns the first time its own
``torch.func`` and forward-mode internals use it.
"""

import importlib
import warnings

warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated", category=FutureWarning,
                        module=r"torch\.jit")

__version__ = "0.1.0"

_SUBMODULES = {"atomic", "decks", "editions", "extract", "graph_drawing", "handout", "lecture", "plotting", "saved", "tracebacks"}  # modules, never looked up in saved


from . import lecture  # noqa: E402  (light: imports matplotlib only when used)
from .lecture import lecture_mode as lecture_mode  # noqa: E402  (exported: see _OWN_EXPORTS)
from .tracebacks import short_tracebacks  # noqa: E402  (in IPython: a notebook's own lines, not torch's)

# __all__, what `from d2lhelpers import *` gives, is these plus the helpers of d2lhelpers.saved:
# __getattr__ below computes it on first use, so that importing the package stays light. The
# modules the helpers use (np, torch, plt, ...) are attributes, as in d2l (d2l.plt), not exports.
_OWN_EXPORTS = ["lecture_mode", "short_tracebacks"]


def _saved():
    return importlib.import_module(".saved", __name__)


def __getattr__(name):
    if name == "__all__":
        return _OWN_EXPORTS + [helper for helper in _saved().__all__ if helper not in _OWN_EXPORTS]
    if name.startswith("__") or name in _SUBMODULES:
        raise AttributeError(f"module 'd2lhelpers' has no attribute {name!r}")
    saved = _saved()
    try:
        return getattr(saved, name)
    except AttributeError:
        raise AttributeError(f"module 'd2lhelpers' has no attribute {name!r}") from None


lecture.from_environment()  # D2LHELPERS_LECTURE=1: lecture mode for every notebook
short_tracebacks()  # errors show the cell's line and the message; d2l.short_tracebacks(False) undoes it


def __dir__():
    return sorted(set(globals()) | set(_saved().__all__))
