"""Slide decks from the notebooks: key points on the slides, the explanation in speaker notes.

    python tools/slides.py            # (re)write the slide metadata of every notebook
    python tools/slides.py notebooks/en/05-control-flow.ipynb   # only these notebooks
    python tools/slides.py --check    # exit 1 if the metadata is stale or a slide breaks a rule
    python tools/slides.py --report   # slides, lectures and words per deck, as a Markdown table

A notebook is a jupyterlab-rise deck (View > Render as slideshow, Alt+R) and exports with
`python -m d2lhelpers decks`. One text feeds both the notebook and its deck:

- **Slide text** is every markdown cell that is not tagged ``notes``: a heading, one or two
  key sentences, a short list or a formula. A slide holds at most MAX_WORDS words of it
  (about 30 is the aim; a formula, a code span and a code block count as one word each, a
  Chinese word as two characters).
- **Speaker notes** are the markdown cells tagged ``notes``: the explanation, at any length.
  The notebook shows them as ordinary text right after the key sentence they explain; the
  slides hide them; RISE's speaker view (press T) and exported decks show them as notes.
- The title cell and every ``## Section`` open a slide; every ``### Subsection`` and every
  other cell of slide text opens a sub-slide, unless it follows a cell that is only a heading
  (it then completes the heading's slide) or is tagged ``same-slide``. Code cells and their
  outputs join the slide of the text above them.
- Set-up cells (imports, ``%`` magics), the code of ``# @save`` helpers and navigation links are
  skipped. Each worked solution (its cells tagged ``solution``) is one fragment: one more key press
  shows it, collapsed, as JupyterLab shows it.
- A deck is one lecture of MIN_SLIDES to MAX_SLIDES slides (counting sub-slides). A notebook
  that needs more is two lectures: tag its ``## Section`` cell where the second one starts
  ``lecture-break`` (00-index's learning path shows where).

Only metadata changes: the notebooks need not be re-executed. ``--check`` names the notebook
and the cell of every slide that breaks a rule.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

from notebook_files import notebook_paths, read, report, rewrite  # tools/ is on sys.path when run as a script

RISE = {"scroll": True, "theme": "simple", "transition": "none", "start_slideshow_at": "beginning",
        "slideNumber": True, "auto_select": "none"}
MAX_WORDS = 40  # words of slide text on one slide; about 30 is the aim
MIN_SLIDES, MAX_SLIDES = 15, 35  # slides and sub-slides of one 45-minute lecture
INDEX = "00-index.ipynb"

NOTES, SAME_SLIDE, LECTURE_BREAK, SOLUTION, NAVIGATION = "notes", "same-slide", "lecture-break", "solution", "navigation"
SAVE_MARKER = re.compile(r"#\s*@save\s*$", re.MULTILINE)
SETUP_LINE = re.compile(r"^\s*(%matplotlib.*|import .+|from \S+ import .+|#.*|)\s*$")
HEADING = re.compile(r"^(#{1,6})\s+\S")
STARTS = ("slide", "subslide")


def tags(cell) -> set[str]:
    return set(cell.metadata.get("tags", []))


def is_setup(cell) -> bool:
    """Only imports, magics and comments: nothing to show on a slide."""
    return cell.cell_type == "code" and all(SETUP_LINE.match(line) for line in cell.source.splitlines())


def is_helper(cell) -> bool:
    """The code of a ``# @save`` helper: the deck shows it at work, the notebook shows its code."""
    return cell.cell_type == "code" and bool(SAVE_MARKER.search(cell.source))


def heading_level(cell) -> int:
    """1 for '# Title', 2 for '## Section', 3 for '### Subsection'; 0 for prose."""
    match = HEADING.match(cell.source) if cell.cell_type == "markdown" else None
    return len(match.group(1)) if match else 0


def only_a_heading(cell) -> bool:
    return heading_level(cell) > 0 and len(cell.source.strip().splitlines()) == 1


