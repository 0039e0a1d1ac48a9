"""Student handouts: the notebooks without their worked solutions.

``python -m d2lhelpers handout OUT_DIR`` writes every notebook of ``notebooks/en/`` (or of
``--notebooks DIR``: ``--notebooks notebooks/zh-CN`` for the Chinese edition) into OUT_DIR,
for instructors who reveal the solutions later. Each handout is its notebook

- without the cells tagged ``solution``. A tag that nearly is that one (``Solution``,
  ``solutions``, ``solution `` with a space, ...) is an error naming the cell, and so is an
  untagged cell whose first line is a solution label (``Solution to exercise 2 (click to
  expand)``, ``练习 2 的解答（点击展开）``): either would put a solution in students' hands;
- with the outputs of the exercise cells cleared: every cell from the first exercises heading
  on (``## Exercises``, ``## Exercise``, ``### Exercises``, ``## 练习``, ...);
- with the exercises' "try each one before you open the worked solution" sentence (in either
  edition, ``d2lhelpers/editions.py``) saying instead that the solutions are not included;
- with only the notebook metadata a reader needs (KEPT_METADATA: the kernel, the slide settings
  and the record of the library versions). Everything else is dropped, ``widgets`` above all: an
  Output widget saves what a solution printed;
- with an id for every cell that had none, derived from its position and content, so that
  running the handout again writes the same file (nbformat would invent random ones).

Then a final scan compares the exact text about to be written with the solution cells of its
source: if any line of a solution's source or output that appears nowhere else in the notebook
survived, nothing at all is written. Broken or schema-invalid notebooks are one-line errors
naming the file and the cell (exit 2). It uses nbconvert's own preprocessors on nbformat
notebooks, never hand-edited JSON.

Where it writes:

- never into (or below) a folder that holds source notebooks (the repository's ``notebooks/``
  tree, both editions; the ``--notebooks`` folder; the real folder of every source notebook),
  nor the repository's ``tests/`` (pytest would collect the handouts) or the package folder, with
  or without ``--force``. Folders are compared as folders (``os.path.samefile``: device and
  inode), so a bind mount or another spelling of the path cannot disguise them;
- every file goes through ``d2lhelpers.atomic``: a random temporary file and a rename, never
  over a source file (a hard or symbolic link to one included), never over a device or a folder,
  never through a link planted in OUT_DIR (with ``--force`` such a link is itself replaced, and
  the file it points to is untouched);
- an existing file that differs is replaced only with ``--force``; every target is checked
  before the first file is written.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path

from . import editions
from .atomic import WriteError, check_target, write_atomically
from .extract import DEFAULT_NOTEBOOKS, PACKAGE_DIR, ExtractError, markdown_headings, notebook_name, notebook_paths, \
    nbformat_problem, read_nbformat

SOLUTION_TAG = "solution"
COMPANION_FILES = ("rise.css",)  # copied along so the handout's slides look the same
KEPT_METADATA = ("kernelspec", "language_info", "rise", "d2lhelpers")
# "Try each one before you open the worked solution below it (click ...)." and the index's
# "Try each exercise before you expand its worked solution: ...": one sentence, up to its full stop
# (a full stop followed by a space or the end; "`...`" is not one), within one paragraph.
TRY_FIRST = re.compile(r"Try each (?:one|exercise) before you (?:open|expand)(?:[^.\n]|\n(?!\n)|\.(?!\s|$))*\.(?=\s|$)")
TRY_FIRST_ZH = re.compile(r"每道(?:题|练习)请先自己动手(?:[^。\n]|\n(?!\n))*。")
NO_SOLUTIONS = editions.ENGLISH.no_solutions
REWRITES = ((TRY_FIRST, editions.ENGLISH.no_solutions), (TRY_FIRST_ZH, editions.CHINESE.no_solutions))
SHORTEST_LEAK = 4  # characters: a solution line shorter than this ('x', ')') proves nothing


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


# ----------------------------------------------------------------------------- what a handout holds

def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def _looks_like_the_solution_tag(tag) -> bool:
    if not isinstance(tag, str) or tag == SOLUTION_TAG:
        return False
    squeezed = re.sub(r"[\s_-]+", "", tag).lower()
    return squeezed in ("solution", "solutions", "解答") or \
        difflib.SequenceMatcher(None, squeezed, SOLUTION_TAG).ratio() >= 0.8


def _refuse_disguised_solutions(notebook, name: str) -> None:
    """A near-miss tag, or a solution label on an untagged cell: an error, never a silent leak."""
    for index, cell in enumerate(notebook.cells, start=1):
        tags = _tags(cell)
        for tag in tags:
            if _looks_like_the_solution_tag(tag):
                raise HandoutError(
                    f"{name}, cell {index}: the tag {tag!r} is not 'solution', so this cell would stay in the "
                    f"handout; write the tag exactly 'solution' (or rename it if the cell is not a solution)")
        first = cell.get("source", "").split("\n", 1)[0]
        if SOLUTION_TAG not in tags and editions.SOLUTION_LABEL.match(first):
            raise HandoutError(
                f"{name}, cell {index}: it starts with the solution label {first.strip()!r} but is not tagged "
                "'solution', so it would stay in the handout; tag it 'solution' (tools/solutions.py relabels it)")


def _is_exercises_heading(cell) -> bool:
    return cell.cell_type == "markdown" and any(
        editions.EXERCISES_HEADING.match(text) for _, text in markdown_headings(cell.source))


def make_handout(notebook, name: str = "the notebook"):
    """The handout version of one nbformat notebook (a new object; the input is untouched).

    ``name`` names the notebook in errors (a near-miss solution tag, an untagged solution).
    """
    nbformat, ClearOutputPreprocessor, TagRemovePreprocessor = _nbconvert()
    _refuse_disguised_solutions(notebook, name)
    handout = nbformat.from_dict(json.loads(json.dumps(notebook)))  # a deep copy
    handout, _ = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}).preprocess(handout, {})
    handout.metadata = nbformat.from_dict({key: notebook.metadata[key] for key in KEPT_METADATA
                                           if key in notebook.metadata})
    start = next((i for i, cell in enumerate(handout.cells) if _is_exercises_heading(cell)), None)
    if start is not None:
        exercises = nbformat.v4.new_notebook(cells=handout.cells[start:])
        ClearOutputPreprocessor().preprocess(exercises, {})
        handout.cells[start:] = exercises.cells
    for cell in handout.cells:  # the solutions are gone: do not tell students to expand them
        if cell.cell_type == "markdown":
            for pattern, replacement in REWRITES:
                cell.source = pattern.sub(replacement, cell.source)
    return handout


# ----------------------------------------------------------------------------- the final scan

def _strings(value, images: bool = False):
    """(string, is a picture) for every string in a notebook, ids left out."""
    if isinstance(value, str):
        yield value, images
    elif isinstance(value, dict):
        for key, child in value.items():
            if key != "id":
                yield from _strings(child, images or key.startswith("image/"))
    elif isinstance(value, list):
        for child in value:
            yield from _strings(child, images)


def _pools(notebook) -> tuple[str, set[str]]:
    text, pictures = [], set()
    for string, is_picture in _strings(notebook):
        (pictures.add(string) if is_picture else text.append(string))
    return "\n\x00".join(text), pictures


def _fingerprints(cell):
    """(text, what it is) of a solution cell: each line of its source and of its outputs, each picture."""
    source = cell.get("source", "")
    lines = source.split("\n")
    if lines and editions.SOLUTION_LABEL.match(lines[0]):
        lines = lines[1:]
    for line in lines:
        yield line.strip(), "source line", False
    for output in cell.get("outputs", []):
        texts = [output.get("text", ""), output.get("evalue", "")]
        for mime, value in output.get("data", {}).items():
            value = "".join(value) if isinstance(value, list) else value
            if not isinstance(value, str):
                value = json.dumps(value)
            if mime.startswith("image/"):
                yield value, f"{mime} output", True
            else:
                texts.append(value)
        for text in texts:
            text = "".join(text) if isinstance(text, list) else text
            for line in text.split("\n"):
                yield line.strip(), "output line", False


def leaked_solution(source, handout_text: str) -> str | None:
    """What of a solution survived in the handout text, or None.

    A line of a solution cell (source or output) or one of its pictures counts when it appears
    nowhere in the rest of the source notebook (the lesson may print the same tensor) and
    appears in the handout: it can only have come from a solution.
    """
    solutions = [(index, cell) for index, cell in enumerate(source.cells, start=1) if SOLUTION_TAG in _tags(cell)]
    if not solutions:
        return None
    rest = dict(source, cells=[cell for cell in source.cells if SOLUTION_TAG not in _tags(cell)])
    reference_text, reference_pictures = _pools(rest)
    reference_text += "\n\x00" + "\n\x00".join(replacement for _, replacement in REWRITES)
    from nbformat.v4.nbjson import JSONReader

    handout_pool, handout_pictures = _pools(JSONReader().to_notebook(json.loads(handout_text)))
    for index, cell in solutions:
        for fingerprint, what, is_picture in _fingerprints(cell):
            if len(fingerprint) < SHORTEST_LEAK:
                continue
            if is_picture:
                if fingerprint not in reference_pictures and (fingerprint in handout_pictures
                                                              or fingerprint in handout_pool):
                    return f"cell {index} (tagged solution): its {what} is still in the handout"
            elif fingerprint not in reference_text and fingerprint in handout_pool:
                return f"cell {index} (tagged solution): its {what} {fingerprint[:60]!r} is still in the handout"
    return None


# ----------------------------------------------------------------------------- where handouts go

def _forbidden_folders(notebooks: Path, sources: list[Path]) -> list[tuple[Path, str]]:
    holds = "which holds source notebooks"
    folders = [(DEFAULT_NOTEBOOKS.parent, holds), (notebooks, holds)]
    folders += [(path.resolve().parent, holds) for path in sources]
    folders += [(PACKAGE_DIR.parent / "tests", "the test suite's folder: pytest would collect the handouts"),
                (PACKAGE_DIR, "the d2lhelpers package")]
    return [(folder, why) for folder, why in folders if folder.is_dir()]


def _refuse_sources(out_dir: Path, notebooks: Path, sources: list[Path]) -> None:
    """No handout goes into, or below, a folder that holds a source notebook (nor tests/, nor the package).

    Compared as folders (os.path.samefile), so that a bind mount, a symbolic link, ``..`` or a
    case-insensitive file system cannot disguise one.
    """
    out = Path(os.path.abspath(out_dir))
    forbidden = _forbidden_folders(notebooks, sources)
    for candidate in [out, *out.parents]:
        if not candidate.is_dir():
            continue
        for folder, why in forbidden:
            if os.path.samefile(candidate, folder):
                raise HandoutError(f"refusing to write handouts into {out_dir}: it is, or is inside, {folder}, "
                                   f"{why}; choose another OUT_DIR")


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
    out_dir, notebooks = Path(out_dir), Path(notebooks)
    _check_out_dir(out_dir)
    sources = notebook_paths(notebooks)
    _refuse_sources(out_dir, notebooks, sources)
    if not sources:
        raise HandoutError(f"no notebooks in {notebooks}")
    planned = []
    for path in sources:
        name = notebook_name(path)
        source = read_nbformat(path)
        handout = make_handout(source, name)
        try:
            nbformat.validate(handout)
        except nbformat.ValidationError as error:  # pragma: no cover - the source validated
            raise HandoutError(f"{name}: the handout would be invalid: {nbformat_problem(error)}") from None
        text = nbformat.writes(handout) + "\n"
        leak = leaked_solution(source, text)
        if leak:
            raise HandoutError(f"{name}, {leak}; nothing was written (report this: the handout must not leak)")
        planned.append((out_dir / path.name, text, path))
    for companion in COMPANION_FILES:
        if (notebooks / companion).is_file():
            planned.append((out_dir / companion, (notebooks / companion).read_text(encoding="utf-8"),
                            notebooks / companion))
    protected = [*sources, *(source for _, _, source in planned)]
    for target, text, source in planned:  # every target first: nothing is written if one is refused
        if target.is_dir() and not target.is_symlink():
            raise HandoutError(f"{target} is a folder, so the handout {target.name} cannot be written there; "
                               "rename the folder or choose another OUT_DIR")
        try:
            check_target(target, inputs=protected, links="replace")
        except WriteError as error:
            raise HandoutError(f"{error}; remove it or choose another OUT_DIR") from None
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
        # a random temporary file and a rename (d2lhelpers.atomic): never half written, never through a
        # planted link (a link itself is replaced), never over a source file, and concurrent handouts do
        # not collide
        try:
            write_atomically(target, text, inputs=protected, links="replace")
        except WriteError as error:
            raise HandoutError(str(error)) from None
        written.append(target)
    return written
