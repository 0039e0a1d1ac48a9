"""Move to new releases: update uv.lock, re-execute every notebook with them, and record them.

    uv run python tools/upgrade.py                    # every package to its newest allowed release
    uv run python tools/upgrade.py --package torch    # one package (repeat --package for more)
    uv run python tools/upgrade.py --no-lock          # keep uv.lock; re-execute with what it pins

The stored outputs must come from the versions uv.lock pins (tests/test_lock.py checks torch,
numpy and matplotlib against each notebook's ``metadata.d2lhelpers.outputs_made_with``). So this
runs, in order, stopping at the first failure:

1. ``uv lock --upgrade`` (or ``--upgrade-package NAME``), then ``uv sync``: the environment of
   README's commands, with the new versions;
2. ``tools/execute_notebooks.py`` in that environment: every English notebook from a fresh kernel,
   which records the versions; a notebook whose untagged cell fails is not written;
3. ``tools/translation.py sync``: the Chinese edition gets the new outputs.

Then read ``git diff``: every changed output is something a new release changed for students.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command: list[str]) -> None:
    print("+", " ".join(command), flush=True)
    completed = subprocess.run(command, cwd=ROOT)
    if completed.returncode != 0:
        print(f"upgrade.py: '{' '.join(command)}' failed (exit {completed.returncode}); stopping", file=sys.stderr)
        sys.exit(completed.returncode or 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", action="append", default=[], help="upgrade only this package (repeatable)")
    parser.add_argument("--no-lock", action="store_true", help="keep uv.lock; only re-execute and record")
    args = parser.parse_args(argv)
    uv = shutil.which("uv")
    if uv is None:
        print("upgrade.py: needs uv on the PATH (README.md: install uv)", file=sys.stderr)
        return 2
    if not args.no_lock:
        upgrade = [f"--upgrade-package={name}" for name in args.package] or ["--upgrade"]
        run([uv, "lock", *upgrade])
    run([uv, "sync"])
    run([uv, "run", "python", "tools/execute_notebooks.py"])
    run([uv, "run", "python", "tools/translation.py", "sync"])
    print("upgrade.py: done; review git diff, then run uv run pytest")
    return 0


if __name__ == "__main__":
    sys.exit(main())
