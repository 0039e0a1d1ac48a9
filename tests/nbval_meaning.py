"""How stored notebook outputs are compared: by meaning. A pytest plugin on top of nbval.

nbval (``pytest --nbval``) re-executes every notebook and compares each cell's new outputs
with the stored ones. Its own comparison is byte for byte, which fails on any other CPU:
torch picks other kernels there (AVX-512, AVX2, plain, ARM), and float32 results move in
their last bits. This plugin keeps nbval as the runner and replaces only the comparison
of each cell (its ``compare_outputs``), through pytest's collection hook. The rules, all of
them here:

1. **The outputs themselves**: the same number of outputs, in the same order, of the same
   type (stream, execute_result, display_data, error), the same stream names and the same
   set of MIME types. Widget ids and metadata are not compared.
2. **Text** (streams, ``text/plain``, ``text/html``, ``text/latex``, ``text/markdown``, an
   error's name and message): after the sanitizers in ``tests/nbval_sanitize.cfg``
   (memory addresses, two named torch-version fragments), everything outside numbers must
   be identical. Of a traceback (nbval never compared them), what the student reads as their
   own code is compared: the line each notebook-cell frame points at (``----> 4 y.backward()``),
   its number and its text. The rest of a traceback (colours, library frames, paths) is
   IPython's and torch's to change between releases.
3. **Numbers** in that text are compared as numbers. ``stored`` and ``produced`` agree when

       |stored - produced| <= RTOL * max(|stored|, |produced|) + (u_stored + u_produced) / 2

   where ``u`` is one unit in the last printed digit of a number printed with a fractional
   part (``0.1254``: u = 1e-4; ``1.0000e-08``: u = 1e-12), and 0 for a number printed
   without one (``28.``, ``3``, ``1e-07``). RTOL = 1e-5, about 84 float32 epsilons
   (eps = 1.19e-7): other kernels change a float32 result by a few epsilons per operation,
   and the notebooks chain at most some tens of operations between a random draw and a
   printed value; the ``u`` terms admit exactly the rounding of a printed value, which can
   flip its last digit when noise moves it across a rounding boundary. In addition a
   number printed as exactly zero agrees with one below ATOL_ZERO = 1e-6 in magnitude
   (float32 noise on values of order 1-10: ``0.0`` against ``5.96e-08``). Integers are
   compared exactly, so counts, shapes and indices cannot drift, and an integer never agrees
   with a float: ``tensor([0, 1])`` against ``tensor([0., 1.])`` (int64 against float32),
   ``calls: 1`` against ``calls: 1.0`` and ``[10.0, 100]`` against ``[10.0, 100.0]`` all differ,
   whatever their values. Words that contain digits (``float32``, ``MulBackward0``) are text.
4. **Figures** are compared as pictures, the way matplotlib's own tests and pytest-mpl do:
   ``matplotlib.testing.compare`` computes the RMS difference on the 0-255 scale, and it must
   stay within FIGURE_RMS = 2. The PNG (what an untrusted fresh clone shows) is decoded; the
   SVG (what a trusted notebook shows) is rendered to pixels with resvg. Redrawing under other
   CPU kernels moves a figure by RMS 0.011 at most (tools/figure_drift.py, 28 figures of 06 and
   08 under ATEN_CPU_CAPABILITY=default), and any two different stored figures are at least
   26 apart.
5. **Figures under another matplotlib release.** Each notebook records the matplotlib that
   made its outputs (``metadata.d2lhelpers.outputs_made_with``); this rule applies to the
   notebooks whose major.minor differs from the installed one, and only to them. Another
   release draws the same figure with other pixels: it bundles another FreeType (text),
   changes defaults (hinting, mathtext) and tick locators, and the tight bounding box moves
   by a few pixels (matplotlib 3.10 against 3.11: RMS 3 to 30 for identical data). So the SVG
   is compared by what it draws: per axes, every drawn element except ticks, tick labels,
   text and the legend (lines, markers, bars, patches, arrows), in order, each point
   normalized to the axes' box (to the figure when the axes are off). Points must agree to
   DRAWN_TOLERANCE = 0.02 of the box: the same data drawn by 3.10 and 3.11 agree to 1e-8, a
   text box around a label moves by up to 0.011, and no two different stored figures have
   the same drawn data (test_output_comparison.py checks all of them). Normalized points alone
   cannot see the data's scale (the same curve times 10 fills the box the same way), so each
   axis' scale is compared too: the value of every numbered tick of the stored figure must be
   drawn where the new figure's ticks put that value, to DRAWN_TOLERANCE (another release may
   choose other ticks, but not another scale), and the offset text (``1e6``) must be the same.
   The new PNG must have the stored one's size to within 3 %, and the stored PNG must show the
   stored SVG's figure (PNG_SHOWS_SVG_RMS, as tests/test_notebooks.py checks for every notebook),
   so that a PNG swapped with another figure's fails here too.

Figures byte-identical to the stored ones are not rendered at all, and pictures are compared in
memory (no temporary files).

Any other change fails the cell, and the failure names the notebook, the cell, the output
and the first value that differs.
"""

