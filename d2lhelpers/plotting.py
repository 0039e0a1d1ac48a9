"""What the plotting helpers of notebook 01 call to be robust; the lesson keeps d2l's code.

``use_svg_display``, ``set_figsize``, ``set_axes`` and ``plot`` are written in
``notebooks/en/01-calculus.ipynb`` with d2l 1.0.3's names and signatures, and saved
into ``d2lhelpers.saved``. They stay as short as d2l's because the work that only
makes them robust lives here:

- **Inputs** (``curves``). d2l's ``plot`` calls ``numpy`` on what it is given, so it
  fails on a tensor that requires grad ("Can't call numpy() on Tensor that requires
  grad") or lives on a GPU, reads a generator or a ``range`` as many one-point series,
  and draws a list of 0-d tensors as one-point lines. Here every series becomes a
  NumPy array: a tensor is detached and copied to the CPU (bfloat16 and float8, which
  NumPy cannot hold, become float32; complex32 becomes complex64), a list of 0-d
  tensors becomes one array, and a generator is read once. One series or a list of
  series is told apart as d2l does (``X.ndim == 1``, or a list whose first entry is a
  number); a list of strings stays one series (matplotlib draws it as categories).
- **Argument checks**. A wrong argument is one line naming it (``ValueError`` or
  ``TypeError``), raised before anything is drawn, instead of an error from deep inside
  matplotlib or torch: ``None``, a ``str``, a ``dict`` or a ``set`` where a series
  belongs, a single number (a 0-d tensor or array), x- and y-series that do not pair
  up, an empty or non-string ``fmts``, an ``axes`` that is not a matplotlib ``Axes``,
  an ``xlim`` or ``ylim`` that is not a pair, a ``legend`` that is not a list of labels,
  and a ``figsize`` that is not a pair or is too large to draw.
- **Figures that reproduce** (``set_matplotlib_formats``). In IPython each figure is
  stored as an SVG plus a PNG copy at twice the resolution ("retina"). JupyterLab
  shows no SVG from a notebook it does not trust, which every fresh clone is, and then
  shows the PNG, so a student sees every figure without re-running anything. The SVG
  has fixed ids (``svg.hashsalt``) and no date, so re-running a notebook reproduces it
  byte for byte, and the test suite compares the stored figures with the new ones.
- **Lecture mode** (``figure_size``): ``d2l.lecture_mode()`` enlarges every figure
  size given to ``set_figsize`` (``d2lhelpers.lecture.scaled``).
"""

from __future__ import annotations

import collections.abc
import sys

import numpy as np
import torch
from matplotlib import pyplot as plt
from matplotlib.axes import Axes

from d2lhelpers import lecture

SVG_ID_SALT = "d2lhelpers"  # any fixed string: the same ids in every run
MAX_PIXELS = 2 ** 23  # matplotlib's Agg renderer draws images narrower than this, in each direction
PNG_RESOLUTION = 2  # the 'retina' PNG copy has twice the figure's dots per inch
NOT_A_SERIES = (str, bytes, dict, set, frozenset)  # iterable, but not a series of values
NUMPY_CANNOT_HOLD = {torch.bfloat16: torch.float32, torch.complex32: torch.complex64}


def set_matplotlib_formats(*formats) -> None:
    """In IPython, show figures in these formats plus a PNG copy, with fixed SVG ids and no date.

    Outside IPython (a plain script) only the id salt is set: there is no display to
    configure, and IPython is never imported for it.
    """
    plt.rcParams["svg.hashsalt"] = SVG_ID_SALT
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    if get_ipython() is None:
        return
    from matplotlib_inline import backend_inline

    backend_inline.set_matplotlib_formats(*formats, "retina", metadata={"Date": None})


def figure_size(figsize) -> list:
    """The value of rcParams['figure.figsize'] for a figsize given to set_figsize.

    It is enlarged in lecture mode (``d2l.lecture_mode()``), and must be drawable.
    """
    if not isinstance(figsize, collections.abc.Iterable):
        raise TypeError(f"set_figsize: figsize must be (width, height) in inches, got {figsize!r}")
    width, height = lecture.scaled(figsize)
    pixels_per_inch = PNG_RESOLUTION * plt.rcParams["figure.dpi"]
    try:
        too_large = max(width, height) * pixels_per_inch >= MAX_PIXELS
    except TypeError:  # not numbers: matplotlib's own message names the key and the value
        too_large = False
    if too_large:
        raise ValueError(f"set_figsize: figsize ({width:g}, {height:g}) is too large to draw: at most "
                         f"{MAX_PIXELS / pixels_per_inch:g} inches a side at {pixels_per_inch:g} dots per inch")
    return [width, height]


