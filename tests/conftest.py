"""Shared test setup: a headless matplotlib backend and paths into the repository."""

import os
from pathlib import Path

import matplotlib
import pytest

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

