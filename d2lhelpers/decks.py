"""Lecture decks as HTML files: every notebook as a reveal.js slideshow, for a PC without JupyterLab.

``python -m d2lhelpers decks OUT_DIR`` writes ``OUT_DIR/NN-name.slides.html`` for every notebook of
``notebooks/en/`` (``--notebooks notebooks/zh-CN`` for the Chinese decks). It runs nbconvert's
slides exporter (``jupyter nbconvert --to slides``) with the template in ``deck_template/``, so
the HTML deck is the jupyterlab-rise deck: the same slides and sub-slides (``tools/slides.py``
writes them into the notebooks), speaker notes as reveal.js notes (press S), no trace of skipped
cells, stored figures, and each worked solution a collapsed bar one key press after its
exercise. A slide is 1280x800, scaled to the screen.

The pages load reveal.js and MathJax from a CDN. For a PC with no network, install them once
(``npm install reveal.js@5.2.1 mathjax@3.2.2``) and pass the ``node_modules`` folder as
``--assets``; the decks then link to it by a relative path.

Like ``handout``, it never writes into a folder of source notebooks, writes each file
atomically, and replaces an existing, different file only with ``--force``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .extract import DEFAULT_NOTEBOOKS, ExtractError, notebook_paths, read_notebook, write_atomically

TEMPLATE = Path(__file__).resolve().parent / "deck_template"
REVEAL_VERSION, MATHJAX_VERSION = "5.2.1", "3.2.2"
CDN = "https://cdn.jsdelivr.net/npm"
SUFFIX = ".slides.html"


class DeckError(ExtractError):
    """A deck cannot be written; the message says why and where."""


def asset_urls(out_dir: Path, assets: Path | None) -> dict[str, str]:
    """Where the decks load reveal.js and MathJax from: a CDN, or a local node_modules folder."""
    if assets is None:
        return {"reveal": f"{CDN}/reveal.js@{REVEAL_VERSION}",
                "mathjax": f"{CDN}/mathjax@{MATHJAX_VERSION}/es5/tex-svg.js"}
    missing = [name for name in ("reveal.js/dist/reveal.js", "mathjax/es5/tex-svg.js") if not (assets / name).is_file()]
    if missing:
        raise DeckError(f"--assets {assets} lacks {', '.join(missing)}; make it with "
                        f"npm install reveal.js@{REVEAL_VERSION} mathjax@{MATHJAX_VERSION} and pass its node_modules")
    relative = Path(os.path.relpath(assets.resolve(), out_dir.resolve())).as_posix()
    return {"reveal": f"{relative}/reveal.js", "mathjax": f"{relative}/mathjax/es5/tex-svg.js"}


def deck_html(notebook_path: Path, urls: dict[str, str]) -> str:
    """The reveal.js page of one notebook."""
    try:
        import nbformat
        from nbconvert import SlidesExporter
    except ImportError as error:  # pragma: no cover - depends on the installed extras
        raise DeckError(f"decks need nbformat and nbconvert ({error.name} is missing): pip install -e '.[lab]'") from None
    read_notebook(notebook_path)  # one clear error for a broken notebook
    notebook = nbformat.read(notebook_path, as_version=4)
    exporter = SlidesExporter(template_name=TEMPLATE.name, extra_template_basedirs=[str(TEMPLATE.parent)],
                              reveal_url_prefix=urls["reveal"], reveal_theme="simple")
    language = "zh-CN" if notebook_path.parent.name == "zh-CN" else "en"
    resources = {"d2l_deck": dict(urls, css=(TEMPLATE / "deck.css").read_text(encoding="utf-8")),
                 "language_code": language, "metadata": {"name": notebook_path.stem}}
    html, _ = exporter.from_notebook_node(notebook, resources=resources)
    return html


def write_decks(out_dir: Path, notebooks: Path = DEFAULT_NOTEBOOKS, assets: Path | None = None,
                force: bool = False) -> list[Path]:
    """Write the deck of every notebook in ``notebooks`` into ``out_dir``; returns the files written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise DeckError(f"OUT_DIR {out_dir} is a file, not a folder; choose a folder")
    sources = notebook_paths(notebooks)
    if not sources:
        raise DeckError(f"no notebooks in {notebooks}")
    out = out_dir.resolve()
    for folder in {DEFAULT_NOTEBOOKS.parent.resolve(), notebooks.resolve()} | {p.resolve().parent for p in sources}:
        if out == folder or folder in out.parents:
            raise DeckError(f"refusing to write decks into {out_dir}: it is, or is inside, {folder}, "
                            "which holds source notebooks; choose another OUT_DIR")
    urls = asset_urls(out_dir, assets)
    planned = [(out_dir / f"{path.stem}{SUFFIX}", deck_html(path, urls)) for path in sources]
    for target, text in planned:
        if target.is_dir():
            raise DeckError(f"{target} is a folder, so the deck cannot be written there")
        if target.exists() and not force and target.read_text(encoding="utf-8", errors="replace") != text:
            raise DeckError(f"{target} exists and differs from the new deck; remove it or pass --force")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DeckError(f"cannot make the folder {out_dir}: {error.strerror or error}") from None
    for target, text in planned:
        write_atomically(target, text)
    return [target for target, _ in planned]
