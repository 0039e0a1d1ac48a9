"""d2l.draw_graph: the backward graph drawn with matplotlib alone (laid out by d2lhelpers.graph_drawing)."""

import time
import warnings

import pytest
import torch

import d2lhelpers as d2l
from d2lhelpers import graph_drawing


def boxes(axes):
    return [text for text in axes.texts if text.get_text()]  # the arrows are empty annotations


def box_texts(axes):
    return [text.get_text() for text in boxes(axes)]


def test_draws_each_node_once_with_leaf_names_and_shapes():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    u = x * x                      # x used twice by one node
    f = (torch.log(u) * torch.sin(x) + 1 / x).sum()
    axes = d2l.draw_graph(f, names={"x": x, "u": u, "f": f})
    texts = box_texts(axes)
    assert texts.count("AccumulateGrad\nx (3,)") == 1, "a leaf reached along several paths is drawn once"
    assert "f ()" in texts and "MulBackward0\nu" in texts
    nodes = {type(n).__name__ for n, _ in d2l.graph_layout(f)[1].items() if not isinstance(n, str)}
    assert {"SumBackward0", "AddBackward0", "LogBackward0", "SinBackward0", "AccumulateGrad"} <= nodes
    arrows = [text for text in axes.texts if not text.get_text()]
    assert len(arrows) >= len(texts) - 1, "every box but the output has an arrow into it"


def test_every_edge_points_down():
    x = torch.tensor(2.0, requires_grad=True)
    y = x * x
    for _ in range(3):
        y = y * y
    inputs, position = d2l.graph_layout(y)
    for node, children in inputs.items():
        for child in children:
            assert position[child][1] < position[node][1]


def test_clear_errors():
    with pytest.raises(TypeError, match="draw_graph: y must be a torch.Tensor, got float"):
        d2l.draw_graph(1.0)
    with pytest.raises(ValueError, match="draw_graph: y has no grad_fn"):
        d2l.draw_graph(torch.ones(2))
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
    with pytest.raises(ValueError, match="no_grad"):
        d2l.draw_graph(y)
    with pytest.raises(TypeError, match=r"names\['x'\] must be a tensor"):
        d2l.draw_graph((x * 2).sum(), names={"x": 3})


@pytest.mark.parametrize("call, error, message", [
    (lambda x: d2l.draw_graph((x * 2).sum(), names=["x"]), TypeError,
     r"^draw_graph: names must be a dict from a label to a tensor, such as \{'x': x\}, got list$"),
    (lambda x: d2l.draw_graph((x * 2).sum(), figsize=(0, 0)), ValueError,
     r"^draw_graph: figsize must be \(width, height\) in inches, both positive, got \(0, 0\)$"),
    (lambda x: d2l.graph_layout(3), TypeError, r"^graph_layout: y must be a torch.Tensor, got int$"),
    (lambda x: d2l.graph_layout(x), ValueError, r"^graph_layout: y has no grad_fn; it is a leaf"),
], ids=["G04 names a list", "G10 figsize zero", "G22 layout of a number", "G23 layout of a leaf"])
def test_one_line_errors_instead_of_errors_from_inside(call, error, message):
    x = torch.ones(2, requires_grad=True)
    with pytest.raises(error, match=message) as caught:
        call(x)
    assert "\n" not in str(caught.value)


def test_the_same_layout_as_before_it_moved_into_graph_drawing():
    x = torch.tensor(2.0, requires_grad=True)
    f = torch.log(x ** 2) * torch.sin(x) + 1 / x
    inputs, position = d2l.graph_layout(f)
    assert d2l.graph_layout is graph_drawing.graph_layout
    names = {key if isinstance(key, str) else type(key).__name__: value for key, value in position.items()}
    assert names["output"] == (0.0, 0) and names["AddBackward0"] == (0.0, -1)
    assert names["AccumulateGrad"][1] == -5, "the leaf sits below its longest path: Add, Mul, Log, Pow"
    assert len(inputs) == 9 and inputs["output"] == [f.grad_fn]


def chain(n):
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0001
    return y


def stack(n):
    return torch.stack([torch.tensor(float(i), requires_grad=True) for i in range(n)]).sum()


def tree(leaves):
    level = [torch.tensor(1.0, requires_grad=True) for _ in range(leaves)]
    while len(level) > 1:
        level = [a * b for a, b in zip(level[::2], level[1::2])] + ([level[-1]] if len(level) % 2 else [])
    return level[0]


@pytest.mark.parametrize("graph", [lambda: chain(2_000), lambda: stack(2_000), lambda: tree(1_000)],
                         ids=["G31 long chain", "G32 wide stack", "G33 binary tree"])
def test_a_graph_too_big_for_a_figure_is_drawn_as_its_top_part_with_a_one_line_warning(graph):
    y = graph()
    nodes = len(d2l.graph_layout(y)[0]) - 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        axes = d2l.draw_graph(y)
        axes.figure.canvas.draw()  # rendering is what took minutes before
        seconds = time.perf_counter() - start
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    assert len(messages) == 1 and "\n" not in messages[0], messages
    assert messages[0].startswith(f"draw_graph: the graph has {nodes:,} nodes, more than a figure can show")
    assert "draw the graph of a tensor computed on the way" in messages[0]
    width, height = axes.figure.get_size_inches()
    assert width <= 2.2 * (graph_drawing.MAX_WIDTH + 0.2) and height <= 0.95 * graph_drawing.MAX_LEVELS
    drawn = box_texts(axes)
    assert 3 <= len(drawn) <= graph_drawing.MAX_LEVELS * graph_drawing.MAX_WIDTH
    assert any("not drawn" in text for text in drawn), "the cut is marked on the boxes above it"
    assert seconds < 30, f"{seconds:.1f} s"  # generous for a shared machine; the old code took minutes


def test_the_top_part_keeps_every_arrow_between_the_boxes_it_draws():
    y = stack(50)  # 50 leaves side by side: more than MAX_WIDTH
    with pytest.warns(UserWarning, match="the graph has 52 nodes"):
        axes = d2l.draw_graph(y)
    assert box_texts(axes) == ["output ()", "SumBackward0", "StackBackward0\n+50 not drawn"]
    arrows = [text for text in axes.texts if not text.get_text()]
    assert len(arrows) == 2


def test_a_graph_that_fits_draws_whole_and_silently():
    y = chain(graph_drawing.MAX_LEVELS - 2)  # output, the multiplications and the leaf: MAX_LEVELS levels
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        axes = d2l.draw_graph(y)
    assert len(boxes(axes)) == graph_drawing.MAX_LEVELS


def test_readable_at_lecture_size():
    x = torch.ones(2, requires_grad=True)
    axes = d2l.draw_graph((x * 2).sum())
    assert min(text.get_fontsize() for text in boxes(axes)) >= 12
    d2l.lecture_mode()
    try:
        axes = d2l.draw_graph((x * 2).sum())
        assert min(text.get_fontsize() for text in boxes(axes)) >= 16
    finally:
        d2l.lecture_mode(False)
