"""The decks: which cell is a slide, a sub-slide or speaker notes, and how words are counted (tools/slides.py)."""

import sys

import nbformat
import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import slides  # noqa: E402


def notebook(*cells):
    """A notebook from (kind, source, tags) triples; kind is 'md' or 'code'."""
    made = []
    for kind, source, cell_tags in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        if cell_tags:
            cell.metadata["tags"] = list(cell_tags)
        made.append(cell)
    return slides.with_slides(nbformat.v4.new_notebook(cells=made))


@pytest.mark.parametrize("markdown, words", [
    ("One two three.", 3),
    ("## A heading\n\nand a sentence.", 5),
    ("The gradient $\\nabla f = 2\\mathbf{x}$ is a vector.", 6),
    ("$$\\frac{\\partial y}{\\partial x} = 4x$$", 1),
    ("Call `y.backward()` once, then `x.grad`.", 5),
    ("- a list\n- of four", 4),
    ("[the index](00-index.ipynb) and ![a plot](x.png)", 3),
    ("```python\nx = 1\ny = 2\n```\nthen text", 3),
    ("<!-- hidden --> shown", 1),
    ("自动微分（automatic differentiation）", 4),  # 4 Chinese characters: 2 words, plus 2 English ones
    ("x &lt; y", 2),
    ("— | — | 12 %", 1),
])
def test_words_of_prose(markdown, words):
    assert slides.prose_words(markdown) == words


def test_a_heading_alone_gets_its_key_sentence_on_the_same_slide():
    nb = notebook(("md", "# Title", ()), ("md", "Key sentence.", ()), ("md", "The explanation.", ["notes"]),
                  ("code", "import torch", ()), ("code", "x = 1\nx", ()),
                  ("md", "## Section", ()), ("md", "Another key point.", ()), ("code", "x", ()),
                  ("md", "A second point.", ()), ("md", "A third one, shown with it.", ["same-slide"]),
                  ("md", "### Sub", ()), ("code", "def f():  # @save\n    return 1", ()))
    assert slides.slide_types(nb) == ["slide", "-", "notes", "skip", "-",
                                      "slide", "-", "-", "subslide", "-", "subslide", "skip"]


def test_a_heading_with_prose_is_followed_by_a_sub_slide():
    nb = notebook(("md", "## Section\n\nIts key sentence.", ()), ("md", "Next point.", ()),
                  ("md", "Exercise 1.", ()), ("md", "Solution.", ["solution"]), ("code", "1", ["solution"]))
    assert slides.slide_types(nb) == ["slide", "subslide", "subslide", "fragment", "-"]  # one fragment a solution


def test_the_deck_counts_slide_text_not_notes_nor_solutions():
    nb = notebook(("md", "# Title", ()), ("md", "one two three", ()), ("md", "many words " * 50, ["notes"]),
                  ("md", "## Section", ()), ("md", "four five", ()), ("code", "x", ()),
                  ("md", "sub", ()), ("md", "hidden answer " * 50, ["solution"]))
    deck = slides.slides(nb)
    assert [(s["number"], s["words"], s["notes"]) for s in deck] == [("1", 4, 100), ("2", 3, 0), ("2.2", 1, 0)]
    assert deck[1]["code"] == 1


def test_rules_name_the_notebook_and_the_cell(tmp_path):
    wordy = "word " * 41
    nb = notebook(("md", "# Title", ()), ("md", wordy, ()), ("md", "## Next\n### inside", ()),
                  ("code", "x", ["notes"]))
    found = slides.problems(tmp_path / "05-x.ipynb", nb)
    assert any(p.startswith("05-x.ipynb, cell 1 (slide 1): 42 words") for p in found), found
    assert any("cell 3: the heading '### inside' sits inside a markdown cell" in p for p in found), found
    assert any("cell 4: a code cell tagged ['notes']" in p for p in found), found
    assert any("05-x.ipynb: no speaker notes" in p for p in found), found
    assert any("05-x.ipynb: lecture 1 has 2 slides" in p for p in found), found


def test_a_lecture_break_splits_the_count():
    cells = [("md", "# Title", ()), ("md", "why", ["notes"])]
    for number in range(20):
        cells.append(("md", f"## Part {number}", ["lecture-break"] if number == 10 else ()))
    nb = notebook(*cells)
    deck = slides.slides(nb)
    assert [s["lecture"] for s in deck].count(1) == 11 and [s["lecture"] for s in deck].count(2) == 10
    found = slides.problems(ROOT / "x.ipynb", nb)
    assert "x.ipynb: lecture 1 has 11 slides" in found[0] and "x.ipynb: lecture 2 has 10 slides" in found[1]


def test_the_report_is_a_table():
    text = slides.table([ROOT / "notebooks" / "en" / "02-backward.ipynb"])
    assert text.splitlines()[2].startswith("| 02-backward | ")
    assert text.splitlines()[-1].startswith("| all | ")