from __future__ import annotations

import base64
import io
import math
import re
import types
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SANITIZE_FILE = ROOT / "tests" / "nbval_sanitize.cfg"

RTOL = 1e-5
ATOL_ZERO = 1e-6
FIGURE_RMS = 2.0
DRAWN_TOLERANCE = 0.02
PNG_SIZE_TOLERANCE = 0.03
# A stored PNG against its own SVG (two renderers), both reduced to PNG_SVG_WIDTH pixels across:
# at most 4.6 over the 33 figures of notebooks/en (matplotlib 3.11) and 4.1 for a figure made by
# matplotlib 3.10; against another figure's SVG at least 8.9 (06's sin and tanh plots, the most
# alike). At 120 pixels across the same numbers were 12.3, 19.9 (3.10) and 18.5: the fine detail
# of tick labels and grid lines separated the same figure from another one less well.
PNG_SVG_WIDTH = 40
PNG_SHOWS_SVG_RMS = 6.5

PICTURE_TYPES = ("image/png", "image/svg+xml")
IGNORED_TYPES = ("application/vnd.jupyter.widget-view+json",)

# A number: not part of a word (float32, x1, MulBackward0) nor of a dotted version (2.13.0).
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?!\w)(?!\.\d)")


# ----------------------------------------------------------------------------- numbers and text

