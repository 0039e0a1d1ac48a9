"""Helpers saved from the notebooks in notebooks/ by their ``# @save`` marks.

GENERATED FILE, DO NOT EDIT: the notebooks are the source of truth. Change the
cell marked ``# @save`` in the notebook named in the docstring, run it, then run
``python -m d2lhelpers save``. ``python -m d2lhelpers save --check`` (part of the
test suite) fails while this file and the notebooks disagree.
"""
# d2lhelpers-save sha256=4fcf835ae13a1ca49c3988414e9ee4a7989303bc81946b9cbe56893128318648

import sys
import numpy as np
import torch
from matplotlib import pyplot as plt
from d2lhelpers import lecture


__all__ = [
    'sys',
    'np',
    'torch',
    'plt',
    'lecture',
    'use_svg_display',
    'set_figsize',
    'set_axes',
    'plot',
]


def use_svg_display():
    """Use the svg format to display a plot in Jupyter.

    A PNG copy (at twice the resolution) goes with every SVG, for JupyterLab views
    of untrusted notebooks, which show no SVG. The SVG has fixed ids and no date,
    so re-running a notebook reproduces it exactly.

    Defined in notebooks/01-calculus.ipynb, section "Plotting helpers".
    """
    plt.rcParams['svg.hashsalt'] = 'd2lhelpers'
    if 'IPython' not in sys.modules:  # a plain Python script: no notebook display
        return
    from IPython import get_ipython
    if get_ipython() is None:
        return
    from matplotlib_inline import backend_inline
    backend_inline.set_matplotlib_formats('svg', 'retina', metadata={'Date': None})


def set_figsize(figsize=(3.5, 2.5)):
    """Set the figure size for matplotlib (enlarged in lecture mode, d2l.lecture_mode()).

    Defined in notebooks/01-calculus.ipynb, section "Plotting helpers".
    """
    use_svg_display()
    plt.rcParams['figure.figsize'] = [side * lecture.figure_scale() for side in figsize]


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Set the axes for matplotlib.

    Defined in notebooks/01-calculus.ipynb, section "Plotting helpers".
    """
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_xscale(xscale)
    axes.set_yscale(yscale)
    axes.set_xlim(xlim)
    axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def plot(X, Y=None, xlabel=None, ylabel=None, legend=None, xlim=None,
         ylim=None, xscale='linear', yscale='linear',
         fmts=('-', 'm--', 'g-.', 'r:'), figsize=(3.5, 2.5), axes=None):
    """Plot data points.

    X, Y: one series (1-D tensor, array or list) or a list/tuple of series.
    With Y=None the series in X are the y-values, drawn against their index.
    Line formats in fmts are used in turn and repeat when there are more series.

    Defined in notebooks/01-calculus.ipynb, section "Plotting helpers".
    """
    def has_one_axis(data):  # a single series rather than a collection of them
        if hasattr(data, 'ndim'):
            return data.ndim == 1
        return (isinstance(data, (list, tuple)) and len(data) > 0
                and not hasattr(data[0], '__len__'))

    def as_array(series):  # tensors may require grad or live on a GPU
        if isinstance(series, torch.Tensor):
            return series.detach().cpu().numpy()
        return np.asarray(series)

    X = [X] if has_one_axis(X) else list(X)
    if Y is None:
        X, Y = [None] * len(X), X
    else:
        Y = [Y] if has_one_axis(Y) else list(Y)
        if len(X) == 1:
            X = X * len(Y)
        elif len(X) != len(Y):
            raise ValueError(f'plot: got {len(X)} x-series for {len(Y)} y-series; '
                             'pass one x-series, or one for each y-series')

    set_figsize(figsize)
    if axes is None:
        axes = plt.gca()
    axes.cla()
    for i, (x, y) in enumerate(zip(X, Y)):
        fmt = fmts[i % len(fmts)]
        y = as_array(y)
        if x is None:
            axes.plot(y, fmt)
            continue
        x = as_array(x)
        if len(x) != len(y):
            raise ValueError(f'plot: series {i} has {len(x)} x-values '
                             f'but {len(y)} y-values')
        axes.plot(x, y, fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend)
