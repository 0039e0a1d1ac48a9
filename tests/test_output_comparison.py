"""The comparison by meaning (tests/nbval_meaning.py) lets noise through and catches every real change.

The rules are unit-tested on printed numbers and texts; then a small notebook is executed,
copied with one tampering each, and re-run under nbval with the plugin, in one pytest
process: every tampered copy must fail at the tampered cell, naming it, and the untouched
and the noisy copies must pass.
"""

import base64
import copy
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import nbformat
import pytest
from nbclient import NotebookClient

import nbval_meaning as meaning
from conftest import NOTEBOOKS, ROOT


# ----------------------------------------------------------------------------- the rules, one by one

@pytest.mark.parametrize("stored, produced", [
    ("0.1254", "0.1254"),
    ("0.12345679", "0.12345678"),              # float32 noise at the 1e-7 level
    ("86.968167", "86.968174"),                # an SVG coordinate under other kernels (8e-8 relative)
    ("1.7320508075688772", "1.7320508075688774"),
    ("0.1254", "0.1255"),                      # noise across a rounding boundary flips the last digit
    ("0.0", "5.96e-08"),                       # zero against float32 noise
    ("-0.0000", "0.0000"),
    ("2.", "2.0000"),                          # torch drops the decimals of integral values
    ("28.", "28.000002"),
])
def test_noise_passes(stored, produced):
    assert meaning.numbers_agree(stored, produced)


@pytest.mark.parametrize("stored, produced", [
    ("0.1254", "0.1260"),                      # another random sample (issue 9)
    ("28.", "28.56"),                          # 2 %
    ("0.1254", "0.1279"),                      # 2 %
    ("1e-07", "1e-08"),
    ("3", "4"),                                # integers are exact: counts, shapes, indices
    ("1000000", "1000001"),
    ("5.96e-08", "-2.98e-08"),                 # two different non-zero values are not noise around zero
    ("2.", "3."),
])
def test_real_changes_fail(stored, produced):
    assert not meaning.numbers_agree(stored, produced)


def test_numbers_inside_words_and_versions_are_text():
    assert meaning.skeleton("MulBackward0 float32 torch 2.13.0 x1 3x")[1] == []
    assert meaning.skeleton("tensor([0.5000, -1.2500e-03]) and 3 items")[1] == ["0.5000", "-1.2500e-03", "3"]


def test_text_outside_numbers_is_exact():
    assert meaning.compare_text("tensor(28., grad_fn=<MulBackward0>)", "tensor(28.000002, grad_fn=<MulBackward0>)") is None
    problem = meaning.compare_text("tensor(28., grad_fn=<MulBackward0>)", "tensor(28., grad_fn=<AddBackward0>)")
    assert problem and "line 1" in problem and "AddBackward0" in problem
    problem = meaning.compare_text("a\nshare 0.1254\nc", "a\nshare 0.1260\nc")
    assert problem and "line 2" in problem and "0.1254" in problem and "0.1260" in problem


def test_the_address_sanitizer_keeps_numbers_that_only_contain_0x():
    import configparser

    parser = configparser.ConfigParser()
    parser.read(meaning.SANITIZE_FILE)
    patterns = [(parser.get(section, "regex"), parser.get(section, "replace")) for section in parser.sections()]

    def sanitize(text):
        for regex, replace in patterns:
            text = re.sub(regex, replace, text)
        return text

    assert sanitize("<AccumulateGrad object at 0x7f3a2b1c9d10>") == "<AccumulateGrad object at 0xADDRESS>"
    assert sanitize("shape 10x1000000") == "shape 10x1000000"
    assert meaning.compare_text(sanitize("shape 10x1000000"), sanitize("shape 10x9999999"))


def stored_figures():
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                if "image/png" in output.get("data", {}):
                    yield output["data"]