def parse_number(token: str) -> tuple[float, float, bool]:
    """(value, one unit in the last printed digit, is an integer) of a printed number."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    integer = "." not in mantissa and not exponent
    unit = 10.0 ** (int(exponent or 0) - decimals) if decimals else 0.0
    return float(token), unit, integer


def numbers_agree(stored: str, produced: str) -> bool:
    """Rule 3 above, for two printed numbers."""
    a, unit_a, integer_a = parse_number(stored)
    b, unit_b, integer_b = parse_number(produced)
    if integer_a != integer_b:  # an int64 tensor shown where the code makes float32, or 1 for 1.0
        return False
    if integer_a and integer_b:
        return stored.lstrip("+") == produced.lstrip("+")
    allowed = RTOL * max(abs(a), abs(b)) + (unit_a + unit_b) / 2
    if a == 0 or b == 0:
        allowed += ATOL_ZERO
    return abs(a - b) <= allowed


def skeleton(text: str) -> tuple[str, list[str]]:
    """The text with each number replaced by '#', and the numbers in order."""
    return NUMBER.sub("#", text), NUMBER.findall(text)


def _line_of(text: str, position: int) -> tuple[int, str]:
    line = text.count("\n", 0, position) + 1
    return line, text.splitlines()[line - 1] if text.splitlines() else ""


def _short(text: str, width: int = 100) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def compare_text(stored: str, produced: str) -> str | None:
    """None when the texts mean the same (rules 2 and 3), else the first difference in words."""
    if stored == produced:
        return None
    stored_shape, stored_numbers = skeleton(stored)
    produced_shape, produced_numbers = skeleton(produced)
    if stored_shape != produced_shape or len(stored_numbers) != len(produced_numbers):
        stored_lines, produced_lines = stored.splitlines(), produced.splitlines()
        for number, (old, new) in enumerate(zip(stored_lines, produced_lines), start=1):
            if skeleton(old)[0] != skeleton(new)[0]:
                return f"line {number} differs: stored {_short(old)!r}, produced {_short(new)!r}"
        return (f"the text has {len(stored_lines)} lines stored and {len(produced_lines)} produced; "
                f"stored {_short(stored)!r}, produced {_short(produced)!r}")
    positions = [match.start() for match in NUMBER.finditer(stored)]
    for position, old, new in zip(positions, stored_numbers, produced_numbers):
        if not numbers_agree(old, new):
            line, text = _line_of(stored, position)
            if parse_number(old)[2] != parse_number(new)[2]:
                kinds = ("an integer", "a float") if parse_number(old)[2] else ("a float", "an integer")
                return (f"line {line}: the number {old} (stored, {kinds[0]}) became {new} (produced, {kinds[1]}): "
                        f"another type, e.g. another dtype; stored line: {_short(text)!r}")
            return (f"line {line}: the number {old} (stored) became {new} (produced), beyond floating-point "
                    f"noise; stored line: {_short(text)!r}")
    return None


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CELL_FRAME = re.compile(r"^(?:Cell In\[\d*\], line \d+|Input In \[\d*\])")  # IPython 8.6+ and 9; 8.0-8.5
OTHER_FRAME = re.compile(r"^File |^\S.*\.py:\d+")
ARROW = re.compile(r"^-*> ?\s*(\d+)(?: (.*))?$")


def cell_lines(traceback: list[str]) -> list[tuple[str, str]]:
    """(line number, code) of the line each notebook-cell frame of a traceback points at."""
    found, in_cell = [], False
    for line in ANSI.sub("", "\n".join(traceback)).splitlines():
        if CELL_FRAME.match(line):
            in_cell = True
        elif OTHER_FRAME.match(line):
            in_cell = False
        elif in_cell:
            arrow = ARROW.match(line)
            if arrow:
                found.append((arrow.group(1), (arrow.group(2) or "").strip()))  # IPython 8 and 9 indent it differently
    return found


def compare_traceback(stored: list[str], produced: list[str]) -> str | None:
    """None when the two tracebacks point at the same lines of the student's cells (rule 2)."""
    old, new = cell_lines(stored), cell_lines(produced)
    if not old or not new or old == new:
        return None  # nothing to compare: another traceback format, or no cell frame
    for number, ((old_line, old_code), (new_line, new_code)) in enumerate(zip(old, new), start=1):
        if (old_line, old_code) != (new_line, new_code):
            return (f"cell frame {number} points at line {old_line} {old_code!r} (stored), "
                    f"line {new_line} {new_code!r} (produced)")
    return f"{len(old)} cell frames stored, {len(new)} produced"


# ----------------------------------------------------------------------------- figures

def svg_to_png(svg: str) -> bytes:
    """The SVG rendered to pixels (resvg: no browser, no system fonts; matplotlib draws text as paths)."""
    import resvg_py

    # 96 dpi: the CSS pixels a browser shows the SVG at
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, background="#ffffff", skip_system_fonts=True, dpi=96.0))


def _pixels(png: bytes):
    """A PNG's pixels as ``matplotlib.testing.compare`` loads them: RGB, or RGBA when not opaque."""
    import numpy as np
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    if image.mode != "RGB":
        if image.mode != "RGBA":
            image = image.convert("RGBA")
        if image.getextrema()[3][0] == 255:
            image = image.convert("RGB")
    return np.asarray(image).astype(np.int16)


def picture_rms(stored_png: bytes, produced_png: bytes) -> float:
    """RMS difference of two PNG pictures on the 0-255 scale, as ``matplotlib.testing.compare`` computes it.

    In memory: compare_images itself needs two files on disk and writes a third (the diff).
    """
    from matplotlib.testing.compare import calculate_rms
    from matplotlib.testing.exceptions import ImageComparisonFailure

    if stored_png == produced_png:
        return 0.0
    try:
        return float(calculate_rms(_pixels(stored_png), _pixels(produced_png)))
    except ImageComparisonFailure as error:  # e.g. the sizes differ
        raise ValueError(str(error).strip()) from None


