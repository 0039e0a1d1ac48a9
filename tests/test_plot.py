"""The public plotting API: d2l's signatures, plus the inputs d2l cannot take."""

import builtins
import inspect
import sys

import numpy as np
import pytest
import torch

import background
import d2lhelpers as d2l


def lines_of(axes):
    return [(line.get_xdata().tolist(), line.get_ydata().tolist()) for line in axes.get_lines()]


def test_public_names():
    for name in ("plot", "set_axes", "set_figsize", "use_svg_display", "plt", "np", "torch"):
        assert hasattr(d2l, name), name
    assert d2l.plt is __import__("matplotlib.pyplot").pyplot
    assert set(d2l.saved.__all__) <= set(dir(d2l))


def test_unknown_attribute_is_a_clear_attribute_error():
    with pytest.raises(AttributeError, match="module 'd2lhelpers' has no attribute 'plto'"):
        d2l.plto


def test_signatures_match_d2l_and_have_no_mutable_defaults():
    assert list(inspect.signature(d2l.plot).parameters) == [
        "X", "Y", "xlabel", "ylabel", "legend", "xlim", "ylim", "xscale", "yscale", "fmts", "figsize", "axes"]
    assert list(inspect.signature(d2l.set_axes).parameters) == [
        "axes", "xlabel", "ylabel", "xlim", "ylim", "xscale", "yscale", "legend"]
    assert inspect.signature(d2l.set_figsize).parameters["figsize"].default == (3.5, 2.5)
    for function in (d2l.plot, d2l.set_axes, d2l.set_figsize, d2l.use_svg_display):
        for parameter in inspect.signature(function).parameters.values():
            assert not isinstance(parameter.default, (list, dict, set)), (function.__name__, parameter.name)


def test_tensor_that_requires_grad():
    x = torch.linspace(0, 1, 5, requires_grad=True)
    y = x ** 2
    d2l.plot(x, [y, 2 * x], legend=["y", "dy/dx"])
    (first, second) = lines_of(d2l.plt.gca())
    assert np.allclose(first[0], x.detach().numpy()) and np.allclose(first[1], (x ** 2).detach().numpy())
    assert np.allclose(second[1], 2 * x.detach().numpy())
    assert [t.get_text() for t in d2l.plt.gca().get_legend().get_texts()] == ["y", "dy/dx"]


def test_seed_sin_example_tuple_of_tensors_and_grad():
    """The seeds' call: d2l.plot(x.detach(), (y.detach(), x.grad), legend=("sin(x)", "cos(x)"))."""
    x = torch.linspace(-np.pi, np.pi, 50, dtype=torch.float64, requires_grad=True)
    y = torch.sin(x)
    y.sum().backward()
    d2l.plot(x, (y, x.grad), legend=("sin(x)", "cos(x)"))
    (sin_line, cos_line) = lines_of(d2l.plt.gca())
    assert np.allclose(cos_line[1], np.cos(x.detach().numpy()))
    assert sin_line[0] == cos_line[0]


@pytest.mark.parametrize("series", [
    [0.0, 1.0, 4.0],
    (0.0, 1.0, 4.0),
    np.array([0.0, 1.0, 4.0]),
    torch.tensor([0.0, 1.0, 4.0]),
])
def test_one_series_of_any_kind_against_its_index(series):
    d2l.plot(series)
    assert lines_of(d2l.plt.gca()) == [([0, 1, 2], [0.0, 1.0, 4.0])]


def test_numpy_and_tensor_mix():
    x = np.arange(0, 3, 1.0)
    d2l.plot(x, [torch.tensor([1.0, 2.0, 3.0]), x * 2, [5, 6, 7]])
    assert [ys for _, ys in lines_of(d2l.plt.gca())] == [[1, 2, 3], [0, 2, 4], [5, 6, 7]]


