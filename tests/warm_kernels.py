"""Each notebook's kernel is started while the notebook before it runs: nbval's kernels, warmed.

nbval starts a fresh kernel for every notebook, in its setup, and the notebook then waits for
the kernel process to start, and for its cells to import torch (about 1 s), matplotlib's pyplot
(0.3 s) and, the first time ``torch.func`` or an optimizer runs, ``torch._dynamo`` (1 s): most
of what a notebook costs beyond its own work. This plugin (``-p warm_kernels``, in
pyproject.toml) keeps every notebook in a kernel of its own, fresh, started in the notebook's
folder as nbval starts it, but starts it ahead of time, in a background thread, while the
previous notebook runs, and has it import there the heavy modules that notebook's code will
import anyway: torch and numpy always, pyplot if it plots, ``torch._dynamo`` if it uses
``torch.func`` or ``torch.optim``. The imports run silently: no output, no execution count,
nothing the notebook can see but the time saved. When nbval asks for the kernel of a notebook,
it gets that one, and the next notebook's is started.

At most AHEAD kernels per pytest process are started ahead (two: short notebooks in a row would
otherwise leave too little time to start the next one); any not used is shut down at the end.
The first notebook's kernel is started as soon as the tests are collected, so that in README's
`pytest` it starts while the unit tests run.
Under pytest-xdist nothing is warmed (``_enabled`` says why). ``--no-warm-kernels`` turns it
off: nbval's own kernel start, for comparison (``benchmarks/run.py`` measures both).
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

AHEAD = 2
ALWAYS = "import torch, numpy"
PLOTS = re.compile(r"matplotlib|d2l\.(?:plot|use_svg_display|set_figsize|draw_graph)|\bplt\.")
DYNAMO = re.compile(r"torch\.func\b|from torch\.func\b|torch\.optim\b|forward_ad")


def warm_up(notebook: Path) -> str:
    """The imports a notebook's code makes anyway, to run in its kernel before it starts."""
    try:
        import nbformat

        code = "\n".join(cell.source for cell in nbformat.read(notebook, as_version=4).cells
                         if cell.cell_type == "code")
    except Exception:  # unreadable: nbval reports it; the warm-up stays minimal
        return ALWAYS
    lines = [ALWAYS]
    if PLOTS.search(code):
        lines.append("import matplotlib.pyplot")
    if DYNAMO.search(code):
        lines.append("import torch._dynamo")
    return "\n".join(lines)


def pytest_addoption(parser):
    parser.addoption("--no-warm-kernels", action="store_true",
                     help="start each notebook's kernel when it is needed, as plain nbval does")


class KernelPool:
    """Kernels started ahead, for the notebooks that come next."""

    def __init__(self, make_kernel):
        self.make_kernel = make_kernel
        self.order: list[Path] = []  # the notebooks in the order this process collected them
        self.spares: dict[Path, tuple[threading.Thread, dict]] = {}
        self.lock = threading.Lock()

    def _start(self, notebook: Path, kernel_name: str, startup_timeout: int):
        box: dict = {"name": kernel_name}

        def run():
            try:
                kernel = self.make_kernel(kernel_name, cwd=str(notebook.parent), startup_timeout=startup_timeout)
                message = kernel.kc.execute(warm_up(notebook), silent=True, store_history=False)
                kernel.await_idle(message, timeout=300)
                box["kernel"] = kernel
            except BaseException as error:  # the notebook that takes this kernel starts one itself
                box["error"] = error

        thread = threading.Thread(target=run, name=f"warm kernel for {notebook.name}", daemon=True)
        thread.start()
        return thread, box

    def upcoming(self, notebook: Path) -> list[Path]:
        """The AHEAD notebooks after this one, in this process's order (same folder: same kernel cwd)."""
        if notebook not in self.order:
            return []
        position = self.order.index(notebook)
        return [path for path in self.order[position + 1 : position + 1 + AHEAD] if path.parent == notebook.parent]

    def start_ahead(self, notebook: Path, kernel_name: str, startup_timeout: int):
        """Start the kernel of ``notebook`` now (the first notebook's, once the tests are collected)."""
        with self.lock:
            if notebook not in self.spares:
                self.spares[notebook] = self._start(notebook, kernel_name, startup_timeout)

    def take(self, notebook: Path, kernel_name: str, startup_timeout: int):
        """The kernel for ``notebook``: the one started ahead for it, or a new one."""
        with self.lock:
            waiting = self.spares.pop(notebook, None)
            for path in self.upcoming(notebook):
                if path not in self.spares:
                    self.spares[path] = self._start(path, kernel_name, startup_timeout)
        if waiting is not None:
            thread, box = waiting
            thread.join()
            kernel = box.get("kernel")
            if kernel is not None and box["name"] != kernel_name:  # started for another kernel spec
                kernel.stop()
            elif kernel is not None:
                try:
                    return _own_client(kernel, startup_timeout)
                except Exception:  # the warmed kernel does not answer: the notebook gets a new one
                    kernel.stop()
        return self.make_kernel(kernel_name, cwd=str(notebook.parent), startup_timeout=startup_timeout)

    def close(self):
        with self.lock:
            spares, self.spares = list(self.spares.values()), {}
        for thread, box in spares:
            thread.join(timeout=300)
            kernel = box.get("kernel")
            if kernel is not None and kernel.is_alive():
                kernel.stop()


