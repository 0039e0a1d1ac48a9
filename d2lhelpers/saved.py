"""Helpers saved from the notebooks in notebooks/en/ by their ``# @save`` marks.

GENERATED FILE, DO NOT EDIT: the notebooks are the source of truth. Change the
cell marked ``# @save`` in the notebook named in the docstring, run it, then run
``python -m d2lhelpers save``. ``python -m d2lhelpers save --check`` (part of the
test suite) fails while this file and the notebooks disagree.
"""
# d2lhelpers-save sha256=682dcb1f0d511c8d045766bc9a15a0c12e9689389ece28992998574360a54db1

import numpy as np
import torch
from matplotlib import pyplot as plt
from d2lhelpers import plotting
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

    Defined in notebooks/en/01-calculus.ipynb, section "Plotting helpers".
    """
    plotting.set_matplotlib_formats('svg')


def set_figsize(figsize=(3.5, 2.5)):
    """Set the figure size for matplotlib.

    Defined in notebooks/en/01-calculus.ipynb, section "Plotting helpers".
    """
    use_svg_display()
    plt.rcParams['figure.figsize'] = plotting.figure_size(figsize)


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Set the axes for matplotlib.

    Defined in notebooks/en/01-calculus.ipynb, section "Plotting helpers".
    """
    plotting.check_axes('set_axes', axes, xlim, ylim, legend)
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

    X, Y: one series (a 1-D tensor, array or list) or a list of series. With Y=None the
    series in X are drawn against their index. figsize=None keeps the current size.

    Defined in notebooks/en/01-calculus.ipynb, section "Plotting helpers".
    """
    curves = plotting.curves(X, Y, fmts)  # a list of (x, y, fmt)
    plotting.check_axes('plot', axes, xlim, ylim, legend)
    if figsize is None:
        use_svg_display()
    else:
        set_figsize(figsize)
    if axes is None:
        axes = plt.gca()
    axes.cla()
    for x, y, fmt in curves:
        if x is None:
            axes.plot(y, fmt)
        else:
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
