"""Each notebook's kernel is started while the notebook before it runs: nbval's kernels, warmed.

nbval starts a fresh kernel for every notebook, in its setup, and the notebook then waits for
the kernel process to start and for its first cell to import torch: about two seconds a notebook
on a laptop, most of the suite's floor. This plugin (``-p warm_kernels``, in pyproject.toml)
keeps every notebook in a kernel of its own, fresh, started in the notebook's folder as nbval
starts it, but starts it ahead of time, in a background thread, while the previous notebook
runs, and has it import torch and numpy there (silently: no output, no execution count, nothing
the notebook can see but the time saved). When nbval asks for a kernel, it gets that one and the
next is started.

One spare kernel per pytest process may be started and never used; it is shut down at the end.
``--no-warm-kernels`` turns it off (nbval's own kernel start, for comparison; benchmarks/run.py
measures both).
"""

from __future__ import annotations

import threading

import pytest

WARM_UP = "import torch, numpy"


def pytest_addoption(parser):
    parser.addoption("--no-warm-kernels", action="store_true",
                     help="start each notebook's kernel when it is needed, as plain nbval does")


class KernelPool:
    """At most one spare kernel per (kernel name, folder), started in the background."""

    def __init__(self, make_kernel):
        self.make_kernel = make_kernel
        self.spare: dict[tuple, tuple[threading.Thread, dict]] = {}
        self.lock = threading.Lock()

    def _start(self, key, startup_timeout):
        box: dict = {}

        def run():
            try:
                kernel = self.make_kernel(key[0], cwd=key[1], startup_timeout=startup_timeout)
                message = kernel.kc.execute(WARM_UP, silent=True, store_history=False)
                kernel.await_idle(message, timeout=120)
                box["kernel"] = kernel
            except BaseException as error:  # handed to the notebook that takes this kernel
                box["error"] = error

        thread = threading.Thread(target=run, name=f"warm-kernel {key[1]}", daemon=True)
        thread.start()
        return thread, box

    def take(self, kernel_name, cwd=None, startup_timeout=60):
        key = (kernel_name, cwd)
        with self.lock:
            waiting = self.spare.pop(key, None)
            self.spare[key] = self._start(key, startup_timeout)  # the next notebook's, from now on
        if waiting is None:
            return self.make_kernel(kernel_name, cwd=cwd, startup_timeout=startup_timeout)
        thread, box = waiting
        thread.join()
        if "error" in box:  # the warm start failed: start one the plain way, and say nothing more
            return self.make_kernel(kernel_name, cwd=cwd, startup_timeout=startup_timeout)
        return box["kernel"]

    def close(self):
        with self.lock:
            spares, self.spare = list(self.spare.values()), {}
        for thread, box in spares:
            thread.join(timeout=120)
            kernel = box.get("kernel")
            if kernel is not None and kernel.is_alive():
                kernel.stop()


_pool: KernelPool | None = None


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    global _pool
    option = config.option
    if not (getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)) or option.no_warm_kernels:
        return
    import nbval.plugin

    _pool = KernelPool(nbval.plugin.RunningKernel)
    nbval.plugin.RunningKernel = _pool.take  # what IPyNbFile.setup calls to start a notebook's kernel


def pytest_collection_modifyitems(session, config, items):
    """No notebook to run in this process (unit tests only): no kernel is started ahead."""
    from nbval.plugin import IPyNbCell

    global _pool
    if _pool is not None and not any(isinstance(item, IPyNbCell) for item in items):
        _restore()


def _restore():
    global _pool
    import nbval.plugin

    if _pool is not None:
        nbval.plugin.RunningKernel = _pool.make_kernel
        _pool.close()
        _pool = None


def pytest_unconfigure(config):
    _restore()