def check_axes(caller: str, axes, xlim, ylim, legend) -> None:
    """Raise a one-line error naming the argument when axes, xlim, ylim or legend cannot work.

    caller ('plot' or 'set_axes') starts the message; plot accepts axes=None (the current Axes).
    """
    if not isinstance(axes, Axes) and not (caller == "plot" and axes is None):
        allowed = "a matplotlib Axes or None" if caller == "plot" else "a matplotlib Axes"
        raise TypeError(f"{caller}: axes must be {allowed} (e.g. from plt.subplots()), "
                        f"got {type(axes).__name__}")
    for name, limits in (("xlim", xlim), ("ylim", ylim)):
        if limits is None:
            continue
        if isinstance(limits, NOT_A_SERIES) or not isinstance(limits, collections.abc.Sized):
            raise TypeError(f"{caller}: {name} must be None or (low, high), got {limits!r}")
        if len(limits) != 2:
            raise ValueError(f"{caller}: {name} must be None or (low, high), got {len(limits)} values")
    if legend and (isinstance(legend, (dict, set, frozenset))
                   or not isinstance(legend, collections.abc.Iterable)):
        raise TypeError(f"{caller}: legend must be a list of labels, one per curve, "
                        f"got {type(legend).__name__}")


def curves(X, Y, fmts) -> list[tuple]:
    """The curves plot draws: a list of (x, y, fmt), NumPy arrays, x None for y against its index.

    X, Y: one series (1-D tensor, array, list, tuple, range or generator of values) or a
    list/tuple of series; one x-series is shared by all y-series. With Y=None the series
    in X are the y-values. The formats in fmts are used in turn, and repeat.
    """
    X = _series_list(X, "X")
    if Y is None:
        X, Y = [None] * len(X), X
    else:
        Y = _series_list(Y, "Y")
        if len(X) == 1:
            X = X * len(Y)
        elif len(X) != len(Y):
            raise ValueError(f"plot: got {len(X)} x-series for {len(Y)} y-series; "
                             "pass one x-series, or one for each y-series")
    fmts = _line_formats(fmts)
    drawn = []
    for i, (x, y) in enumerate(zip(X, Y)):
        if x is not None and len(x) != len(y):
            raise ValueError(f"plot: series {i} has {len(x)} x-values but {len(y)} y-values")
        drawn.append((x, y, fmts[i % len(fmts)]))
    return drawn


def _series_list(data, name: str) -> list:
    """data (the X or the Y of plot) as a list of series, each a NumPy array."""
    _check_series(data, name)
    if not hasattr(data, "__len__"):  # a generator: read it once
        data = list(data)
    if _is_one_series(data):
        return [_as_array(data)]
    return [_as_array(_check_series(series, f"{name}[{i}]")) for i, series in enumerate(data)]


def _check_series(data, name: str):
    if data is None:
        raise TypeError(f"plot: {name} is None; pass the values to draw (a list, array or tensor)")
    if isinstance(data, NOT_A_SERIES):
        hint = f", e.g. list({name}.values())" if isinstance(data, dict) else ""
        raise TypeError(f"plot: {name} is a {type(data).__name__}, not a series of values; "
                        f"pass a list, array or tensor{hint}")
    ndim = getattr(data, "ndim", None)
    if ndim == 0 or (ndim is None and not isinstance(data, collections.abc.Iterable)):
        raise ValueError(f"plot: {name} is a single number ({type(data).__name__}); "
                         "pass a series of values, e.g. a 1-D tensor or a list")
    return data


def _is_one_series(data) -> bool:
    """d2l's has_one_axis: a 1-D tensor or array, or a list/tuple/range of numbers, is one series."""
    if hasattr(data, "ndim"):
        return data.ndim == 1
    if not isinstance(data, (list, tuple, range)) or len(data) == 0:
        return False
    first = data[0]
    if hasattr(first, "ndim"):
        return first.ndim == 0  # e.g. a list of 0-d tensors, one loss per step
    return isinstance(first, str) or not hasattr(first, "__len__")


def _as_array(series) -> np.ndarray:
    if isinstance(series, torch.Tensor):
        series = series.detach()  # it may require grad
        if series.dtype in NUMPY_CANNOT_HOLD or (series.dtype.is_floating_point and series.element_size() == 1):
            series = series.to(NUMPY_CANNOT_HOLD.get(series.dtype, torch.float32))
        return series.cpu().numpy()  # it may live on a GPU
    if isinstance(series, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in series):
        return np.array([_as_array(v) for v in series])  # e.g. a list of 0-d tensors
    return np.asarray(series)


def _line_formats(fmts) -> tuple:
    if isinstance(fmts, str):
        return (fmts,)
    if not isinstance(fmts, collections.abc.Iterable):
        raise TypeError(f"plot: fmts must be a line format such as 'r:' or a list of them, got {fmts!r}")
    fmts = tuple(fmts)
    if not fmts:
        raise ValueError("plot: fmts is empty; give at least one line format, e.g. fmts=('-',)")
    return fmts
