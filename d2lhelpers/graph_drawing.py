"""Lay out and draw the backward graph that autograd records, with matplotlib alone.

Notebook 09 teaches the graph and defines ``d2l.draw_graph``, which decides what each box
says; this module holds the machinery it uses, which teaches layout rather than autograd:

- ``graph_layout(y)`` places the nodes in levels: the output on top, every node at the
  level of its longest path from the output, so that every arrow points down (the way
  gradients flow), and each node near the mean position of its users;
- ``tensor_labels(names)`` checks ``draw_graph``'s ``names`` and keys each label by node;
- ``draw_layout(...)`` draws one box per node and one arrow per use, in a figure that grows
  with the graph. A graph larger than a figure can show (more than MAX_LEVELS levels or
  MAX_WIDTH boxes side by side) is drawn as its top part, with a one-line warning.

Hand-written, not saved from a notebook: notebook 09 imports these names with ``# @save``,
so ``d2l.graph_layout`` is this module's function.
"""

from __future__ import annotations

import warnings
from collections import deque

import torch

MAX_LEVELS = 25  # levels one figure shows readably: about 24 inches tall at 12 points
MAX_WIDTH = 10  # boxes side by side: about 24 inches wide at 12 points
OUTPUT = 'output'  # the key of the box for y itself, above y.grad_fn


def _check_output(y, caller):
    if not isinstance(y, torch.Tensor):
        raise TypeError(f'{caller}: y must be a torch.Tensor, got {type(y).__name__}')
    if y.grad_fn is None:
        raise ValueError(f'{caller}: y has no grad_fn; it is a leaf, or none of the tensors '
                         'it was computed from requires grad, or it was computed under '
                         'torch.no_grad(), so autograd recorded no graph for it')


def graph_layout(y):
    """Lay out the backward graph of the tensor y in levels, for draw_graph.

    Returns (inputs, position). inputs maps 'output' (a box for y itself) and
    every autograd node reachable from y.grad_fn to the nodes it sends gradients
    to, one entry per use. position maps each of them to (x, -level), where level
    is the longest path from the output, so that every edge points down.
    """
    _check_output(y, 'graph_layout')
    inputs = {OUTPUT: [y.grad_fn]}
    stack = [y.grad_fn]
    while stack:  # depth-first search from the output
        node = stack.pop()
        if node not in inputs:
            inputs[node] = [child for child, _ in node.next_functions if child is not None]
            stack.extend(reversed(inputs[node]))
    return inputs, _place(inputs)


def _users(inputs):
    users = {node: [] for node in inputs}
    for node, children in inputs.items():
        for child in dict.fromkeys(children):
            users[child].append(node)
    return users


