"""Student handouts: the notebooks without their worked solutions.

``python -m d2lhelpers handout OUT_DIR`` writes every notebook of ``notebooks/``
into OUT_DIR without the cells tagged ``solution`` and with the outputs of the
exercise cells cleared, for instructors who reveal the solutions later. It uses
nbconvert's own preprocessors on nbformat notebooks, never hand-edited JSON.
It refuses to write into the notebooks' folder (or below it), and refuses to
replace an existing file that differs unless told to with ``--force``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .extract import DEFAULT_NOTEBOOKS, ExtractError, notebook_paths, read_notebook

SOLUTION_TAG = "solution"
EXERCISES_HEADING = re.compile(r"^##\s+Exercises", re.MULTILINE)
COMPANION_FILES = ("rise.css",)  # copied along so the handout's slides look the same


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
    return handout


def _refuse_sources(out_dir: Path, notebooks: Path) -> None:
    out, source = out_dir.resolve(), notebooks.resolve()
    if out == source or source in out.parents:
        raise HandoutError(f"refusing to write handouts into {notebooks} (the source notebooks' folder "
                           "or below it): choose another OUT_DIR")


def write_handouts(out_dir: Path, notebooks: Path = DEFAULT_NOTEBOOKS, force: bool = False) -> list[Path]:
    """Write the handouts of every notebook into ``out_dir``; returns the files written."""
    nbformat, _, _ = _nbconvert()
    _refuse_sources(out_dir, notebooks)
    sources = notebook_paths(notebooks)
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
    for target, text, source in planned:
        if target.resolve() == source.resolve():
            raise HandoutError(f"refusing to overwrite the source notebook {source}")
        if target.exists() and target.read_text(encoding="utf-8") != text and not force:
            raise HandoutError(f"{target} exists and differs from the new handout; remove it or pass --force")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for target, text, _ in planned:
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_text(text, encoding="utf-8")
        shutil.move(temporary, target)
        written.append(target)
    return written
