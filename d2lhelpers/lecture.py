"""Lecture mode: switch every later figure to projector-readable settings.

``d2l.lecture_mode()`` turns it on, ``d2l.lecture_mode(False)`` restores what was
there before; ``D2LHELPERS_LECTURE=1`` in the environment turns it on when
``d2lhelpers`` is imported, so an instructor changes no notebook. The settings
are the matplotlib style ``d2lhelpers/lecture.mplstyle`` (also usable as
``plt.style.use("d2lhelpers.lecture")``) plus larger figures: ``d2l.plot`` sets its
size on every call (``set_figsize``), and a figure size given explicitly, as in
``plt.subplots(1, 2, figsize=(7, 3))`` or ``plt.figure(figsize=...)``, is
enlarged by the same factor, so that the figure grows with its text, up to
MAX_WIDTH inches across: JupyterLab's notebook column then shows it whole,
with a legend beside the axes, on a 1280-pixel projector.

A figure size with a unit, matplotlib 3.11's ``figsize=(10, 5, "cm")``, is
enlarged the same way (and capped at MAX_WIDTH in its unit). A size lecture mode
cannot enlarge (a negative or infinite width, a string) reaches matplotlib as it
was given, so that its error shows the numbers you passed. ``scaled`` (what
``d2l.set_figsize`` calls) says in one line what a figure size must be. Reloading
this module (``%autoreload``) and turning lecture mode on again does not enlarge
figures twice.
"""

from __future__ import annotations

import math
import os
from numbers import Real
from pathlib import Path

STYLE = Path(__file__).with_name("lecture.mplstyle")
FIGSIZE_SCALE = 1.8  # d2l's 3.5 x 2.5 inch figures become 6.3 x 4.5
MAX_WIDTH = 8.0  # inches (768 px): with a legend beside the axes it still fits the notebook column
ENVIRONMENT_VARIABLE = "D2LHELPERS_LECTURE"

_figure_scale = 1.0
_replaced: dict | None = None  # the settings lecture mode replaced, to put back
_pyplot_figure = None  # matplotlib.pyplot.figure as it was before lecture mode wrapped it
UNITS = {"in": 1.0, "cm": 1 / 2.54}  # inches per unit; "px" depends on the dpi (figure.dpi)
_WRAPPER_MARK = "_d2lhelpers_lecture_wrapper"  # on our pyplot.figure wrapper, so that a reloaded module finds it


def _scale_explicit_figsize(on: bool) -> None:
    """Wrap ``pyplot.figure`` (which ``subplots`` and friends call) to enlarge a given figsize."""
    global _pyplot_figure
    import matplotlib.pyplot as plt

    if _pyplot_figure is None and getattr(plt.figure, _WRAPPER_MARK, False):
        _pyplot_figure = plt.figure.__wrapped__  # wrapped by this module before a reload (%autoreload)
    if on and _pyplot_figure is None:
        original = plt.figure

        def figure(*args, **kwargs):
            if len(args) >= 2 and "figsize" not in kwargs:  # figure(num, figsize, ...)
                kwargs["figsize"], args = args[1], args[:1] + args[2:]
            if kwargs.get("figsize") is not None:
                try:
                    kwargs["figsize"] = scaled(kwargs["figsize"])
                except ValueError:  # not a size lecture mode can enlarge: matplotlib says what is wrong with it
                    pass
            return original(*args, **kwargs)

        figure.__wrapped__ = original
        figure.__doc__ = original.__doc__
        setattr(figure, _WRAPPER_MARK, True)
        figure._d2lhelpers_replaced = _replaced  # what lecture_mode(False) puts back, also after a reload
        plt.figure, _pyplot_figure = figure, original
    elif not on and _pyplot_figure is not None:
        plt.figure, _pyplot_figure = _pyplot_figure, None


def _inches_per_unit(unit: str) -> float:
    if unit == "px":
        import matplotlib as mpl

        return 1.0 / float(mpl.rcParams["figure.dpi"])
    return UNITS[unit]


def scaled(figsize) -> tuple:
    """A figure size as lecture mode draws it: FIGSIZE_SCALE larger, but at most MAX_WIDTH wide.

    ``figsize`` is ``(width, height)`` in inches, or ``(width, height, unit)`` with unit "in",
    "cm" or "px" (matplotlib 3.11); the result has the same form. Outside lecture mode the
    size is unchanged; a figure already wider than MAX_WIDTH is never made smaller; a width
    or height that is not a positive finite number is returned as given, for matplotlib to
    report. Anything else is a ValueError saying what a figure size is.
    """
    try:
        parts = tuple(figsize)
    except TypeError:
        parts = None
    unit = None
    if parts is not None and len(parts) == 3 and isinstance(parts[2], str) and parts[2] in ("in", "cm", "px"):
        parts, unit = parts[:2], parts[2]
    if parts is None or len(parts) != 2 or isinstance(figsize, str) or \
            not all(isinstance(value, Real) and not isinstance(value, bool) for value in parts):
        raise ValueError(f"figsize must be (width, height) in inches, or (width, height, unit) with unit 'in', "
                         f"'cm' or 'px'; got {figsize!r}")
    width, height = parts
    tail = (unit,) if unit else ()
    if _figure_scale == 1.0 or not all(math.isfinite(value) and value > 0 for value in parts):
        return (width, height, *tail)
    width_inches = width * _inches_per_unit(unit or "in")
    scale = max(1.0, min(_figure_scale, MAX_WIDTH / width_inches))
    return (width * scale, height * scale, *tail)


def lecture_mode(on: bool = True) -> None:
    """Make every later figure projector-readable (on=True), or undo it (on=False).

    Larger figures, text of at least 14 pt, thicker lines. Turning it on twice
    is harmless; turning it off restores the settings from before it was on.
    """
    global _figure_scale, _replaced
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    if _replaced is None and getattr(plt.figure, _WRAPPER_MARK, False):  # this module was reloaded while on
        _replaced = plt.figure._d2lhelpers_replaced
    if on:
        style = mpl.rc_params_from_file(str(STYLE), use_default_template=False)
        if _replaced is None:
            _replaced = {key: mpl.rcParams[key] for key in style}
        mpl.rcParams.update(style)
        _figure_scale = FIGSIZE_SCALE
        _scale_explicit_figsize(True)
    else:
        if _replaced is not None:
            mpl.rcParams.update(_replaced)
            _replaced = None
        _figure_scale = 1.0
        _scale_explicit_figsize(False)


def from_environment() -> None:
    """Turn lecture mode on when D2LHELPERS_LECTURE is set to anything but '', '0' or 'false'."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower()
    if value not in ("", "0", "false", "no", "off"):
        lecture_mode(True)