def _levels(inputs, users):
    """The longest path from the output to each node, by a topological sweep (Kahn's algorithm)."""
    level, waiting, ready = {OUTPUT: 0}, {node: len(users[node]) for node in inputs}, deque([OUTPUT])
    while ready:  # a node's level is final once all its users are placed
        node = ready.popleft()
        for child in dict.fromkeys(inputs[node]):
            level[child] = max(level.get(child, 0), level[node] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                ready.append(child)
    return level


def _place(inputs):
    """(x, -level) for every node of a graph given as inputs (see graph_layout)."""
    users = _users(inputs)
    level = _levels(inputs, users)
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
    return position


def tensor_labels(names):
    """The labels of draw_graph's names: the grad_fn of a computed tensor, or the id of a leaf -> its name."""
    if names is None:
        return {}
    if not isinstance(names, dict):
        raise TypeError("draw_graph: names must be a dict from a label to a tensor, such as "
                        f"{{'x': x}}, got {type(names).__name__}")
    labels = {}
    for name, tensor in names.items():
        if not isinstance(tensor, torch.Tensor):
            raise TypeError(f"draw_graph: names['{name}'] must be a tensor, "
                            f'got {type(tensor).__name__}')
        labels[tensor.grad_fn if tensor.grad_fn is not None else id(tensor)] = name
    return labels


def _fits(position):
    xs = [x for x, _ in position.values()]
    levels = 1 - min(level for _, level in position.values())
    return levels <= MAX_LEVELS and max(xs) - min(xs) <= MAX_WIDTH - 1


def _top_part(inputs, position):
    """The largest top part of the graph (levels 0 to some L) that fits in a figure.

    A kept node's users are all kept (they sit higher), so the part keeps its levels.
    Returns (inputs, position, hidden): hidden counts, for each kept node, its inputs left out.
    """
    counts = {}
    for _, level in position.values():
        counts[-level] = counts.get(-level, 0) + 1
    last = 0
    while last + 1 < MAX_LEVELS and counts.get(last + 1, MAX_WIDTH + 1) <= MAX_WIDTH:
        last += 1
    while True:
        kept = {node for node in inputs if -position[node][1] <= last}
        part = {node: [child for child in inputs[node] if child in kept] for node in kept}
        part = {node: part[node] for node in inputs if node in kept}  # in the order of inputs
        part_position = _place(part)
        if _fits(part_position) or last == 0:
            break
        last -= 1
    hidden = {node: len({child for child in inputs[node] if child not in kept}) for node in part}
    return part, part_position, {node: count for node, count in hidden.items() if count}


def _check_figsize(figsize):
    """Refuse a zero or negative size, which matplotlib accepts and fails on only when it renders."""
    try:
        too_small = any(float(side) <= 0 for side in figsize[:2])
    except (TypeError, ValueError, IndexError):
        return  # matplotlib's own message is clear: 'figure size must be positive finite', 'Invalid unit'
    if too_small:
        raise ValueError(f'draw_graph: figsize must be (width, height) in inches, both positive, got {figsize!r}')


def draw_layout(inputs, position, boxes, figsize=None):
    """Draw a laid-out graph in a new figure: boxes[node] = (text, colour); one arrow per use.

    inputs and position are graph_layout's. Text is at least 12 points (larger in lecture
    mode, with the figure scaled to match), and by default the figure grows with the graph.
    A graph deeper than MAX_LEVELS or wider than MAX_WIDTH boxes is drawn as its top part,
    each box at the cut saying how many of its inputs are not drawn, with a warning.
    Returns the Axes.
    """
    from matplotlib import pyplot as plt

    if figsize is not None:
        _check_figsize(figsize)
    if not _fits(position):
        nodes = len(inputs) - 1  # the output box is not a node of autograd's graph
        inputs, position, hidden = _top_part(inputs, position)
        boxes = {node: boxes[node] for node in inputs}
        for node, count in hidden.items():
            text, colour = boxes[node]
            boxes[node] = f'{text}\n+{count:,} not drawn', colour  # as narrow as the box's first line
        warnings.warn(f'draw_graph: the graph has {nodes:,} nodes, more than a figure can show (at most '
                      f'{MAX_LEVELS} levels of at most {MAX_WIDTH} boxes); drawn: the {len(inputs) - 1} nearest '
                      'the output. To see a part further down, draw the graph of a tensor computed on the way',
                      UserWarning, stacklevel=3)
    left = min(x for x, _ in position.values()) - 0.6
    right = max(x for x, _ in position.values()) + 0.6
    levels = 1 - min(level for _, level in position.values())
    fontsize = max(12, plt.rcParams['font.size'])
    if figsize is None:
        scale = fontsize / 12
        figsize = (scale * max(3.5, 2.2 * (right - left)), scale * max(2.5, 0.95 * levels))
    fig, axes = plt.subplots(figsize=figsize)
    drawn = {}
    for node in inputs:
        text, colour = boxes[node]
        drawn[node] = axes.text(*position[node], text, ha='center', va='center', fontsize=fontsize,
                                bbox=dict(boxstyle='round,pad=0.4', fc=colour, ec='0.3'))
    for node, children in inputs.items():
        for child in dict.fromkeys(children):
            uses = children.count(child)  # x * x: one arrow per use, bent apart
            for k in range(uses):
                axes.annotate('', xy=position[child], xytext=position[node],
                              arrowprops=dict(arrowstyle='-|>', color='0.25', lw=1.2,
                                              connectionstyle=f'arc3,rad={0.5 * (k - (uses - 1) / 2)}',
                                              patchA=drawn[node].get_bbox_patch(),
                                              patchB=drawn[child].get_bbox_patch()))
    axes.set_xlim(left, right)
    axes.set_ylim(0.5 - levels, 0.5)
    axes.axis('off')
    return axes