def test_different_stored_figures_differ_by_far_more_than_the_tolerance():
    """Any two stored figures of the same size are at least ten tolerances apart."""
    pictures = [base64.b64decode(data["image/png"]) for data in stored_figures()]
    assert len(pictures) > 10
    distances = []
    for first, second in zip(pictures, pictures[1:]):
        try:
            distances.append(meaning.picture_rms(first, second))
        except ValueError:  # another size: compare_images refuses, which fails the cell too
            continue
    assert distances, "no two consecutive stored figures have the same size"
    assert min(distances) > 10 * meaning.FIGURE_RMS, sorted(distances)[:3]


def test_a_stored_svg_renders_to_what_its_png_shows_in_outline():
    data = next(stored_figures())
    png = meaning.svg_to_png(data["image/svg+xml"])
    assert png.startswith(b"\x89PNG")
    svg = ElementTree.fromstring(data["image/svg+xml"].encode())
    assert svg.get("width").endswith("pt")


def test_drawn_data_ignores_text_and_ticks_but_not_the_data():
    svg = next(stored_figures())["image/svg+xml"]
    assert meaning.compare_drawn(svg, svg) is None
    elements = meaning.drawn_data(svg)
    assert elements and elements[0], "the figure draws something"
    relabelled = re.sub(r"(<!-- )([^>]*)( -->)", r"\1another label\3", svg)
    assert meaning.compare_drawn(svg, relabelled) is None
    first_line = re.search(r'<g id="line2d_\d+">\s*<path d="M ([\d.]+) ([\d.]+)', svg[svg.index('id="axes_1"'):])
    assert first_line


def test_another_matplotlib_is_decided_per_notebook(monkeypatch):
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "3.11.2")
    notebook = nbformat.v4.new_notebook()
    assert meaning.made_with_this_matplotlib(notebook), "a notebook without a record is compared as pictures"
    notebook.metadata["d2lhelpers"] = {"outputs_made_with": {"matplotlib": "3.11.0"}}
    assert meaning.made_with_this_matplotlib(notebook)
    notebook.metadata["d2lhelpers"] = {"outputs_made_with": {"matplotlib": "3.10.9"}}
    assert not meaning.made_with_this_matplotlib(notebook)


# ----------------------------------------------------------------------------- tampered copies of a notebook

