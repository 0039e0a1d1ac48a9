"""Our plotting helpers against d2l 1.0.3's own, on the inputs d2l supports.

d2l's functions are read from the source file of the installed ``d2l`` package
(``from d2l import torch`` cannot import here: it needs torchvision), compiled
in a namespace that gives them the ``d2l.plt`` they expect, and run side by side
with ours. `.ci/run` installs d2l==1.0.3 with --no-deps, so in CI this test runs;
elsewhere it is skipped when d2l is missing.
"""

import ast
import importlib.util
import types
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib import pyplot as plt

import d2lhelpers
from conftest import in_ci

D2L_FUNCTIONS = ("use_svg_display", "set_figsize", "set_axes", "plot")


def load_d2l_functions():
    spec = importlib.util.find_spec("d2l")
    if spec is None:
        if in_ci():
            pytest.fail("d2l 1.0.3 is not installed; .ci/run installs it with --no-deps as the parity reference")
        pytest.skip("d2l is not installed (pip install --no-deps d2l==1.0.3 to compare with it)")
    source_file = Path(spec.submodule_search_locations[0]) / "torch.py"
    source = source_file.read_text(encoding="utf-8")
    wanted = [node for node in ast.parse(source).body
              if isinstance(node, ast.FunctionDef) and node.name in D2L_FUNCTIONS]
    module = ast.Module(body=wanted, type_ignores=[])
    namespace = {
        "d2l": types.SimpleNamespace(plt=plt),
        # outside a notebook there is no display to configure; d2l would create an IPython shell
        "backend_inline": types.SimpleNamespace(set_matplotlib_formats=lambda *formats, **options: None),
    }
    exec(compile(module, str(source_file), "exec"), namespace)
    assert sorted(name for name in D2L_FUNCTIONS if name in namespace) == sorted(D2L_FUNCTIONS)
    return types.SimpleNamespace(**{name: namespace[name] for name in D2L_FUNCTIONS})


@pytest.fixture(scope="module")
def reference():
    return load_d2l_functions()


def describe(axes):
    """Everything a reader sees on the axes."""
    legend = axes.get_legend()
    return {
        "lines": [(line.get_xydata().tolist(), line.get_linestyle(), line.get_color(), line.get_marker())
                  for line in axes.get_lines()],
        "labels": (axes.get_xlabel(), axes.get_ylabel()),
        "scales": (axes.get_xscale(), axes.get_yscale()),
        "limits": (axes.get_xlim(), axes.get_ylim()),
        "legend": [text.get_text() for text in legend.get_texts()] if legend else None,
        "grid": [line.get_visible() for line in axes.get_xgridlines() + axes.get_ygridlines()],
        "figsize": tuple(axes.figure.get_size_inches()),
    }


def run_both(reference, call):
    plt.close("all")
    call(reference)
    theirs = describe(plt.gca())
    plt.close("all")
    call(d2lhelpers)
    ours = describe(plt.gca())
    plt.close("all")
    return theirs, ours


x = np.arange(0, 3, 0.1)
sin_x = torch.linspace(-np.pi, np.pi, 40, requires_grad=True)
sin_y = torch.sin(sin_x)
sin_y.sum().backward()

CASES = {
    "tangent line (numpy)": lambda d2l: d2l.plot(
        x, [3 * x ** 2 - 4 * x, 2 * x - 3], "x", "f(x)", legend=["f(x)", "Tangent line (x=1)"]),
    "sin and x.grad (tensors, tuple legend)": lambda d2l: d2l.plot(
        sin_x.detach(), (sin_y.detach(), sin_x.grad), legend=("sin(x)", "cos(x)")),
    "y only, as a list": lambda d2l: d2l.plot([1.0, 4.0, 2.0, 8.0]),
    "y only, several tensors": lambda d2l: d2l.plot([torch.arange(5.0), torch.arange(5.0) ** 2]),
    "log scales and limits": lambda d2l: d2l.plot(
        x[1:], [x[1:] ** 2, x[1:] ** 3], xlabel="h", ylabel="error", xscale="log", yscale="log",
        xlim=[0.1, 3], ylim=[1e-3, 30], legend=["square", "cube"], figsize=(6, 4)),
    "one x per y (2-D arrays)": lambda d2l: d2l.plot(
        np.stack([x, x + 1]), np.stack([np.sin(x), np.cos(x)]), fmts=("-", "r:")),
    "explicit axes": lambda d2l: d2l.plot(x, np.exp(-x), axes=plt.subplots(1, 2)[1][1]),
}


@pytest.mark.parametrize("name", CASES)
def test_plot_matches_d2l(reference, name):
    theirs, ours = run_both(reference, CASES[name])
    assert theirs["lines"], "the reference drew nothing: the case is broken"
    assert ours == theirs


def test_set_axes_matches_d2l(reference):
    def call(d2l):
        axes = plt.gca()
        axes.plot([1, 2, 3], [1, 10, 100])
        d2l.set_axes(axes, "x", "y", [1, 3], [1, 100], "linear", "log", ("one line",))

    theirs, ours = run_both(reference, call)
    assert ours == theirs


def test_set_figsize_matches_d2l(reference):
    for module in (reference, d2lhelpers):
        module.set_figsize((4.5, 3))
        assert tuple(plt.rcParams["figure.figsize"]) == (4.5, 3)
    d2lhelpers.set_figsize()


def test_d2l_cannot_plot_what_we_can(reference):
    """The reason for our version: d2l's plot fails on a tensor that requires grad."""
    x = torch.linspace(0, 1, 5, requires_grad=True)
    with pytest.raises(RuntimeError, match="requires grad"):
        reference.plot(x, x ** 2)
    plt.close("all")
    d2lhelpers.plot(x, x ** 2)
    assert len(plt.gca().get_lines()) == 1
