"""Open the exported HTML decks in headless Chromium and check every slide: it fits, shows its figures, has its notes.

    python -m d2lhelpers decks /tmp/decks --assets node_modules     # first write the decks
    python tools/check_decks.py /tmp/decks/*.slides.html              # then walk them
    python tools/check_decks.py --shots /tmp/shots /tmp/decks/02-backward.slides.html

Needs Playwright (``pip install playwright``) and a Chromium (``/usr/bin/chromium``, or
``--chromium PATH``); it never downloads a browser. For each deck it visits every slide and
sub-slide at the given size (default 1280x800, a projector), with every fragment shown, and
reports as one JSON line: the slides, those whose content runs past the bottom or the right edge
of the slide, the figures (``img`` and ``svg`` elements in outputs) and how many of them have no
size, the slides with speaker notes, formulas MathJax left unrendered, and page errors.
Exit 1 if any slide overflows, a figure is broken or a formula is left raw; 2 if a deck cannot
be opened.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

WALK = r"""
async () => {
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  for (let i = 0; i < 100 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++) await wait(100);
  if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
  const width = Reveal.getConfig().width, height = Reveal.getConfig().height;
  const results = [];
  const slides = Reveal.getSlides();
  for (const slide of slides) {
    const indices = Reveal.getIndices(slide);
    Reveal.slide(indices.h, indices.v, 1000);
    slide.querySelectorAll('.fragment').forEach((f) => f.classList.add('visible'));
    await wait(30);
    const box = slide.getBoundingClientRect();
    const scale = Reveal.getScale();
    let bottom = 0, right = 0;
    for (const element of slide.querySelectorAll('*')) {
      if (element.closest('aside.notes') || element.closest('details:not([open]) > :not(summary)')) continue;
      const r = element.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      bottom = Math.max(bottom, (r.bottom - box.top) / scale);
      right = Math.max(right, (r.right - box.left) / scale);
    }
    const figures = [...slide.querySelectorAll('.jp-OutputArea-output img, .jp-OutputArea-output svg')]
      .filter((f) => !f.closest('mjx-container') && !f.closest('details:not([open])'));
    const broken = figures.filter((f) => f.getBoundingClientRect().width < 2 || (f.tagName === 'IMG' && !f.complete));
    const text = [...slide.querySelectorAll('.jp-RenderedMarkdown')].map((m) => m.innerText).join(' ');
    results.push({
      slide: `${indices.h + 1}` + (indices.v ? `.${indices.v + 1}` : ''),
      bottom: Math.round(bottom), right: Math.round(right),
      overflow_bottom: bottom > height + 1, overflow_right: right > width + 1,
      figures: figures.length, broken: broken.length,
      notes: !!slide.querySelector('aside.notes'),
      raw_math: (text.match(/\$[^$\n]{1,80}\$/g) || []).length,
      text: (slide.innerText || '').replace(/\s+/g, ' ').slice(0, 80),
    });
  }
  return {width, height, slides: results, mathjax: !!(window.MathJax && MathJax.version)};
}
"""


def walk(page, path: Path, shots: Path | None, errors: list) -> dict:
    page.goto(path.resolve().as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady && Reveal.isReady()", timeout=30000)
    found = page.evaluate(WALK)
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        for slide in found["slides"]:
            h, _, v = slide["slide"].partition(".")
            page.evaluate(f"() => Reveal.slide({int(h) - 1}, {int(v or 1) - 1})")
            page.screenshot(path=str(shots / f"{path.name.split('.')[0]}.{slide['slide']}.png"))
    slides = found["slides"]
    return {
        "deck": path.name,
        "slides": len(slides),
        "overflow_bottom": [s["slide"] for s in slides if s["overflow_bottom"]],
        "overflow_right": [s["slide"] for s in slides if s["overflow_right"]],
        "tallest": max((s["bottom"] for s in slides), default=0),
        "figures": sum(s["figures"] for s in slides),
        "broken_figures": sum(s["broken"] for s in slides),
        "slides_with_notes": sum(s["notes"] for s in slides),
        "raw_math": sum(s["raw_math"] for s in slides),
        "mathjax": found["mathjax"],
        "page_errors": errors[:],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("decks", nargs="+", type=Path)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--shots", type=Path, help="write a screenshot of every slide into this folder")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("check_decks.py: needs Playwright: pip install playwright (it uses your Chromium, downloads none)",
              file=sys.stderr)
        return 2
    failed = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            for deck in args.decks:
                page = browser.new_page(viewport={"width": args.width, "height": args.height})
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)[:200]))
                try:
                    result = walk(page, deck, args.shots, errors)
                except Exception as error:  # a deck that does not open is reported, and the walk goes on
                    print(json.dumps({"deck": deck.name, "error": f"{type(error).__name__}: {str(error)[:300]}"}))
                    failed = True
                    continue
                finally:
                    page.close()
                print(json.dumps(result, ensure_ascii=False))
                failed |= bool(result["overflow_bottom"] or result["overflow_right"] or result["broken_figures"]
                               or result["raw_math"] or not result["mathjax"] or result["page_errors"])
        finally:
            browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