SOURCES = [
    "import torch\nimport d2lhelpers as d2l",
    "x = torch.tensor([1.0, 2.0, 3.0])\nprint('share', (x / 7).sum().item())",
    # two figures of the same size (the same ticks), so that the pictures are compared pixel by pixel
    "d2l.plot(torch.arange(5.0), [torch.arange(5.0)], 'x', 'y', figsize=(3, 2))",
    "d2l.plot(torch.arange(5.0), [4 - torch.arange(5.0)], 'x', 'y', figsize=(3, 2))",
    "torch.ones(2) @ torch.ones(3)",
    "2 * torch.dot(x, x)",
]
RAISES = {4}


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                       "name": "python3"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in SOURCES]
    for index in RAISES:
        notebook.cells[index].metadata["tags"] = ["raises-exception"]
    folder = tmp_path_factory.mktemp("executed")
    NotebookClient(notebook, kernel_name="python3", timeout=300, allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def printed_share(nb):
    return float(nb.cells[1].outputs[0].text.split()[1])


def number_by_2_percent(nb):
    nb.cells[1].outputs[0].text = f"share {printed_share(nb) * 1.02}\n"


def float32_noise(nb):
    nb.cells[1].outputs[0].text = f"share {printed_share(nb) * (1 + 1.2e-7)}\n"


def png_of_the_other_figure(nb):
    nb.cells[2].outputs[0].data["image/png"] = nb.cells[3].outputs[0].data["image/png"]


def svg_of_the_other_figure(nb):
    nb.cells[2].outputs[0].data["image/svg+xml"] = nb.cells[3].outputs[0].data["image/svg+xml"]


def exception_type(nb):
    nb.cells[4].outputs[0].ename = "ValueError"


def output_removed(nb):
    nb.cells[5].outputs = []


def output_type(nb):
    result = nb.cells[5].outputs[0]
    nb.cells[5].outputs = [nbformat.v4.new_output("stream", name="stdout", text=result.data["text/plain"] + "\n")]


def made_with_another_matplotlib(nb):
    nb.metadata["d2lhelpers"] = {"outputs_made_with": {"matplotlib": "3.0.0"}}


COPIES = {  # copy: (its tamperings, {the code cell that must fail: what its message must say})
    "untouched": ([], {}),
    "noise": ([float32_noise], {}),
    "tampered": ([number_by_2_percent, png_of_the_other_figure, exception_type, output_removed],
                 {1: "beyond floating-point noise", 2: "image/png: the picture differs from the stored one: RMS",
                  4: "error name: line 1 differs: stored 'ValueError', produced 'RuntimeError'",
                  5: "0 outputs stored, 1 produced"}),
    "tampered_again": ([svg_of_the_other_figure, output_type],
                       {2: "image/svg+xml: the picture differs from the stored one: RMS",
                        5: "output 1: stored a stdout stream, produced execute_result with text/plain"}),
    # as if made with another matplotlib release: figures compared by their drawn data (rule 5)
    "other_matplotlib": ([made_with_another_matplotlib], {}),
    "other_matplotlib_tampered": ([made_with_another_matplotlib, svg_of_the_other_figure, number_by_2_percent],
                                  {1: "beyond floating-point noise",
                                   2: "image/svg+xml: axes 1, element 1 (line2d) moved by"}),
}


@pytest.fixture(scope="module")
def nbval_results(executed, tmp_path_factory):
    """Run nbval with the plugin once over every tampered copy; {(copy, cell): (outcome, message)}."""
    folder = tmp_path_factory.mktemp("tampered")
    for name, (changes, _) in COPIES.items():
        copied = copy.deepcopy(executed)
        for change in changes:
            change(copied)
        nbformat.write(copied, folder / f"{name}.ipynb")
    (folder / "pytest.ini").write_text("[pytest]\n")
    report = folder / "report.json"
    command = [sys.executable, "-m", "pytest", str(folder), "-p", "nbval_meaning", "--nbval", "--nbval-current-env",
               "-p", "no:cacheprovider", "-p", "no:randomly", "-q", "-rf", "--rootdir", str(folder),
               "-o", f"pythonpath={ROOT / 'tests'}", "--junit-xml", str(report)]
    completed = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=900)
    tree = ElementTree.parse(report)
    results = {}
    for case in tree.iter("testcase"):  # classname "number.ipynb", name "Cell 1"
        failure = case.find("failure")
        error = case.find("error")
        results[case.get("classname"), case.get("name")] = (
            "passed" if failure is None and error is None else "failed",
            "" if failure is None else failure.get("message", "") + (failure.text or ""))
    assert results, completed.stdout[-3000:] + completed.stderr[-3000:]
    return results


@pytest.mark.parametrize("name", list(COPIES))
def test_each_tampering_fails_at_its_cell_naming_it_and_noise_passes(nbval_results, name):
    must_fail = {f"Cell {index}": says for index, says in COPIES[name][1].items()}
    outcomes = {cell: outcome for (notebook, cell), outcome in nbval_results.items() if notebook == f"{name}.ipynb"}
    assert len(outcomes) == len(SOURCES), sorted(nbval_results)
    failed = {cell: message for cell, (outcome, message) in outcomes.items() if outcome == "failed"}
    assert set(failed) == set(must_fail), failed
    for cell, message in failed.items():
        assert f"{name}.ipynb, cell {cell.split()[1]}" in message, message
        assert must_fail[cell] in message, message


def test_different_stored_figures_draw_different_data():
    """Rule 5 still tells figures apart: no two stored figures (of compared cells) draw the same data."""
    import itertools

    figures = []
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if "nbval-ignore-output" in cell.metadata.get("tags", []):
                continue  # timings: never compared
            for output in cell.get("outputs", []):
                if "image/svg+xml" in output.get("data", {}):
                    figures.append((f"{path.name}, cell {index}", output["data"]["image/svg+xml"]))
    assert len(figures) > 10
    alike = [(first, second) for (first, a), (second, b) in itertools.combinations(figures, 2)
             if meaning.compare_drawn(a, b) is None]
    assert not alike, alike