def _own_client(kernel, startup_timeout: int):
    """The warmed kernel with a client made in this (the test's) thread, ready within nbval's
    kernel start-up timeout (``--nbval-kernel-startup-timeout``, 60 s unless told).

    The client the background thread used is closed: a notebook's messages never go through
    sockets another thread made. (Once, on Python 3.10, the first cell of a warmed notebook got
    no reply from its idle kernel until nbval's 600 s timeout; the cause is not established.)
    """
    kernel.kc.stop_channels()
    kernel.kc = kernel.km.client()
    kernel.kc.start_channels()
    kernel.kc.wait_for_ready(timeout=float(startup_timeout))  # the option arrives as text from the command line
    kernel._ensure_iopub_up()
    return kernel


_pool: KernelPool | None = None
_original_setup = None


def _enabled(config) -> bool:
    """On for nbval runs, off with --no-warm-kernels and in pytest-xdist's workers.

    A worker cannot know which notebook it runs next (``--dist loadfile`` hands out files as
    workers free up), so it would warm kernels for notebooks another worker runs: on 2 cores
    `pytest -n 2 --dist loadfile notebooks/en` took 153.5 s with warming and 71.9 s without
    (benchmarks/run.py). Two workers already overlap one notebook's kernel start with another's run.
    """
    option = config.option
    return bool((getattr(option, "nbval", False) or getattr(option, "nbval_lax", False))
                and not option.no_warm_kernels and not hasattr(config, "workerinput"))


def _kernel_name(config, notebook: Path) -> str:
    """The kernel spec nbval will ask for (nbval.plugin.IPyNbFile.setup decides it the same way)."""
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME

    if config.option.nbval_current_env:
        return CURRENT_ENV_KERNEL_NAME
    if config.option.nbval_kernel_name:
        return config.option.nbval_kernel_name
    try:
        import nbformat

        return nbformat.read(notebook, as_version=4).metadata.get("kernelspec", {}).get("name", "python")
    except Exception:  # unreadable: nbval reports it; a kernel started for the wrong name is not used
        return "python"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Know the notebooks in the order this process runs them; patch nbval's kernel start."""
    global _pool, _original_setup
    if not _enabled(config):
        return
    from nbval.plugin import IPyNbCell, IPyNbFile, RunningKernel

    order = []
    for item in items:
        if isinstance(item, IPyNbCell) and Path(item.parent.path) not in order:
            order.append(Path(item.parent.path))
    if not order or _pool is not None:
        return
    _pool = KernelPool(RunningKernel)
    _pool.order = order
    _pool.start_ahead(order[0], _kernel_name(config, order[0]), config.option.nbval_kernel_startup_timeout)
    _original_setup = IPyNbFile.setup

    def setup(self):
        import nbval.plugin

        path, startup = Path(self.path), self.config.option.nbval_kernel_startup_timeout
        nbval.plugin.RunningKernel = lambda name, cwd=None, startup_timeout=startup: _pool.take(path, name, startup)
        try:
            _original_setup(self)
        finally:
            nbval.plugin.RunningKernel = _pool.make_kernel

    IPyNbFile.setup = setup


def pytest_unconfigure(config):
    global _pool, _original_setup
    if _pool is not None:
        from nbval.plugin import IPyNbFile

        IPyNbFile.setup = _original_setup
        _pool.close()
        _pool, _original_setup = None, None