def slide_types(notebook) -> list[str]:
    """The slide type of every cell, from the notebook's structure and tags (see the module docstring)."""
    kinds = []
    first_text, after_heading_only, in_solution = True, False, False
    for cell in notebook.cells:
        cell_tags = tags(cell)
        if NAVIGATION in cell_tags or is_setup(cell) or is_helper(cell) or cell.cell_type == "raw":
            kind = "skip"
        elif SOLUTION in cell_tags:
            # one fragment a solution: its first cell opens it, the rest of its cells come with it
            kind = "-" if in_solution else "fragment"
        elif cell.cell_type == "code":
            kind = "-"
        elif NOTES in cell_tags:
            kind = "notes"
        else:
            level = heading_level(cell)
            if first_text or level in (1, 2):
                kind = "slide"
            elif level == 3:
                kind = "subslide"
            elif after_heading_only or SAME_SLIDE in cell_tags:
                kind = "-"
            else:
                kind = "subslide"
            first_text, after_heading_only = False, only_a_heading(cell)
        if kind != "skip":
            in_solution = SOLUTION in cell_tags
        kinds.append(kind)
    return kinds


def with_slides(notebook):
    for cell, kind in zip(notebook.cells, slide_types(notebook)):
        cell.metadata["slideshow"] = {"slide_type": kind}
    notebook.metadata["rise"] = dict(RISE)
    return notebook


# ----------------------------------------------------------------------------- words on a slide

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # Chinese characters
CJK_PUNCTUATION = re.compile(r"[\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
CJK_CHARACTERS_PER_WORD = 2
MARKDOWN_NOISE = [
    (re.compile(r"<!--.*?-->", re.DOTALL), " "),  # comments are not shown
    (re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE), " FORMULA "),  # a code block: one word
    (re.compile(r"\$\$.+?\$\$", re.DOTALL), " FORMULA "),  # display maths: one word
    (re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$"), " FORMULA "),  # inline maths: one word
    (re.compile(r"`[^`\n]+`"), " FORMULA "),  # a code span: one word
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), " "),  # an image is not prose
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r" \1 "),  # a link: its text
    (re.compile(r"<[^>\n]+>"), " "),  # an HTML tag
    (re.compile(r"&[a-z]+;"), " "),  # an HTML entity (&lt;)
]
WORD = re.compile(r"[^\W_]", re.UNICODE)  # a token with a letter or digit in it


