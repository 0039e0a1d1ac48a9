"""Shared by the notebook tools: find the notebooks of each edition, read them, rewrite them safely.

- ``notebook_paths()``: every notebook of every edition folder that exists (``notebooks/en/``,
  then ``notebooks/zh-CN/``; ``d2lhelpers/editions.py``), or of one folder.
- ``read(path)``: the notebook, or exit 2 with one line naming the file (and the cell, for a
  notebook that breaks the nbformat schema). Cells without an id get a reproducible one, so a
  rerun writes the same bytes.
- ``rewrite(paths, transform, check)``: applies a tool's transform and writes each notebook whose
  text changes through ``d2lhelpers.atomic.write_atomically``: a temporary file in the same
  folder, fsync, rename. A full disk, a file-size limit or a crash leaves the old notebook whole;
  an error is one line and exit 2. A notebook that is a symbolic link is written where it points.

Each tool owns a few keys or cells (its docstring says which) and keeps everything else: every
other cell, output and metadata key, at every level, comes back as it was
(tests/test_maintainer_tools.py checks it on a notebook full of foreign content).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the tools run as scripts (python tools/x.py), with or without pip install -e .
    sys.path.insert(1, str(ROOT))

from d2lhelpers.atomic import WriteError, write_atomically  # noqa: E402
from d2lhelpers.editions import EDITIONS, edition_of  # noqa: E402,F401  (edition_of: for the tools)
from d2lhelpers.extract import ExtractError, read_nbformat  # noqa: E402

NOTEBOOKS = ROOT / "notebooks" / "en"  # the English edition: the source of every saved helper


def edition_folders() -> list[Path]:
    """The folders of the editions that exist: notebooks/en/, then notebooks/zh-CN/."""
    return [ROOT / "notebooks" / edition.folder for edition in EDITIONS
            if (ROOT / "notebooks" / edition.folder).is_dir()]


def notebook_paths(folder: Path | None = None) -> list[Path]:
    """The notebooks of one folder, or of every edition, in file-name order; hidden files are not notebooks."""
    folders = [folder] if folder is not None else edition_folders()
    return [path for each in folders for path in sorted(each.glob("*.ipynb"))
            if path.is_file() and not path.name.startswith(".")]


def arguments(doc: str, check_help: str, argv: list[str] | None) -> tuple[list[Path], bool]:
    """The command line of a notebook tool: optional notebook paths (default: all) and --check."""
    import argparse

    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help=check_help)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="default: every notebook of every edition (notebooks/en/, notebooks/zh-CN/)")
    args = parser.parse_args(argv)
    return args.notebooks or notebook_paths(), args.check


def fail(message: str) -> None:
    """One line on stderr and exit 2: what the tools do on any error."""
    print(message, file=sys.stderr)
    sys.exit(2)


def read(path: Path) -> nbformat.NotebookNode:
    """The notebook, or exit 2 with one line naming the file (and the cell of a schema error)."""
    try:
        return read_nbformat(Path(path))
    except ExtractError as error:
        fail(f"{error}; not a readable notebook, so it is left untouched")


def rewrite(paths: list[Path], transform: Callable, check: bool) -> list[Path]:
    """Apply ``transform(path, notebook) -> notebook`` to each notebook.

    Writes each file whose text changes, atomically, unless ``check``; returns the files that
    changed (or would change). Any error: one line naming the file, exit 2, the file untouched.
    """
    changed = []
    for path in paths:
        notebook = transform(path, read(path))
        try:
            after = nbformat.writes(notebook) + "\n"
        except Exception as error:  # nbformat raises many kinds of error on a notebook it cannot write
            fail(f"{path}: cannot be written as a notebook ({type(error).__name__}: {error}); it is left untouched")
        # compared as written, so a notebook with CRLF line endings counts as changed; written
        # with LF on every system (.gitattributes: *.ipynb eol=lf)
        if path.read_bytes() != after.encode("utf-8"):
            changed.append(path)
            if not check:
                try:
                    write_atomically(path, after, links="follow")
                except WriteError as error:
                    fail(f"{error}; {path} is left untouched")
    return changed


def report(changed: list[Path], total: int, check: bool, what: str, tool: str) -> int:
    """Print what a tool did (or, with --check, what is stale); the exit code: 1 when stale."""
    if check and changed:
        print(f"{what} is stale in: {', '.join(p.name for p in changed)}; run python tools/{tool}", file=sys.stderr)
        return 1
    print(f"{'checked' if check else 'updated'} {what} of {total} notebooks ({len(changed)} changed)")
    return 0