def compare_picture(mime: str, stored, produced, same_matplotlib: bool = True) -> str | None:
    """None when two figures look the same (rules 4 and 5), else how they differ."""
    if _joined(stored) == _joined(produced):
        return None  # byte-identical: nothing to render
    try:
        if not same_matplotlib:
            if mime == "image/svg+xml":
                return compare_drawn(_joined(stored), _joined(produced))
            return compare_png_size(base64.b64decode(_joined(stored)), base64.b64decode(_joined(produced)))
        if mime == "image/svg+xml":
            stored_png, produced_png = svg_to_png(_joined(stored)), svg_to_png(_joined(produced))
        else:
            stored_png = base64.b64decode(_joined(stored), validate=False)
            produced_png = base64.b64decode(_joined(produced), validate=False)
        rms = picture_rms(stored_png, produced_png)
    except Exception as error:  # an undecodable or unrenderable stored picture is a difference too
        return f"the pictures cannot be compared: {type(error).__name__}: {_short(str(error), 200)}"
    if rms > FIGURE_RMS or math.isnan(rms):
        return f"the picture differs from the stored one: RMS {rms:.2f} > {FIGURE_RMS} (0-255 scale)"
    return None


def png_against_svg_rms(png: bytes, svg: str, width: int = PNG_SVG_WIDTH) -> float:
    """RMS of a PNG against an SVG drawn by resvg, both reduced to ``width`` pixels across.

    matplotlib's Agg (the PNG) and resvg (the SVG) draw lines and glyphs differently, so the
    two are compared at a coarse scale, where the same figure is within PNG_SHOWS_SVG_RMS.
    """
    from matplotlib.testing.compare import calculate_rms
    from PIL import Image
    import numpy as np

    first = Image.open(io.BytesIO(png)).convert("RGB")
    second = Image.open(io.BytesIO(svg_to_png(svg))).convert("RGB")
    size = (width, max(1, round(first.height * width / first.width)))
    return float(calculate_rms(np.asarray(first.resize(size, Image.BOX), dtype=float),
                               np.asarray(second.resize(size, Image.BOX), dtype=float)))


def compare_png_size(stored_png: bytes, produced_png: bytes) -> str | None:
    from PIL import Image

    stored, produced = Image.open(io.BytesIO(stored_png)).size, Image.open(io.BytesIO(produced_png)).size
    if any(abs(a - b) > PNG_SIZE_TOLERANCE * a for a, b in zip(stored, produced)):
        return f"the PNG is {produced[0]}x{produced[1]} pixels, stored {stored[0]}x{stored[1]}"
    return None


SVG = "{http://www.w3.org/2000/svg}"
SVG_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
NOT_DRAWN_DATA = ("matplotlib.axis", "legend", "text", "axes_")


def _svg_numbers(text: str) -> list[float]:
    return [float(number) for number in SVG_NUMBER.findall(text)]


def _svg_root(svg: str):
    """The parsed SVG, with its comments: matplotlib writes each text it draws as a comment (``<!-- 0.5 -->``)."""
    parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(insert_comments=True))
    return ElementTree.fromstring(svg.encode("utf-8"), parser=parser)


def _axes_boxes(root):
    """(axes element, its drawn children, (left, top, width, height) of its box) for each axes."""
    figure = _svg_numbers(root.get("viewBox", "0 0 1 1"))
    for axes in root.iter(f"{SVG}g"):
        if not (axes.get("id") or "").startswith("axes_"):
            continue
        children = [child for child in axes if child.tag == f"{SVG}g"]
        left, right, top, bottom = figure[0], figure[0] + figure[2], figure[1], figure[1] + figure[3]
        first = children[0] if children else None
        path = first.find(f"{SVG}path") if first is not None else None
        if first is not None and (first.get("id") or "").startswith("patch_") and path is not None:
            xs = _svg_numbers(path.get("d", ""))
            if len(xs) >= 8:
                left, right, top, bottom = min(xs[0::2]), max(xs[0::2]), min(xs[1::2]), max(xs[1::2])
                children = children[1:]
        yield axes, children, (left, top, (right - left) or 1.0, (bottom - top) or 1.0)


def drawn_data(svg: str, root=None) -> list[list[tuple[str, list[tuple[float, float]]]]]:
    """Per axes of an SVG figure: its drawn elements (kind, points normalized to the axes' box), in order.

    Ticks, tick labels, text and the legend are left out: they are what another matplotlib
    release draws differently. The axes' box is its background patch, or the figure for axes
    drawn without one (``axis('off')``).
    """
    root = _svg_root(svg) if root is None else root
    found = []
    for axes, children, (left, top, width, height) in _axes_boxes(root):
        elements = []
        for child in children:
            name = child.get("id") or ""
            if name.startswith(NOT_DRAWN_DATA):
                continue
            points = []
            for element in child.iter():
                if element.tag == f"{SVG}path" and element.get("d") and element.get("id") is None:
                    values = _svg_numbers(element.get("d"))
                    points += [((x - left) / width, (y - top) / height) for x, y in zip(values[0::2], values[1::2])]
                elif element.tag == f"{SVG}use":
                    points.append(((float(element.get("x", 0)) - left) / width,
                                   (float(element.get("y", 0)) - top) / height))
            if points:
                elements.append((re.sub(r"_\d+$", "", name), points))
        found.append(elements)
    return found