def test_one_x_per_y_series():
    d2l.plot([[0, 1], [0, 2]], [[1, 1], [2, 2]])
    assert lines_of(d2l.plt.gca()) == [([0, 1], [1, 1]), ([0, 2], [2, 2])]


def test_more_series_than_formats_reuses_formats():
    d2l.plot(np.arange(3), [np.full(3, k) for k in range(6)])
    styles = [line.get_linestyle() for line in d2l.plt.gca().get_lines()]
    assert len(styles) == 6 and styles[4] == styles[0]


def test_mismatched_series_counts_raise_value_error():
    with pytest.raises(ValueError, match="plot: got 3 x-series for 2 y-series"):
        d2l.plot([[0, 1], [0, 1], [0, 1]], [[1, 2], [3, 4]])


def test_mismatched_lengths_raise_value_error():
    with pytest.raises(ValueError, match="plot: series 0 has 3 x-values but 2 y-values"):
        d2l.plot([0, 1, 2], [5, 6])


def test_axes_settings_and_explicit_axes():
    figure, (left, right) = d2l.plt.subplots(1, 2)
    d2l.plot([1, 2, 3], [[1, 10, 100]], xlabel="x", ylabel="y", yscale="log", xlim=[1, 3], ylim=(1, 100),
             axes=right)
    assert right.get_yscale() == "log" and right.get_xlim() == (1, 3) and right.get_ylim() == (1, 100)
    assert right.get_xlabel() == "x" and left.get_lines() == []


def test_set_figsize():
    d2l.set_figsize((5, 3))
    assert tuple(d2l.plt.rcParams["figure.figsize"]) == (5, 3)
    d2l.set_figsize()
    assert tuple(d2l.plt.rcParams["figure.figsize"]) == (3.5, 2.5)


INLINE_FIGURES = """
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
import d2lhelpers as d2l

def figure_bundle():
    d2l.plot([1, 2, 3], [[1, 4, 9]], legend=["squares"])
    bundle, _ = shell.display_formatter.format(d2l.plt.gcf())
    d2l.plt.close("all")
    return bundle

first, second = figure_bundle(), figure_bundle()
assert first["image/svg+xml"] == second["image/svg+xml"], "SVG differs between two runs"
assert "<dc:date>" not in first["image/svg+xml"], "SVG carries a date"
assert "image/png" in first, "no PNG fallback for untrusted notebooks"
print("ok")
"""


SVG_DISPLAY_OUTSIDE_IPYTHON = (
    "import sys, d2lhelpers as d2l; before = 'IPython' in sys.modules; d2l.use_svg_display();"
    "shell = 'IPython' in sys.modules and sys.modules['IPython'].get_ipython();"
    "print(before == ('IPython' in sys.modules), shell)")
IMPORT_STAYS_LIGHT = (
    "import sys, d2lhelpers as d2l; d2l.plot([1, 2]);"
    "heavy = {'torchvision', 'pandas', 'scipy', 'requests'} & set(m.split('.')[0] for m in sys.modules);"
    "print(sorted(heavy))")
STAR_IMPORT = "from d2lhelpers import *; names = sorted(n for n in dir() if not n.startswith('_')); print(names)"

# each in a fresh interpreter, run in the background from the start (background.py)
BACKGROUND = {
    "inline figures": background.command([sys.executable, "-c", INLINE_FIGURES]),
    "svg display outside IPython": background.command([sys.executable, "-c", SVG_DISPLAY_OUTSIDE_IPYTHON]),
    "import stays light": background.command([sys.executable, "-c", IMPORT_STAYS_LIGHT],
                                             env={"MPLBACKEND": "Agg", "PATH": ""}),
    "star import": background.command([sys.executable, "-c", STAR_IMPORT], env={"MPLBACKEND": "Agg", "PATH": ""}),
}


def test_notebook_figures_are_svg_plus_png_and_deterministic():
    """In an IPython kernel, figures come out as a reproducible SVG plus a PNG fallback."""
    result = background.result(__name__, "inline figures")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("ok")


