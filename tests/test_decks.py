"""The exported HTML decks are the jupyterlab-rise decks: same slides, notes as reveal.js notes, no skipped code.

tools/check_decks.py opens them in Chromium and measures every slide (run by .ci/run where a
Chromium is installed); these tests check the HTML itself, fast, on every run.
"""

import re
import sys

import nbformat
import pytest

from conftest import ROOT

from d2lhelpers import decks
from d2lhelpers.__main__ import main

sys.path.insert(0, str(ROOT / "tools"))
import slides  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "en" / "02-backward.ipynb"


@pytest.fixture(scope="module")
def exported():
    urls = decks.asset_urls(ROOT, None)
    return nbformat.read(NOTEBOOK, as_version=4), decks.deck_html(NOTEBOOK, urls)


def test_the_html_deck_has_the_slides_of_the_notebook(exported):
    notebook, html = exported
    deck = slides.slides(notebook)
    horizontal = sum(1 for slide in deck if "." not in slide["number"])
    # one <section> per slide, and one per sub-slide inside it (reveal.js's vertical stacks)
    assert html.count("<section") == horizontal + len(deck)


def test_notes_become_speaker_notes_and_skipped_cells_vanish(exported):
    notebook, html = exported
    kinds = [cell.metadata.get("slideshow", {}).get("slide_type") for cell in notebook.cells]
    assert html.count('<aside class="notes">') == kinds.count("notes")
    for cell, kind in zip(notebook.cells, kinds):
        if kind == "skip" and cell.cell_type == "code":
            assert f'id="cell-id={cell.id}"' not in html, f"skipped cell {cell.id} is in the deck"
            assert cell.source.splitlines()[0] not in html
    assert "navigation" not in re.findall(r'class="([^"]*jp-Cell[^"]*)"', html)


def test_solutions_are_collapsed_bars_and_the_page_needs_no_jquery(exported):
    notebook, html = exported
    solutions = [cell for cell in notebook.cells if "solution" in cell.metadata.get("tags", [])]
    assert html.count('<details class="d2l-solution">') == len(solutions)
    assert "<summary>Solution to exercise 1 (click to expand)</summary>" in html
    assert "require.min.js" not in html and "jquery" not in html.lower()
    assert f"reveal.js@{decks.REVEAL_VERSION}/dist/reveal.js" in html and "RevealNotes" in html
    assert "width: 1280" in html and "height: 800" in html


def test_a_figure_reaches_the_deck():
    notebook = ROOT / "notebooks" / "en" / "06-sin-derivative.ipynb"
    html = decks.deck_html(notebook, decks.asset_urls(ROOT, None))
    shown = [cell for cell in nbformat.read(notebook, as_version=4).cells
             if cell.cell_type == "code" and cell.metadata.get("slideshow", {}).get("slide_type") != "skip"
             and "solution" not in cell.metadata.get("tags", [])
             and any("image/svg+xml" in output.get("data", {}) for output in cell.outputs)]
    assert shown and html.count('<div class="jp-RenderedSVG') >= len(shown)


def test_decks_are_written_and_never_into_the_sources(tmp_path, capsys):
    books = tmp_path / "books"
    books.mkdir()
    tiny = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A title"),
                                           nbformat.v4.new_code_cell("1 + 1")])
    nbformat.write(slides.with_slides(tiny), books / "02-backward.ipynb")
    out = tmp_path / "decks"
    assert main(["decks", str(out), "--notebooks", str(books)]) == 0
    assert [p.name for p in out.iterdir()] == ["02-backward.slides.html"]
    assert main(["decks", str(out), "--notebooks", str(books)]) == 0  # identical: fine
    (out / "02-backward.slides.html").write_text("mine", encoding="utf-8")
    assert main(["decks", str(out), "--notebooks", str(books)]) == 2
    assert "exists and differs" in capsys.readouterr().err
    assert (out / "02-backward.slides.html").read_text(encoding="utf-8") == "mine"
    assert main(["decks", str(books / "inside"), "--notebooks", str(books)]) == 2
    assert main(["decks", str(ROOT / "notebooks" / "decks"), "--notebooks", str(books)]) == 2
    assert not (ROOT / "notebooks" / "decks").exists()
    assert main(["decks", str(out), "--notebooks", str(books), "--assets", str(tmp_path)]) == 2
    assert "lacks reveal.js/dist/reveal.js" in capsys.readouterr().err


def test_local_assets_are_linked_relatively(tmp_path):
    assets = tmp_path / "node_modules"
    (assets / "reveal.js" / "dist").mkdir(parents=True)
    (assets / "reveal.js" / "dist" / "reveal.js").write_text("", encoding="utf-8")
    (assets / "mathjax" / "es5").mkdir(parents=True)
    (assets / "mathjax" / "es5" / "tex-svg.js").write_text("", encoding="utf-8")
    urls = decks.asset_urls(tmp_path / "decks", assets)
    assert urls == {"reveal": "../node_modules/reveal.js", "mathjax": "../node_modules/mathjax/es5/tex-svg.js"}
