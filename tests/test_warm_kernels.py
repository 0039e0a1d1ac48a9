"""tests/warm_kernels.py: when it warms kernels, and when it must not."""

from types import SimpleNamespace

import warm_kernels


def config(worker: bool = False, **option):
    options = {"nbval": True, "nbval_lax": False, "no_warm_kernels": False, **option}
    made = SimpleNamespace(option=SimpleNamespace(**options))
    if worker:
        made.workerinput = {"workerid": "gw0"}  # what pytest-xdist gives each worker's config
    return made


def test_on_for_nbval_runs_only():
    assert warm_kernels._enabled(config())
    assert warm_kernels._enabled(config(nbval=False, nbval_lax=True))
    assert not warm_kernels._enabled(config(nbval=False))
    assert not warm_kernels._enabled(config(no_warm_kernels=True))


def test_off_in_an_xdist_worker_which_cannot_know_its_next_notebook():
    assert not warm_kernels._enabled(config(worker=True))
