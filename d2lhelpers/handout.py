"""Student handouts: the notebooks without their worked solutions.

``python -m d2lhelpers handout OUT_DIR`` writes every notebook of ``notebooks/en/`` (or ``--notebooks DIR``)
into OUT_DIR without the cells tagged ``solution`` and with the outputs of the
exercise cells cleared, for instructors who reveal the solutions later. It uses
nbconvert's own preprocessors on nbformat notebooks, never hand-edited JSON.
It refuses to write into (or below) any folder that holds a source notebook, the
repository's ``notebooks/`` tree included, with or without ``--force``; it never writes
through a link planted in OUT_DIR (each file is written to a new, randomly named
temporary file and renamed), and it refuses to replace an existing file that differs
unless told to with ``--force``. In the handout, the exercises' "try each one before you
open the worked solution" line says instead that the solutions are not included.
"""

from __future__ import annotations

import re
from pathlib import Path

from .extract import DEFAULT_NOTEBOOKS, ExtractError, _new_file_mode, notebook_paths, read_notebook, write_atomically

SOLUTION_TAG = "solution"
EXERCISES_HEADING = re.compile(r"^##\s+Exercises", re.MULTILINE)
COMPANION_FILES = ("rise.css",)  # copied along so the handout's slides look the same
# "Try each one before you open the worked solution below it (click ...)." and the index's
# "Try each exercise before you expand its worked solution: ...": one sentence, up to its full stop
# (a full stop followed by a space or the end; "`...`" is not one), within one paragraph.
TRY_FIRST = re.compile(r"Try each (?:one|exercise) before you (?:open|expand)(?:[^.\n]|\n(?!\n)|\.(?!\s|$))*\.(?=\s|$)")
NO_SOLUTIONS = "Try each one yourself: the worked solutions are not part of this handout."


class HandoutError(ExtractError):
    """The handout cannot be written; the message says why and where."""


def _nbconvert():
    try:
        import nbformat
        from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise HandoutError(f"handout needs nbformat and nbconvert ({error.name} is missing): "
                           "pip install -e '.[lab]'") from None
    return nbformat, ClearOutputPreprocessor, TagRemovePreprocessor


def make_handout(notebook):
    """The handout version of one nbformat notebook (a new object; the input is untouched)."""
    nbformat, ClearOutputPreprocessor, TagRemovePreprocessor = _nbconvert()
    handout = nbformat.from_dict(notebook)
    handout, _ = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}).preprocess(handout, {})
    start = next((i for i, cell in enumerate(handout.cells)
                  if cell.cell_type == "markdown" and EXERCISES_HEADING.search(cell.source)), None)
    if start is not None:
        exercises = nbformat.v4.new_notebook(cells=handout.cells[start:])
        ClearOutputPreprocessor().preprocess(exercises, {})
        handout.cells[start:] = exercises.cells
    for cell in handout.cells:  # the solutions are gone: do not tell students to expand them
        if cell.cell_type == "markdown" and TRY_FIRST.search(cell.source):
            cell.source = TRY_FIRST.sub(NO_SOLUTIONS, cell.source)
    return handout


def _refuse_sources(out_dir: Path, notebooks: Path, sources: list[Path]) -> None:
    """No handout goes into, or below, a folder that holds a source notebook.

    Those are the repository's notebooks/ (both editions), the --notebooks folder, and the real
    folder of every source notebook (a notebook may be a link into another folder).
    """
    out = out_dir.resolve()
    forbidden = {DEFAULT_NOTEBOOKS.parent.resolve(), notebooks.resolve()}
    forbidden |= {path.resolve().parent for path in sources}
    for folder in sorted(forbidden):
        if out == folder or folder in out.parents:
            raise HandoutError(f"refusing to write handouts into {out_dir}: it is, or is inside, {folder}, "
                               "which holds source notebooks; choose another OUT_DIR")


def _check_out_dir(out_dir: Path) -> None:
    """OUT_DIR must be a folder, or a path whose existing part is a folder."""
    if out_dir.exists() and not out_dir.is_dir():
        raise HandoutError(f"OUT_DIR {out_dir} is a file, not a folder; choose a folder")
    for parent in out_dir.parents:
        if parent.exists():
            if not parent.is_dir():
                raise HandoutError(f"OUT_DIR {out_dir} runs through {parent}, which is a file, not a folder")
            break


def write_handouts(out_dir: Path, notebooks: Path = DEFAULT_NOTEBOOKS, force: bool = False) -> list[Path]:
    """Write the handouts of every notebook into ``out_dir``; returns the files written."""
    nbformat, _, _ = _nbconvert()
    _check_out_dir(out_dir)
    sources = notebook_paths(notebooks)
    _refuse_sources(out_dir, notebooks, sources)
    if not sources:
        raise HandoutError(f"no notebooks in {notebooks}")
    planned = []
    for path in sources:
        read_notebook(path)  # one clear error for a broken notebook, before anything is written
        handout = make_handout(nbformat.read(path, as_version=4))
        nbformat.validate(handout)
        planned.append((out_dir / path.name, nbformat.writes(handout) + "\n", path))
    for name in COMPANION_FILES:
        if (notebooks / name).is_file():
            planned.append((out_dir / name, (notebooks / name).read_text(encoding="utf-8"), notebooks / name))
    protected = {path.resolve() for path in sources} | {source.resolve() for _, _, source in planned}
    for target, text, source in planned:
        if target.resolve() in protected:
            raise HandoutError(f"refusing to write {target}: it is, or links to, the source file "
                               f"{target.resolve()}; remove the link or choose another OUT_DIR")
        if target.is_dir():
            raise HandoutError(f"{target} is a folder, so the handout {target.name} cannot be written there; "
                               "rename the folder or choose another OUT_DIR")
        if target.exists() and not force:
            try:
                same = target.read_text(encoding="utf-8") == text
            except (OSError, UnicodeDecodeError):
                same = False
            if not same:
                raise HandoutError(f"{target} exists and differs from the new handout; remove it or pass --force")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise HandoutError(f"cannot make the folder {out_dir}: {error.strerror or error}") from None
    written = []
    for target, text, _ in planned:
        # a new randomly named temporary file (O_EXCL) and a rename: never through a planted link,
        # never a half-written file, and concurrent handouts do not collide
        # a link itself is replaced, never followed, and the new file gets the umask's mode
        write_atomically(target, text, mode=_new_file_mode() if target.is_symlink() else None)
        written.append(target)
    return written
