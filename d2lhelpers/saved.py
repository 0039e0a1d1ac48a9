"""Helpers saved from the notebooks in notebooks/en/ by their ``# @save`` marks.

GENERATED FILE, DO NOT EDIT: the notebooks are the source of truth. Change the
cell marked ``# @save`` in the notebook named in the docstring, run it, then run
``python -m d2lhelpers save``. ``python -m d2lhelpers save --check`` (part of the
test suite) fails while this file and the notebooks disagree.
"""
# d2lhelpers-save sha256=0f0c145eae42a2ce9eb9f7fdbb0fcfa6cc839a7edca9d2e1d3cc11eda3cebff5

import numpy as np
import torch
from matplotlib import pyplot as plt
from d2lhelpers import plotting


__all__ = [
    'use_svg_display',
    'set_figsize',
    'set_axes',
    'plot',
    'graph_layout',
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


def graph_layout(y):
    """Lay out the backward graph of the tensor y in levels, for draw_graph.

    Returns (inputs, position). inputs maps 'output' (a box for y itself) and
    every autograd node reachable from y.grad_fn to the nodes it sends gradients
    to, one entry per use. position maps each of them to (x, -level), where level
    is the longest path from the output, so that every edge points down.

    Defined in notebooks/en/09-computation-graph.ipynb, section "Drawing the graph: `draw_graph`".
    """
    inputs = {'output': [y.grad_fn]}
    stack = [y.grad_fn]
    while stack:  # depth-first search from the output
        node = stack.pop()
        if node not in inputs:
            inputs[node] = [child for child, _ in node.next_functions if child is not None]
            stack.extend(reversed(inputs[node]))
    users = {node: [] for node in inputs}
    for node, children in inputs.items():
        for child in dict.fromkeys(children):
            users[child].append(node)
    level, waiting, ready = {'output': 0}, {node: len(users[node]) for node in inputs}, ['output']
    while ready:  # topological sweep: a node's level is final once all its users are placed
        node = ready.pop(0)
        for child in dict.fromkeys(inputs[node]):
            level[child] = max(level.get(child, 0), level[node] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    layers, position = {}, {}
    for node in inputs:
        layers.setdefault(level[node], []).append(node)
    for depth in sorted(layers):  # near the mean x of the users, at least 1 apart
        wanted = sorted((sum(position[u][0] for u in users[n]) / len(users[n]) if depth else 0.0, i)
                        for i, n in enumerate(layers[depth]))
        placed = []
        for x, _ in wanted:
            placed.append(x if not placed else max(x, placed[-1] + 1))
        shift = (sum(x for x, _ in wanted) - sum(placed)) / len(placed)
        for (_, i), x in zip(wanted, placed):
            position[layers[depth][i]] = (x + shift, -depth)
    return inputs, position


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
    labels = {}  # grad_fn of a computed tensor, or id of a leaf -> its name
    for name, tensor in (names or {}).items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"draw_graph: names['{name}'] must be a tensor, "
                            f'got {type(tensor).__name__}')
        labels[tensor.grad_fn if tensor.grad_fn is not None else id(tensor)] = name
    output_label = labels.pop(y.grad_fn, 'output')

    def box(node):  # the text and color of a node's box
        if isinstance(node, str):  # 'output'
            return f'{output_label} {tuple(y.shape)}', '#c7e9c0'
        if hasattr(node, 'variable'):  # AccumulateGrad: stands for a leaf
            leaf = node.variable
            return f'AccumulateGrad\n{labels.get(id(leaf), "leaf")} {tuple(leaf.shape)}', '#c6dbef'
        kind = type(node).__name__
        return (f'{kind}\n{labels[node]}' if node in labels else kind), '#fdd0a2'

    inputs, position = graph_layout(y)
    left = min(x for x, _ in position.values()) - 0.6
    right = max(x for x, _ in position.values()) + 0.6
    levels = 1 - min(level for _, level in position.values())
    fontsize = max(12, plt.rcParams['font.size'])
    if figsize is None:
        scale = fontsize / 12
        figsize = (scale * max(3.5, 2.2 * (right - left)), scale * max(2.5, 0.95 * levels))
    use_svg_display()
    fig, axes = plt.subplots(figsize=figsize)
    boxes = {}
    for node in inputs:
        text, color = box(node)
        boxes[node] = axes.text(*position[node], text, ha='center', va='center', fontsize=fontsize,
                                bbox=dict(boxstyle='round,pad=0.4', fc=color, ec='0.3'))
    for node, children in inputs.items():
        for child in dict.fromkeys(children):
            uses = children.count(child)  # x * x: one arrow per use, bent apart
            for k in range(uses):
                axes.annotate('', xy=position[child], xytext=position[node],
                              arrowprops=dict(arrowstyle='-|>', color='0.25', lw=1.2,
                                              connectionstyle=f'arc3,rad={0.5 * (k - (uses - 1) / 2)}',
                                              patchA=boxes[node].get_bbox_patch(),
                                              patchB=boxes[child].get_bbox_patch()))
    axes.set_xlim(left, right)
    axes.set_ylim(0.5 - levels, 0.5)
    axes.axis('off')
    return axes