def _comments(element) -> list[str]:
    return [node.text.strip() for node in element.iter() if node.tag is ElementTree.Comment and node.text]


def _tick_value(label: str) -> float | None:
    """The value of a tick label as matplotlib writes it ('0.5', '−2', '$\\mathdefault{10^{3}}$'), or None."""
    text = label.replace("\u2212", "-").replace("$", "").replace("\\mathdefault", "").replace("{", "").replace("}", "")
    power = re.fullmatch(r"\s*10\^(-?\d+)\s*", text)
    if power:
        return 10.0 ** int(power.group(1))
    try:
        return float(text)
    except ValueError:
        return None


def _is_offset(text: str) -> bool:
    """An axis' offset text ('1e6', '+1.5e3', '×10^6' as mathtext), not its label."""
    bare = re.sub(r"\\mathdefault|\\times|[${}\s×]", "", text).replace("\u2212", "-")
    return bool(re.fullmatch(r"[-+]?(?:\d+(?:\.\d*)?(?:e[-+]?\d+)?|10\^[-+]?\d+)(?:[-+]\d+(?:\.\d*)?(?:e[-+]?\d+)?)?",
                             bare))


def axis_scales(svg: str, root=None) -> list[dict[str, tuple[str, list[tuple[float, float]], list[str]]]]:
    """Per axes, per axis: ('x' or 'y', (value, position in the axes' box) of each numbered tick, its offset).

    What drawn_data leaves out, reduced to what another release cannot change: where a value
    is drawn. The offset is the offset text ('1e6') if the axis has one; the label is left out.
    """
    root = _svg_root(svg) if root is None else root
    found = []
    for axes, children, (left, top, width, height) in _axes_boxes(root):
        scales = {}
        for child in children:
            name = child.get("id") or ""
            if not name.startswith("matplotlib.axis_"):
                continue
            letter, ticks, texts = "?", [], []
            for part in child:
                part_name = part.get("id") or ""
                if part_name.startswith(("xtick_", "ytick_")):
                    letter = part_name[0]
                    mark = next((use for group in part if (group.get("id") or "").startswith("line2d_")
                                 for use in group.iter(f"{SVG}use")), None)
                    labels = [text for group in part if (group.get("id") or "").startswith("text_")
                              for text in _comments(group)]
                    value = _tick_value(labels[0]) if labels else None
                    if mark is None or value is None:
                        continue
                    if letter == "x":
                        position = (float(mark.get("x", 0)) - left) / width
                    else:
                        position = (float(mark.get("y", 0)) - top) / height
                    ticks.append((value, position))
                elif part_name.startswith("text_"):
                    texts += [text for text in _comments(part) if _is_offset(text)]
            scales[name] = (letter, ticks, texts)
        found.append(scales)
    return found


def _scale_of(ticks: list[tuple[float, float]]):
    """position = slope * f(value) + intercept for the ticks, f the identity (linear) or log10; None if neither fits."""
    import numpy as np

    values = np.array([value for value, _ in ticks])
    positions = np.array([position for _, position in ticks])
    transforms = [("linear", lambda v: v)]
    if (values > 0).all():
        transforms.append(("log", np.log10))
    for kind, transform in transforms:
        x = transform(values)
        if np.ptp(x) == 0:
            continue
        slope, intercept = np.polyfit(x, positions, 1)
        if np.max(np.abs(slope * x + intercept - positions)) <= 1e-3:
            return kind, transform, slope, intercept
    return None  # too few ticks, or another kind of axis (symlog, dates): not compared


