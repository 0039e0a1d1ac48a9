"""d2l.draw_graph: the backward graph drawn with matplotlib alone."""

import pytest
import torch

import d2lhelpers as d2l


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
