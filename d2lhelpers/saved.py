"""Helpers saved from the notebooks in notebooks/en/ by their ``# @save`` marks.

GENERATED FILE, DO NOT EDIT: the notebooks are the source of truth. Change the
cell marked ``# @save`` in the notebook named in the docstring, run it, then run
``python -m d2lhelpers save``. ``python -m d2lhelpers save --check`` (part of the
test suite) fails while this file and the notebooks disagree.
"""
# d2lhelpers-save sha256=e4f36048d2144eceb1c01cb9afdeb3baaa5a9da520fe20640594d827d8ee276d

import sys
import numpy as np
import torch
from matplotlib import pyplot as plt
from d2lhelpers import lecture
from d2lhelpers.graph_drawing import draw_layout, graph_layout, tensor_labels


__all__ = [
    'use_svg_display',
    'set_figsize',
    'set_axes',
    'plot',
    'draw_graph',
]


def use_svg_display():
    """Use the svg format to display a plot in Jupyter.

    A PNG copy (at twice the resolution) goes with every SVG, for JupyterLab views
    of untrusted notebooks, which show no SVG. The SVG has fixed ids and no date,
    so re-running a notebook reproduces it exactly.

    Defined in notebooks/en/01-calculus.ipynb, section "Plotting helpers".
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

    Defined in notebooks/en/01-calculus.ipynb, section "Plotting helpers".
    """
    use_svg_display()
    plt.rcParams['figure.figsize'] = list(lecture.scaled(figsize))


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Set the axes for matplotlib.

    Defined in notebooks/en/01-calculus.ipynb, section "Plotting helpers".
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

    X, Y: one series (1-D tensor, array, list, range or generator of numbers) or a
    list/tuple of series. With Y=None the series in X are the y-values, drawn against
    their index. Line formats in fmts are used in turn and repeat when there are more
    series. figsize=None keeps the current figure size.

    Defined in notebooks/en/01-calculus.ipynb, section "Plotting helpers".
    """
    def has_one_axis(data):  # a single series rather than a collection of them
        if hasattr(data, 'ndim'):
            return data.ndim == 1
        return (isinstance(data, (list, tuple, range)) and len(data) > 0
                and (np.isscalar(data[0]) or getattr(data[0], 'ndim', None) == 0))

    def as_array(series):  # tensors may require grad or live on a GPU
        if isinstance(series, torch.Tensor):
            return series.detach().cpu().numpy()
        if isinstance(series, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in series):
            return np.array([as_array(v) for v in series])  # e.g. a list of 0-d tensors
        return np.asarray(series)

    if not hasattr(X, '__len__'):  # a generator: read it once, as a list
        X = list(X)
    if Y is not None and not hasattr(Y, '__len__'):
        Y = list(Y)
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
    fmts = (fmts,) if isinstance(fmts, str) else fmts
    if not fmts:
        raise ValueError("plot: fmts is empty; give at least one line format, e.g. fmts=('-',)")

    if figsize is None:
        use_svg_display()  # keep the current figure size
    else:
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


def draw_graph(y, names=None, figsize=None):
    """Draw the backward graph that autograd recorded for the tensor y.

    y: a tensor with a grad_fn, i.e. computed from tensors that require grad.
    names: optional dict such as {'x': x, 'u': u} from a label to a tensor. A
        leaf's label goes on its AccumulateGrad box, with its shape; a computed
        tensor's label goes under the operation that produced it; y's label
        goes on the output box at the top.
    figsize: (width, height) in inches; by default it grows with the graph.
    Arrows point the way gradients flow, from the output down to the leaves;
    a node reached along several paths is drawn once. Returns the Axes.

    Defined in notebooks/en/09-computation-graph.ipynb, section "Drawing the graph: `draw_graph`".
    """
    if not isinstance(y, torch.Tensor):
        raise TypeError(f'draw_graph: y must be a torch.Tensor, got {type(y).__name__}')
    if y.grad_fn is None:
        raise ValueError('draw_graph: y has no grad_fn; it is a leaf, or none of the tensors '
                         'it was computed from requires grad, or it was computed under '
                         'torch.no_grad(), so autograd recorded no graph for it')
    inputs, position = graph_layout(y)  # every node below all of its users
    labels = tensor_labels(names)  # grad_fn of a computed tensor, or id of a leaf -> its name
    output_label = labels.pop(y.grad_fn, 'output')
    boxes = {}  # node -> the text and colour of its box
    for node in inputs:
        if isinstance(node, str):  # 'output', a box for y itself
            boxes[node] = f'{output_label} {tuple(y.shape)}', '#c7e9c0'
        elif hasattr(node, 'variable'):  # AccumulateGrad: stands for its leaf
            leaf = node.variable
            boxes[node] = f'AccumulateGrad\n{labels.get(id(leaf), "leaf")} {tuple(leaf.shape)}', '#c6dbef'
        else:  # the backward function of an operation, such as MulBackward0
            kind = type(node).__name__
            boxes[node] = (f'{kind}\n{labels[node]}' if node in labels else kind), '#fdd0a2'
    use_svg_display()
    return draw_layout(inputs, position, boxes, figsize)