def test_use_svg_display_outside_ipython_is_harmless():
    result = background.result(__name__, "svg display outside IPython")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in ("True False", "True None"), "use_svg_display imported IPython or made a shell"


def test_import_stays_light():
    result = background.result(__name__, "import stays light")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_gpu_tensor():  # pragma: no cover - runs only where a GPU is present
    x = torch.arange(3.0, device="cuda", requires_grad=True)
    d2l.plot(x, x * 2)
    assert lines_of(d2l.plt.gca())[0][1] == [0.0, 2.0, 4.0]


def test_torch_internal_deprecation_is_hidden_and_nothing_else():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        import d2lhelpers  # noqa: F401  (installs its filter again inside this context)
        import importlib

        importlib.reload(d2lhelpers)
        warnings.warn_explicit("`torch.jit.script` is deprecated. Please switch to `torch.compile`",
                               FutureWarning, "_script.py", 1491, module="torch.jit._script")
        warnings.warn_explicit("`torch.jit.script` is deprecated.", FutureWarning, "notebook.py", 1,
                               module="__main__")
        warnings.warn_explicit("something else", FutureWarning, "_script.py", 1, module="torch.jit._script")
    assert [str(w.message) for w in caught] == ["`torch.jit.script` is deprecated.", "something else"]


# --- issue 12: odd inputs get the right plot or a clear error (d2l 1.0.3's behaviour in comments) ---


def test_a_generator_of_floats_is_one_series():
    # d2l: TypeError "object of type 'generator' has no len()"; we drew five invisible one-point lines
    d2l.plot(float(i) for i in range(5))
    assert lines_of(d2l.plt.gca()) == [([0, 1, 2, 3, 4], [0.0, 1.0, 2.0, 3.0, 4.0])]
    d2l.plot(range(3), (2.0 * i for i in range(3)))
    assert lines_of(d2l.plt.gca()) == [([0, 1, 2], [0.0, 2.0, 4.0])]


def test_a_list_of_zero_d_tensors_that_require_grad():
    # d2l: RuntimeError "Can't call numpy() on Tensor that requires grad"; we drew a blank plot
    w = torch.tensor(2.0, requires_grad=True)
    losses = [(w - k) ** 2 for k in range(4)]
    d2l.plot(losses)
    assert lines_of(d2l.plt.gca()) == [([0, 1, 2, 3], [4.0, 1.0, 0.0, 1.0])]
    d2l.plot([torch.tensor(1.0), torch.tensor(3.0)], [losses[:2], losses[2:]])
    assert [ys for _, ys in lines_of(d2l.plt.gca())] == [[4.0, 1.0], [0.0, 1.0]]


def test_range_as_x_is_one_series():
    # d2l: range(5) read as 5 series (four one-point lines, the fifth dropped)
    d2l.plot(range(5))
    assert lines_of(d2l.plt.gca()) == [([0, 1, 2, 3, 4], [0, 1, 2, 3, 4])]
    d2l.plot(range(3), [[1, 2, 3], [3, 2, 1]])
    assert lines_of(d2l.plt.gca()) == [([0, 1, 2], [1, 2, 3]), ([0, 1, 2], [3, 2, 1])]


def test_empty_fmts_is_a_clear_error_and_one_string_is_one_format():
    # d2l: draws nothing, silently; we raised ZeroDivisionError
    with pytest.raises(ValueError, match=r"plot: fmts is empty; give at least one line format"):
        d2l.plot([1, 2, 3], fmts=())
    d2l.plot([0, 1], [[1, 2], [2, 3]], fmts="r:")
    assert [line.get_linestyle() for line in d2l.plt.gca().get_lines()] == [":", ":"]


def test_figsize_none_keeps_the_current_size():
    # d2l: ValueError from matplotlib ("Key figure.figsize: ... got None"); we raised a bare TypeError
    d2l.set_figsize((5, 3))
    d2l.plt.close("all")
    d2l.plot([1, 2, 3], figsize=None)
    assert tuple(d2l.plt.gcf().get_size_inches()) == (5, 3)
    assert len(d2l.plt.gca().get_lines()) == 1
    d2l.set_figsize()


