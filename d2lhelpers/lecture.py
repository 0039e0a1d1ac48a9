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
"""

from __future__ import annotations

import os
from pathlib import Path

STYLE = Path(__file__).with_name("lecture.mplstyle")
FIGSIZE_SCALE = 1.8  # d2l's 3.5 x 2.5 inch figures become 6.3 x 4.5
MAX_WIDTH = 8.0  # inches (768 px): with a legend beside the axes it still fits the notebook column
ENVIRONMENT_VARIABLE = "D2LHELPERS_LECTURE"

_figure_scale = 1.0
_replaced: dict | None = None  # the settings lecture mode replaced, to put back
_pyplot_figure = None  # matplotlib.pyplot.figure as it was before lecture mode wrapped it


def _scale_explicit_figsize(on: bool) -> None:
    """Wrap ``pyplot.figure`` (which ``subplots`` and friends call) to enlarge a given figsize."""
    global _pyplot_figure
    import matplotlib.pyplot as plt

    if on and _pyplot_figure is None:
        original = plt.figure

        def figure(*args, **kwargs):
            if len(args) >= 2 and "figsize" not in kwargs:  # figure(num, figsize, ...)
                kwargs["figsize"], args = args[1], args[:1] + args[2:]
            if kwargs.get("figsize") is not None:
                kwargs["figsize"] = scaled(kwargs["figsize"])
            return original(*args, **kwargs)

        figure.__wrapped__ = original
        figure.__doc__ = original.__doc__
        plt.figure, _pyplot_figure = figure, original
    elif not on and _pyplot_figure is not None:
        plt.figure, _pyplot_figure = _pyplot_figure, None


def scaled(figsize) -> tuple[float, float]:
    """A figure size as lecture mode draws it: FIGSIZE_SCALE larger, but at most MAX_WIDTH wide.

    Outside lecture mode the size is unchanged; a figure already wider than MAX_WIDTH is
    never made smaller.
    """
    width, height = figsize
    if _figure_scale == 1.0:
        return (width, height)
    scale = max(1.0, min(_figure_scale, MAX_WIDTH / width)) if width > 0 else _figure_scale
    return (width * scale, height * scale)


def lecture_mode(on: bool = True) -> None:
    """Make every later figure projector-readable (on=True), or undo it (on=False).

    Larger figures, text of at least 14 pt, thicker lines. Turning it on twice
    is harmless; turning it off restores the settings from before it was on.
    """
    global _figure_scale, _replaced
    import matplotlib as mpl

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