def _compare_scales(old, new) -> str | None:
    """None when every stored tick's value is drawn where the new figure's ticks put it (rule 5)."""
    for number, (old_axes, new_axes) in enumerate(zip(old, new), start=1):
        for name in sorted(set(old_axes) & set(new_axes)):
            (letter, old_ticks, old_texts), (_, new_ticks, new_texts) = old_axes[name], new_axes[name]
            if old_texts != new_texts:
                return f"axes {number}, {letter} axis: its offset is {new_texts}, stored {old_texts}"
            if len(old_ticks) < 2 or len(new_ticks) < 2:
                continue
            old_scale, new_scale = _scale_of(old_ticks), _scale_of(new_ticks)
            if old_scale is None or new_scale is None:
                continue
            if old_scale[0] != new_scale[0]:
                return f"axes {number}, {letter} axis: {new_scale[0]}, stored {old_scale[0]}"
            _, transform, slope, intercept = new_scale
            for value, position in old_ticks:
                drawn = float(slope * transform(value) + intercept)
                if abs(drawn - position) > DRAWN_TOLERANCE:
                    return (f"axes {number}, {letter} axis: the value {value:g} is drawn at {drawn:.3f} of the axes, "
                            f"stored at {position:.3f}: another scale (the data times a factor, or other units?)")
    return None


def _farthest_point(points, others) -> float:
    """The largest distance from a point of ``points`` to the nearest point of ``others``."""
    import numpy as np

    a, b = np.asarray(points), np.asarray(others)
    return float(np.max(np.min(np.abs(a[:, None, :] - b[None, :, :]).max(axis=2), axis=1)))


