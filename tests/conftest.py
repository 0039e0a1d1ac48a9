"""Shared test setup: a headless matplotlib backend and paths into the repository."""

import os
from pathlib import Path

import matplotlib
import pytest

import background

matplotlib.use("Agg")  # unit tests draw off screen; notebooks use the inline backend

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "notebooks" / "en"  # the English edition: executed by nbval, the source of the saved helpers
NOTEBOOKS = sorted(ENGLISH.glob("*.ipynb"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config):
    config.addinivalue_line("markers", "chinese: checks the Chinese edition (deselect with -m 'not chinese' "
                                       "for the English-only suite, as benchmarks/run.py does to compare)")


CHINESE_TESTS = ("chinese", "zh-cn", "test_translation.py")


def pytest_collection_modifyitems(config, items):
    """Mark the tests of the Chinese edition, found by name: `pytest -m "not chinese"` is the English-only suite."""
    for item in items:
        if any(word in item.nodeid.lower() for word in CHINESE_TESTS):
            item.add_marker(pytest.mark.chinese)


def pytest_collection_finish(session):
    """Start the slow set-ups of the collected tests in the background (background.py)."""
    background.start(session.items, session.config)


def pytest_unconfigure(config):
    background.stop()