def test_star_import_gives_the_helpers_and_not_the_modules_they_use():
    result = background.result(__name__, "star import")
    assert result.returncode == 0, result.stderr
    names = eval(result.stdout)
    for helper in ("plot", "set_axes", "set_figsize", "use_svg_display", "draw_graph", "lecture_mode"):
        assert helper in names, helper
    assert not {"sys", "np", "torch", "plt", "lecture", "plotting"} & set(names), names
    assert d2l.plt and d2l.np and d2l.torch, "still reachable as d2l.plt, as in d2l"


# --- the plot-argument defects of the adversarial review (tools-adversary.md, by its ids): a wrong
# argument is one line naming it, raised before anything is drawn (d2lhelpers.plotting) ---


def a_wrong_legend(legend):
    axes = d2l.plt.gca()
    return d2l.set_axes(axes, "x", "y", None, None, "linear", "linear", legend)


WRONG_ARGUMENTS = {
    "PL13 X is a str": (lambda: d2l.plot("abc"), TypeError, r"plot: X is a str, not a series of values"),
    "PL14 Y is a str": (lambda: d2l.plot([1, 2, 3, 4, 5], "abcde"), TypeError, r"plot: Y is a str, not a series"),
    "PL15 X is None": (lambda: d2l.plot(None), TypeError, r"plot: X is None; pass the values to draw"),
    "PL20 X is a 0-d tensor": (lambda: d2l.plot(torch.tensor(3.0)), ValueError, r"plot: X is a single number \(Tensor\)"),
    "PL21 X and Y are 0-d tensors": (lambda: d2l.plot(torch.tensor(1.0), torch.tensor(2.0)), ValueError,
                                     r"plot: X is a single number"),
    "PL30 X is a dict": (lambda: d2l.plot({"a": 1.0, "b": 2.0}), TypeError,
                         r"plot: X is a dict, .*e\.g\. list\(X\.values\(\)\)"),
    "PL40 xlim is a str": (lambda: d2l.plot([1, 2], xlim="abc"), TypeError,
                           r"plot: xlim must be None or \(low, high\), got 'abc'"),
    "PL46 figsize too large to draw": (lambda: d2l.plot([1, 2], figsize=(1e6, 1e6)), ValueError,
                                       r"set_figsize: figsize \(1e\+06, 1e\+06\) is too large to draw: at most"),
    "PL49 axes is a str": (lambda: d2l.plot([1, 2], axes="notanaxes"), TypeError,
                           r"plot: axes must be a matplotlib Axes or None .*got str"),
    "PL59 X is a 0-d array": (lambda: d2l.plot(np.array(5.0)), ValueError, r"plot: X is a single number \(ndarray\)"),
    "SA04 set_axes legend is an int": (lambda: a_wrong_legend(5), TypeError,
                                       r"set_axes: legend must be a list of labels, one per curve, got int"),
    "SF03 set_figsize(None)": (lambda: d2l.set_figsize(None), TypeError,
                               r"set_figsize: figsize must be \(width, height\) in inches, got None"),
    "SF04 set_figsize(5)": (lambda: d2l.set_figsize(5), TypeError, r"set_figsize: figsize must be .*, got 5"),
    "a series in the list is None": (lambda: d2l.plot([0, 1], [[1, 2], None]), TypeError, r"plot: Y\[1\] is None"),
    "a series in the list is a number": (lambda: d2l.plot([[1, 2], 3]), ValueError, r"plot: X\[1\] is a single number"),
    "Y is a set": (lambda: d2l.plot([1, 2], {1, 2}), TypeError, r"plot: Y is a set"),
    "X is an int": (lambda: d2l.plot(7), ValueError, r"plot: X is a single number \(int\)"),
    "ylim of three values": (lambda: d2l.plot([1, 2], ylim=(0, 1, 2)), ValueError,
                             r"plot: ylim must be None or \(low, high\), got 3 values"),
    "fmts is a number": (lambda: d2l.plot([1, 2], fmts=3), TypeError, r"plot: fmts must be a line format"),
    "set_axes without an Axes": (lambda: d2l.set_axes(None, "x", "y", None, None, "linear", "linear", None),
                                 TypeError, r"set_axes: axes must be a matplotlib Axes \(e\.g\."),
}