def compare_drawn(stored: str, produced: str) -> str | None:
    """None when two SVG figures draw the same data on the same scales (rule 5), else the first difference."""
    old_root, new_root = _svg_root(stored), _svg_root(produced)
    old, new = drawn_data(stored, old_root), drawn_data(produced, new_root)
    if len(old) != len(new):
        return f"the figure has {len(new)} axes, stored {len(old)}"
    for number, (old_elements, new_elements) in enumerate(zip(old, new), start=1):
        old_kinds, new_kinds = [kind for kind, _ in old_elements], [kind for kind, _ in new_elements]
        if old_kinds != new_kinds:
            return f"axes {number} draws {new_kinds}, stored {old_kinds}"
        for index, ((kind, a), (_, b)) in enumerate(zip(old_elements, new_elements), start=1):
            if len(a) == len(b):
                distance = max(max(abs(p - r), abs(q - s)) for (p, q), (r, s) in zip(a, b))
            elif abs(len(a) - len(b)) <= max(2, len(a) // 10):  # a path clipped or simplified differently
                distance = max(_farthest_point(a, b), _farthest_point(b, a))
            else:
                return f"axes {number}, element {index} ({kind}) has {len(b)} points, stored {len(a)}"
            if distance > DRAWN_TOLERANCE:
                return (f"axes {number}, element {index} ({kind}) moved by {distance:.3f} of the axes "
                        f"(> {DRAWN_TOLERANCE})")
    return _compare_scales(axis_scales(stored, old_root), axis_scales(produced, new_root))


def _joined(value) -> str:
    return "".join(value) if isinstance(value, list) else value


# ----------------------------------------------------------------------------- outputs of a cell

def fields(output, sanitize) -> list[tuple[str, str, object]]:
    """(name, kind, value) of everything compared in one output: kind is 'text' or a picture MIME type."""
    kind = output.get("output_type")
    if kind == "stream":
        return [(f"{output.get('name')} stream", "text", sanitize(_joined(output.get("text", ""))))]
    if kind == "error":
        return [("error name", "text", output.get("ename", "")),
                ("error message", "text", sanitize(output.get("evalue", ""))),
                ("traceback", "traceback", output.get("traceback", []))]
    found = []
    for mime, value in sorted(output.get("data", {}).items()):
        if mime in IGNORED_TYPES:
            continue
        if mime in PICTURE_TYPES:
            found.append((mime, mime, value))
        else:
            text = _joined(value) if isinstance(value, (str, list)) else repr(value)
            found.append((mime, "text", sanitize(text)))
    return found


def describe(output) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return f"a {output.get('name')} stream"
    if kind == "error":
        return f"an error ({output.get('ename')})"
    return f"{kind} with {', '.join(sorted(output.get('data', {})))}"


def first_difference(produced: list, stored: list, sanitize=lambda text: text, same_matplotlib: bool = True
                     ) -> str | None:
    """None when a cell's produced outputs mean the same as its stored ones, else the first difference."""
    if len(produced) != len(stored):
        return (f"{len(stored)} outputs stored, {len(produced)} produced: stored "
                f"[{'; '.join(map(describe, stored))}], produced [{'; '.join(map(describe, produced))}]")
    for number, (old, new) in enumerate(zip(stored, produced), start=1):
        if (old.get("output_type"), old.get("name")) != (new.get("output_type"), new.get("name")):
            return f"output {number}: stored {describe(old)}, produced {describe(new)}"
        old_fields, new_fields = fields(old, sanitize), fields(new, sanitize)
        if [name for name, _, _ in old_fields] != [name for name, _, _ in new_fields]:
            return f"output {number}: stored {describe(old)}, produced {describe(new)}"
        for (name, kind, old_value), (_, _, new_value) in zip(old_fields, new_fields):
            if kind == "text":
                problem = compare_text(old_value, new_value)
            elif kind == "traceback":
                problem = compare_traceback(old_value, new_value)
            else:
                problem = compare_picture(kind, old_value, new_value, same_matplotlib)
            if problem:
                return f"output {number}, {name}: {problem}"
        if not same_matplotlib:
            problem = png_shows_svg(old.get("data", {}))
            if problem:
                return f"output {number}, image/png: {problem}"
    return None


def png_shows_svg(data: dict) -> str | None:
    """Under rule 5: None when a stored PNG shows its stored SVG's figure (or there is not both)."""
    if "image/png" not in data or "image/svg+xml" not in data:
        return None
    try:
        rms = png_against_svg_rms(base64.b64decode(_joined(data["image/png"])), _joined(data["image/svg+xml"]))
    except Exception as error:
        return f"the stored PNG cannot be compared with the stored SVG: {type(error).__name__}: {_short(str(error))}"
    if rms > PNG_SHOWS_SVG_RMS or math.isnan(rms):
        return (f"the stored PNG does not show the stored SVG's figure (RMS {rms:.1f} > {PNG_SHOWS_SVG_RMS} "
                f"at {PNG_SVG_WIDTH} pixels across): one of them belongs to another figure")
    return None


def compare_cell_outputs(item, test, ref, skip_compare=None) -> bool:
    """Replaces nbval's IPyNbCell.compare_outputs: True when the outputs agree; else explains why."""
    problem = first_difference(test, ref, item.sanitize, made_with_this_matplotlib(item.parent.nb))
    item.comparison_traceback = []
    if problem is None:
        return True
    where = f"{item.parent.path.relative_to(ROOT) if item.parent.path.is_relative_to(ROOT) else item.parent.path}"
    item.comparison_traceback.append(f"{where}, cell {item.cell_num} (stored In [{item.cell.execution_count}]): "
                                     f"{problem}")
    return False


def _minor(version: str) -> tuple[str, ...]:
    return tuple(version.split("+")[0].split(".")[:2])


def made_with_this_matplotlib(notebook) -> bool:
    """Whether this notebook's outputs were made with the installed matplotlib's major.minor (rule 5)."""
    from importlib.metadata import version

    recorded = notebook.metadata.get("d2lhelpers", {}).get("outputs_made_with", {}).get("matplotlib")
    return recorded is None or _minor(recorded) == _minor(version("matplotlib"))


# ----------------------------------------------------------------------------- the pytest hooks

def pytest_configure(config):
    """Find the sanitizers from any working directory (``cd notebooks/en && pytest 04-detach.ipynb``)."""
    option = config.option
    if not getattr(option, "nbval", False) and not getattr(option, "nbval_lax", False):
        return
    given = getattr(option, "nbval_sanitize_with", None)
    if given is None:
        option.nbval_sanitize_with = str(SANITIZE_FILE)
    elif not Path(given).is_file() and (config.rootpath / given).is_file():
        option.nbval_sanitize_with = str(config.rootpath / given)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Every notebook cell nbval collected compares its outputs by meaning (the rules above)."""
    from nbval.plugin import IPyNbCell

    for item in items:
        if isinstance(item, IPyNbCell):
            item.compare_outputs = types.MethodType(compare_cell_outputs, item)


def pytest_report_header(config):
    if getattr(config.option, "nbval", False):
        return [f"notebook outputs compared by meaning (tests/nbval_meaning.py): numbers to RTOL {RTOL} plus "
                f"their printed rounding, figures as pictures to RMS {FIGURE_RMS} (or, for notebooks made with "
                f"another matplotlib, by their drawn data to {DRAWN_TOLERANCE})"]
    return []
