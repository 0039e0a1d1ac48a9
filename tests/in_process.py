"""Run a tool script (``python tools/x.py ...``) or ``python -m module`` in this process, as its own process would.

A fresh interpreter costs about 1.4 s here (most of it importing nbformat); the tools' own work on
a notebook takes milliseconds. Where a test is about what a tool does, not about it being a separate
process, ``run_script`` runs the script's code as ``__main__`` (``runpy``), with what ``python
script.py ARGS`` gives it: ``sys.argv``, the script's folder first on ``sys.path``, the working
directory, its own fresh copies of the modules of that folder (a copied ``tools/`` imports its own
``notebook_files``, whose ROOT is the copy's), and Python's default warning filters, warnings
printed to its stderr. Its exit code is what the interpreter's would be: ``sys.exit(n)`` gives n,
``sys.exit()`` 0, an uncaught exception prints its traceback to stderr and gives 1. It returns a
``subprocess.CompletedProcess``, so a test reads ``returncode``, ``stdout`` and ``stderr`` as before.

Every command line keeps at least one test that starts it as a real process (the entry point
itself: ``if __name__ == "__main__": sys.exit(main())``).
"""

from __future__ import annotations

import contextlib
import io
import os
import runpy
import subprocess
import sys
import traceback
import warnings
from pathlib import Path

# what Python 3.10-3.13 filter by default (no -W option, no -X dev): sys.warnoptions is empty
DEFAULT_FILTERS = [("default", DeprecationWarning, "__main__"), ("ignore", DeprecationWarning, ""),
                   ("ignore", PendingDeprecationWarning, ""), ("ignore", ImportWarning, ""),
                   ("ignore", ResourceWarning, "")]


def _exit_code(code, stderr) -> int:
    """What the interpreter makes of ``SystemExit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=stderr)
    return 1


def run_script(script, *args, cwd=None) -> subprocess.CompletedProcess:
    """``python script *args`` (in ``cwd``), run in this process; see the module docstring."""
    script = Path(script).resolve()
    own = {path.stem for path in script.parent.glob("*.py")}  # the modules `import x` finds beside the script
    return _run(lambda: runpy.run_path(str(script), run_name="__main__"), [str(script), *map(str, args)],
                str(script.parent), own, cwd, [str(script)])


def run_module(module, *args, cwd=None) -> subprocess.CompletedProcess:
    """``python -m module *args`` (in ``cwd``), run in this process: ``runpy.run_module`` as ``-m`` does."""
    return _run(lambda: runpy.run_module(module, run_name="__main__", alter_sys=True), [module, *map(str, args)],
                os.getcwd() if cwd is None else str(Path(cwd).resolve()), set(), cwd, ["-m", module])


def _run(main, argv, first_on_path, own, cwd, command) -> subprocess.CompletedProcess:
    saved_modules = {name: module for name, module in sys.modules.items() if name.split(".")[0] in own}
    for name in saved_modules:
        del sys.modules[name]
    saved_path, saved_argv, saved_cwd = list(sys.path), sys.argv, os.getcwd()
    stdout, stderr = io.StringIO(), io.StringIO()
    sys.path.insert(0, first_on_path)
    sys.argv = argv

    def show(message, category, filename, lineno, file=None, line=None):
        stderr.write(warnings.formatwarning(message, category, filename, lineno, line))

    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr), warnings.catch_warnings():
            warnings.resetwarnings()
            for action, category, module in reversed(DEFAULT_FILTERS):
                warnings.filterwarnings(action, category=category, module=module)
            warnings.showwarning = show
            try:
                main()
                returncode = 0
            except SystemExit as exit:
                returncode = _exit_code(exit.code, stderr)
            except Exception:
                traceback.print_exc(file=stderr)
                returncode = 1
    finally:
        os.chdir(saved_cwd)
        sys.path[:], sys.argv = saved_path, saved_argv
        for name in [name for name in sys.modules if name.split(".")[0] in own]:
            del sys.modules[name]
        sys.modules.update(saved_modules)
    return subprocess.CompletedProcess([sys.executable, *command, *argv[1:]], returncode,
                                       stdout.getvalue(), stderr.getvalue())