@pytest.mark.parametrize("name", WRONG_ARGUMENTS)
def test_a_wrong_argument_is_one_line_naming_it_and_draws_nothing(name):
    call, error, message = WRONG_ARGUMENTS[name]
    d2l.plt.close("all")
    d2l.plot([1.0, 2.0, 3.0])  # the figure a failed call must leave alone
    with pytest.raises(error, match="^" + message) as raised:
        call()
    assert "\n" not in str(raised.value)
    assert raised.traceback[-1].frame.code.path.name == "plotting.py", "raised deep inside a library"
    assert lines_of(d2l.plt.gca()) == [([0, 1, 2], [1.0, 2.0, 3.0])], "drew before it checked"
    d2l.plt.rcParams["figure.figsize"] = [3.5, 2.5]


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float8_e4m3fn, torch.float16])
def test_pl51_floats_numpy_cannot_hold_are_drawn_as_float32(dtype):
    # bfloat16 raised torch's "Got unsupported ScalarType BFloat16"
    d2l.plot(torch.tensor([1.0, 2.0, 0.5], dtype=dtype, requires_grad=dtype != torch.float8_e4m3fn))
    assert lines_of(d2l.plt.gca()) == [([0, 1, 2], [1.0, 2.0, 0.5])]


def test_a_list_of_strings_is_still_one_series_of_categories():
    d2l.plot([0, 1, 2], ["low", "mid", "high"])
    (line,) = d2l.plt.gca().get_lines()
    assert len(line.get_xdata()) == 3


def test_a_large_figure_that_can_be_drawn_is_accepted():
    d2l.set_figsize((40, 3))
    assert tuple(d2l.plt.rcParams["figure.figsize"]) == (40, 3)
    d2l.set_figsize()


ODD_INPUTS = {  # what d2l 1.0.3 does with each (checked below), and what we do (tests above)
    "generator of floats": (lambda d2l: d2l.plot(float(i) for i in range(5)), "raises TypeError"),
    "0-d tensors that require grad": (
        lambda d2l: d2l.plot([torch.tensor(float(i), requires_grad=True) for i in range(3)]), "raises RuntimeError"),
    "0-d tensors": (lambda d2l: d2l.plot([torch.tensor(float(i)) for i in range(3)]), "one-point lines"),
    "range as X": (lambda d2l: d2l.plot(range(5)), "one-point lines"),
    "fmts=()": (lambda d2l: d2l.plot([1.0, 2.0], fmts=()), "draws nothing"),
    "figsize=None": (lambda d2l: d2l.plot([1.0, 2.0], figsize=None), "raises ValueError"),
}


@pytest.mark.parametrize("name", ODD_INPUTS)
def test_what_d2l_does_with_the_odd_inputs(name):
    from test_d2l_parity import load_d2l_functions  # skips without d2l

    reference = load_d2l_functions()
    call, behaviour = ODD_INPUTS[name]
    d2l.plt.close("all")
    if behaviour.startswith("raises"):
        with pytest.raises(getattr(builtins, behaviour.split()[1])):
            call(reference)
    else:
        call(reference)
        lines = d2l.plt.gca().get_lines()
        if behaviour == "draws nothing":
            assert lines == []
        else:
            assert lines and all(len(line.get_xdata()) == 1 for line in lines)
    d2l.plt.rcParams["figure.figsize"] = [3.5, 2.5]