def prose_words(markdown: str) -> int:
    """The words a reader reads in a markdown cell; formulas and code count as one word each."""
    text = markdown
    for pattern, replacement in MARKDOWN_NOISE:
        text = pattern.sub(replacement, text)
    text = CJK_PUNCTUATION.sub(" ", text)  # （，。） separate words like spaces
    characters = len(CJK.findall(text))
    latin = CJK.sub(" ", text)
    words = sum(1 for token in latin.split() if WORD.search(token))
    return words + -(-characters // CJK_CHARACTERS_PER_WORD)


def slides(notebook) -> list[dict]:
    """The deck: per slide (and sub-slide), its position, first cell, words of slide text and notes.

    ``number`` is what RISE shows: "5" for the fifth slide, "5.2" for its first sub-slide.
    ``lecture`` counts from 1 and grows at each cell tagged ``lecture-break``. Solutions
    are left out of the words: they are collapsed until the lecturer opens them.
    """
    deck: list[dict] = []
    horizontal = vertical = 0
    lecture = 1
    for index, cell in enumerate(notebook.cells, start=1):
        kind = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if LECTURE_BREAK in tags(cell):
            lecture += 1
        if kind in STARTS or (not deck and kind not in ("skip", "notes")):
            if kind == "subslide" and deck:
                vertical += 1
            else:
                horizontal, vertical = horizontal + 1, 0
            number = f"{horizontal}" if vertical == 0 else f"{horizontal}.{vertical + 1}"
            deck.append({"number": number, "cell": index, "lecture": lecture, "words": 0, "notes": 0, "code": 0})
        if not deck or kind == "skip":
            continue
        slide = deck[-1]
        if cell.cell_type == "markdown" and kind == "notes":
            slide["notes"] += prose_words(cell.source)
        elif cell.cell_type == "markdown" and SOLUTION not in tags(cell):
            slide["words"] += prose_words(cell.source)
        elif cell.cell_type == "code" and kind != "fragment":
            slide["code"] += 1
    return deck


def notebook_words(notebook) -> int:
    """Every word a student reads in the notebook view (navigation links left out)."""
    return sum(prose_words(cell.source) for cell in notebook.cells
               if cell.cell_type == "markdown" and NAVIGATION not in tags(cell))


# ----------------------------------------------------------------------------- rules

def problems(path: Path, notebook) -> list[str]:
    """Every rule of the module docstring that this notebook's deck breaks, naming the cell."""
    found = []
    name = path.name
    for index, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "markdown":
            if tags(cell) & {NOTES, SAME_SLIDE, LECTURE_BREAK}:
                found.append(f"{name}, cell {index}: a code cell tagged {sorted(tags(cell) & {NOTES, SAME_SLIDE, LECTURE_BREAK})}; "
                             "these tags are for markdown cells")
            continue
        fenced = False
        for number, line in enumerate(cell.source.splitlines()):
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif number > 0 and not fenced and re.match(r"^#{1,3}\s", line):
                found.append(f"{name}, cell {index}: the heading {line.strip()!r} sits inside a markdown cell; "
                             "start a new cell there (every heading opens a slide)")
        if LECTURE_BREAK in tags(cell) and heading_level(cell) != 2:
            found.append(f"{name}, cell {index}: 'lecture-break' belongs on a '## Section' cell")
        if NOTES in tags(cell) and heading_level(cell):
            found.append(f"{name}, cell {index}: a heading tagged 'notes' would vanish from the slides; "
                         "put the heading in a cell of slide text")
    deck = slides(notebook)
    for slide in deck:
        if slide["words"] > MAX_WORDS:
            found.append(f"{name}, cell {slide['cell']} (slide {slide['number']}): {slide['words']} words of slide "
                         f"text, more than {MAX_WORDS}; keep the key sentence and move the rest into a cell "
                         "tagged 'notes'")
    if name != INDEX:
        if not any(cell.cell_type == "markdown" and NOTES in tags(cell) for cell in notebook.cells):
            found.append(f"{name}: no speaker notes; tag the cells that explain a slide 'notes'")
        for lecture in sorted({slide["lecture"] for slide in deck}):
            count = sum(1 for slide in deck if slide["lecture"] == lecture)
            if not MIN_SLIDES <= count <= MAX_SLIDES:
                found.append(f"{name}: lecture {lecture} has {count} slides; a 45-minute lecture has "
                             f"{MIN_SLIDES} to {MAX_SLIDES} (tag a '## Section' cell 'lecture-break' to split a deck, "
                             "or merge slides with 'same-slide')")
    return found


def table(paths: list[Path]) -> str:
    """Slides, lectures and words per deck, and over all decks (Markdown)."""
    rows = ["| deck | lectures | slides | median words | most words | over 30 | over 40 | notes cells | "
            "words in the notebook |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    every = []
    for path in paths:
        notebook = read(path)
        deck = slides(notebook)
        words = [slide["words"] for slide in deck]
        every += words
        lectures = max((slide["lecture"] for slide in deck), default=1)
        notes = sum(1 for cell in notebook.cells if cell.cell_type == "markdown" and NOTES in tags(cell))
        rows.append(f"| {path.stem} | {lectures} | {len(deck)} | {statistics.median(words) if words else 0:g} | "
                    f"{max(words, default=0)} | {sum(w > 30 for w in words)} | {sum(w > MAX_WORDS for w in words)} | "
                    f"{notes} | {notebook_words(notebook)} |")
    rows.append(f"| all | | {len(every)} | {statistics.median(every) if every else 0:g} | {max(every, default=0)} | "
                f"{sum(w > 30 for w in every)} | {sum(w > MAX_WORDS for w in every)} | | |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale or a rule is broken")
    parser.add_argument("--report", action="store_true", help="print slides and words per deck; write nothing")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook in notebooks/en/")
    args = parser.parse_args(argv)
    paths = args.notebooks or notebook_paths()
    if args.report:
        print(table(paths))
        return 0
    changed = rewrite(paths, lambda path, notebook: with_slides(notebook), args.check)
    status = report(changed, len(paths), args.check, "slide metadata", "slides.py")
    broken = [problem for path in paths for problem in problems(path, with_slides(read(path)))]
    for problem in broken:
        print(problem, file=sys.stderr)
    return 1 if broken or status else 0


if __name__ == "__main__":
    sys.exit(main())
