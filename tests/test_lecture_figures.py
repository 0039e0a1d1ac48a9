"""Lecture mode enlarges every figure with its text, including figures given an explicit size."""

import matplotlib.pyplot as plt
import pytest

import d2lhelpers as d2l
from d2lhelpers.lecture import FIGSIZE_SCALE, MAX_WIDTH


@pytest.fixture
def lecture():
    d2l.lecture_mode()
    yield
    d2l.lecture_mode(False)


def test_subplots_with_a_figsize_grow_in_lecture_mode(lecture):
    fig, axes = plt.subplots(1, 2, figsize=(4, 3))
    assert tuple(fig.get_size_inches()) == pytest.approx((4 * FIGSIZE_SCALE, 3 * FIGSIZE_SCALE))


def test_wide_figures_grow_only_up_to_what_a_projected_notebook_shows(lecture):
    fig, axes = plt.subplots(1, 2, figsize=(7, 3))
    assert tuple(fig.get_size_inches()) == pytest.approx((MAX_WIDTH, 3 * MAX_WIDTH / 7))
    assert tuple(plt.figure(figsize=(12, 3)).get_size_inches()) == pytest.approx((12, 3)), "never made smaller"


def test_figure_with_a_positional_figsize_grows(lecture):
    fig = plt.figure(5, (4, 2))
    assert fig.number == 5
    assert tuple(fig.get_size_inches()) == pytest.approx((4 * FIGSIZE_SCALE, 2 * FIGSIZE_SCALE))


def test_text_and_figure_grow_by_a_similar_factor(lecture):
    """The legend takes about the same share of a panel as in normal mode, so it hides no more data."""
    def legend_share():
        fig, ax = plt.subplots(figsize=(5, 3))
        ax.plot([0, 1], [0, 1], label="a long legend label")
        legend = ax.legend()
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        return legend.get_window_extent(renderer).width / ax.get_window_extent(renderer).width

    lecture_share = legend_share()
    d2l.lecture_mode(False)
    normal_share = legend_share()
    d2l.lecture_mode()
    assert lecture_share < 1.25 * normal_share, (lecture_share, normal_share)


def test_default_size_and_d2l_plot_are_not_enlarged_twice(lecture):
    d2l.plot([0, 1], [[0, 1]], figsize=(3.5, 2.5))
    assert tuple(plt.gcf().get_size_inches()) == pytest.approx((3.5 * FIGSIZE_SCALE, 2.5 * FIGSIZE_SCALE))
    assert tuple(plt.figure().get_size_inches()) == pytest.approx(tuple(plt.rcParams["figure.figsize"]))


def test_off_restores_pyplot_figure():
    original = plt.figure
    d2l.lecture_mode()
    d2l.lecture_mode()
    assert plt.figure is not original
    d2l.lecture_mode(False)
    assert plt.figure is original
    assert tuple(plt.figure(figsize=(7, 3)).get_size_inches()) == pytest.approx((7, 3))
