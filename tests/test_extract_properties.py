"""Property tests of the ``# @save`` round trip: generated cells -> save -> import.

Hypothesis writes notebooks of small functions, each with a marker in an allowed place
(alone on the line above, or at the end of the def line), in no place, or in a near-miss
spelling, with docstrings holding any quotes and backslashes and bodies indented with
spaces or tabs. Saving and importing the module must give every marked function, behaving
as in the notebook, and nothing else. A marker in a disallowed place must give one error
that names its cell.
"""

import importlib.util
import inspect
import json
import os
import warnings

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from conftest import in_ci  # noqa: E402
from d2lhelpers import extract  # noqa: E402

# In CI the examples are derandomized, so that a run is repeatable; locally each run explores anew.
SETTINGS = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 40)), deadline=None, derandomize=in_ci(),
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

indents = st.sampled_from(["    ", "  ", "\t"])
docstrings = st.one_of(st.none(), st.text(st.sampled_from("ab \"'\\%!#@é中"), max_size=12))
placements = st.sampled_from(["above", "end", "none", "near-miss", "ipython-around"])


def docstring_literal(text: str, style: int) -> str:
    """A literal whose value is ``text``: repr, or triple quotes when they can hold it as written."""
    if style == 1 and '"""' not in text and "\\" not in text and not text.endswith('"'):
        return f'"""{text}"""'
    if style == 2 and "'''" not in text and "\\" not in text and not text.endswith("'"):
        return f"'''{text}'''"
    return repr(text)


@st.composite
def functions(draw, number):
    value = draw(st.integers(-1000, 1000))
    indent = draw(indents)
    doc = draw(docstrings)
    placement = draw(placements)
    name = f"f{number}"
    lines = []
    if doc is not None:
        lines.append(indent + docstring_literal(doc, draw(st.integers(0, 2))))
    lines.append(f"{indent}return {value}")
    header = f"def {name}():"
    if placement == "above":
        source = "# @save\n" + header
    elif placement == "end":
        source = header + "  # @save"
    elif placement == "near-miss":
        source = header + "  " + draw(st.sampled_from(["# @SAVE", "## @save", "# @save this", "#@ save"]))
    else:
        source = header
    source += "\n" + "\n".join(lines)
    if placement == "ipython-around":  # a magic before, a shell line after: the kernel's syntax
        source = "%matplotlib inline\n# @save\n" + source + "\n!echo done"
    saved = placement in ("above", "end", "ipython-around")
    return {"name": name, "value": value, "doc": doc, "source": source, "saved": saved,
            "near_miss": placement == "near-miss"}


def notebook(folder, cells):
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.ipynb"):
        old.unlink()
    content = {"cells": [{"cell_type": "code", "metadata": {}, "source": source, "outputs": [],
                          "execution_count": None} for source in cells],
               "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / "01-generated.ipynb").write_text(json.dumps(content))


def import_file(path):
    spec = importlib.util.spec_from_file_location("generated_saved", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@SETTINGS
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(*[functions(i) for i in range(n)])))
def test_save_then_import_gives_every_marked_function(tmp_path, cases):
    books = tmp_path / "notebooks"
    notebook(books, [case["source"] for case in cases])
    output = tmp_path / "saved.py"
    if output.exists():
        output.unlink()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", extract.MarkerWarning)
        extract.save(books, output)
        assert extract.check(books, output) == []
    module = import_file(output)
    assert module.__all__ == [case["name"] for case in cases if case["saved"]]
    for case in cases:
        if not case["saved"]:
            assert not hasattr(module, case["name"])
            continue
        function = getattr(module, case["name"])
        assert function() == case["value"]
        assert "Defined in notebooks/01-generated.ipynb." in function.__doc__
        if case["doc"] is not None:
            # Python 3.13 strips a docstring's indentation when it compiles it; cleandoc does
            # the same on 3.10 to 3.12
            assert inspect.cleandoc(function.__doc__).startswith(inspect.cleandoc(case["doc"]).rstrip())
    near_misses = [number for number, case in enumerate(cases, start=1) if case["near_miss"]]
    warned = [str(w.message) for w in caught if issubclass(w.category, extract.MarkerWarning)]
    assert len(warned) == 2 * len(near_misses)  # once by save, once by check
    warned = warned[: len(near_misses)]
    for number, message in zip(near_misses, warned):
        assert message.startswith(f"notebooks/01-generated.ipynb, cell {number}: ")
    assert not extract.hand_edited(output.read_text(encoding="utf-8"))


DISALLOWED = [
    ("# @save\nx = 1", "marks an assignment"),
    ("y = 2  # @save", "marks an assignment"),
    ("def g():\n    # @save\n    return 1", "inside a block"),
    ("def h():\n    return 1  # @save", "inside a block"),
    ("if True:  # @save\n    pass", "marks an if statement"),
    ("for i in range(2):\n    pass\n# @save", "marks nothing"),
    ("# @save\nfrom os import *", "'import \\*' cannot be saved"),
    ("def k(): return 1  # @save", "put the body of 'k' on lines of its own"),
    ("def m():  # @save\n    %time 1\n    return 1", "IPython syntax"),
]


@SETTINGS
@given(st.lists(functions(0), min_size=0, max_size=3), st.sampled_from(DISALLOWED), st.data())
def test_a_disallowed_marker_gives_one_error_naming_its_cell(tmp_path, allowed, disallowed, data):
    cells = [case["source"].replace("f0", f"f{i}") for i, case in enumerate(allowed)]
    position = data.draw(st.integers(0, len(cells)))
    cells.insert(position, disallowed[0])
    books = tmp_path / "notebooks"
    notebook(books, cells)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", extract.MarkerWarning)
        with pytest.raises(extract.ExtractError, match=disallowed[1]) as error:
            extract.build(books)
    message = str(error.value)
    assert message.startswith(f"notebooks/01-generated.ipynb, cell {position + 1}: ")
    assert "\n" not in message
