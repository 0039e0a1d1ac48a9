"""CI definitions, pre-commit, and the notebook maintenance tools."""

import copy
import itertools
import json
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml

from conftest import NOTEBOOKS, ROOT
from in_process import run_module, run_script  # the tools' own work, without a fresh interpreter each (tests/in_process.py)

TOOLS = ROOT / "tools"


def readme_commands():
    """The shell commands of README.md's Quick start, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", quick_start, re.S)]


def test_readme_has_the_two_commands_and_ci_runs_the_test_command():
    setup, test = readme_commands()[:2]
    assert setup == "uv run jupyter lab notebooks" and test == "uv run pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(rf"^run_pytest {re.escape(test)}$", ci, re.M), f"`.ci/run` does not run `{test}`"
    # then the notebooks again under other CPUs' kernels
    assert "for capability in default avx2" in ci and "ATEN_CPU_CAPABILITY=$capability run_pytest" in ci
    workflow = yaml.safe_load((ROOT / ".github/workflows/tests.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["uv"]["steps"]
    assert any(step.get("run") == test for step in steps), "the workflow does not run README's test command"


def test_workflow_matches_github_schema_and_covers_the_matrix():
    result = run_module("check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                        ROOT / ".github/workflows/tests.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    workflow = yaml.safe_load((ROOT / ".github/workflows/tests.yml").read_text(encoding="utf-8"))
    # README's two commands on the three systems, and pip installs on every supported Python
    assert set(workflow["jobs"]["uv"]["strategy"]["matrix"]["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    pip = workflow["jobs"]["pip"]["strategy"]["matrix"]
    assert set(pip["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    assert pip["python-version"] == ["3.10", "3.11", "3.12", "3.13"]


def test_pre_commit_runs_ruff_the_save_check_and_the_cleaner():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert "jupyter" in hooks["ruff-check"]["types_or"]
    assert hooks["save-check"]["entry"] == "python -m d2lhelpers save --check"
    assert hooks["clean-notebooks"]["entry"] == "python tools/clean_notebooks.py"


def test_committed_notebooks_are_clean():
    result = run_script(TOOLS / "clean_notebooks.py", "--check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_cleaner_drops_volatile_metadata_and_keeps_outputs(tmp_path):
    notebook = nbformat.read(NOTEBOOKS[1], as_version=4)
    notebook.metadata["widgets"] = {"state": {"random-id": {}}}
    notebook.metadata["language_info"]["version"] = "3.11.7"
    code = next(cell for cell in notebook.cells if cell.cell_type == "code" and cell.outputs)
    code.metadata["execution"] = {"iopub.execute_input": "2026-11-21T10:00:00Z"}
    outputs = list(code.outputs)
    path = tmp_path / "dirty.ipynb"
    nbformat.write(notebook, path)
    cleaner = TOOLS / "clean_notebooks.py"
    assert run_script(cleaner, "--check", path).returncode == 1
    assert run_script(cleaner, path).returncode == 1  # changed: pre-commit fails
    assert run_script(cleaner, path).returncode == 0  # now clean
    cleaned = nbformat.read(path, as_version=4)
    assert "widgets" not in cleaned.metadata and "version" not in cleaned.metadata["language_info"]
    cleaned_code = next(cell for cell in cleaned.cells if cell.id == code.id)
    assert "execution" not in cleaned_code.metadata and cleaned_code.outputs == outputs


def test_cleaner_reports_a_broken_notebook(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    result = run_script(TOOLS / "clean_notebooks.py", path)
    assert result.returncode == 2 and "broken.ipynb: not valid notebook JSON" in result.stderr
    assert "not a readable notebook" in result.stderr and result.stderr.count("\n") == 1
    assert path.read_text() == "{not json"


def test_outputs_record_the_library_versions_that_made_them():
    for path in NOTEBOOKS:
        made_with = nbformat.read(path, as_version=4).metadata.get("d2lhelpers", {}).get("outputs_made_with", {})
        assert set(made_with) == {"torch", "numpy", "matplotlib"}, f"{path.name}: run tools/execute_notebooks.py"


def test_no_notebook_assumes_posix_paths():
    # a string starting with /, ./, ../, ~/ or a drive (C:\\ or C:/); 'y:\n' is not one
    posix_path = re.compile(r"""["'](\.{0,2}/[\w.-]+|~/|[A-Za-z]:(\\\\|/)\w)""")
    for path in NOTEBOOKS:
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells, start=1):
            if cell.cell_type == "code":
                match = posix_path.search(cell.source)
                assert not match, f"{path.name}, cell {index}: a hard-coded path {match.group(0)!r}"


def test_ruff_is_clean():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", str(ROOT)], capture_output=True, text=True)
    if "No module named ruff" in result.stderr:
        import pytest

        pytest.skip("ruff is not installed (pre-commit brings its own)")
    assert result.returncode == 0, result.stdout



# --- issue 18: tools touch only what they own --------------------------------------------------------


PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def foreign_notebook() -> dict:
    """A notebook full of content no tool owns, plus a little of what each tool does own."""
    ids = (f"cell-{number}" for number in itertools.count(1))

    def code(source, outputs=(), **metadata):
        return {"cell_type": "code", "execution_count": 1, "id": next(ids), "metadata": metadata,
                "outputs": copy.deepcopy(list(outputs)), "source": source}

    def markdown(source, **metadata):
        return {"cell_type": "markdown", "id": next(ids), "metadata": metadata, "source": source}

    stream = {"name": "stdout", "output_type": "stream", "text": ["one\n", "two\n"]}
    result = {"output_type": "execute_result", "execution_count": 1, "metadata": {"custom": {"deep": [1, {"x": None}]}},
              "data": {"text/plain": ["<b>2</b>"], "text/html": ["<b>2</b>"], "application/json": {"a": [1, 2]}}}
    picture = {"output_type": "display_data", "metadata": {"image/png": {"width": 10, "unconfined": True}},
               "data": {"image/png": PNG, "text/plain": ["<Figure>"]}}
    error = {"output_type": "error", "ename": "ValueError", "evalue": "bad", "traceback": ["\x1b[0;31mValueError\x1b[0m"]}
    widget = {"output_type": "display_data", "metadata": {"mine": 1},
              "data": {WIDGET_VIEW: {"model_id": "abc", "version_major": 2}, "text/plain": ["IntSlider(value=3)"],
                       "image/png": PNG}}
    only_widget = {"output_type": "display_data", "metadata": {}, "data": {WIDGET_VIEW: {"model_id": "def"}}}
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "pygments_lexer": "ipython3", "version": "3.11.7"},
            "authors": [{"name": "A. Teacher"}], "jupytext": {"formats": "ipynb,md"},
            "custom": {"nested": {"deep": [1, 2, {"x": None, "y": "z"}]}},
            "d2lhelpers": {"outputs_made_with": {"torch": "0"}, "translated_from": "abc123"},
            "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
        },
        "cells": [
            markdown("&lt; [Old](00-index.ipynb) | [Contents](00-index.ipynb)", tags=["navigation"]),
            markdown("# A title\n\n![a](attachment:a.png)", editable=False, custom={"k": "v"}, tags=["my-tag"]),
            {**markdown("Text with an attachment."), "attachments": {"a.png": {"image/png": PNG}}},
            {"cell_type": "raw", "id": "raw1", "metadata": {"format": "text/latex", "raw_mimetype": "text/latex"},
             "source": "\\LaTeX"},
            code("print('one'); print('two')", [stream], collapsed=True, scrolled="auto",
                 execution={"iopub.execute_input": "2026-01-01T00:00:00Z"}, ExecuteTime={"end_time": "x"}),
            code("2", [result, picture], tags=["nbval-ignore-output", "another"], custom={"k": [1]}),
            code("raise ValueError('bad')", [error], tags=["raises-exception"]),
            code("slider", [widget, only_widget]),
            code("important = 42", tags=["navigation"]),  # not a link cell: the user's
            markdown("My notes.", tags=["navigation", "my-notes"]),
            markdown("## Exercises\n\n1. Do it.\n2. And this."),
            markdown("Solution to exercise 2 (click to expand)\n\nThe **answer**.", tags=["solution"], mine={"a": 1}),
            code("# Solution to exercise 2 (click to expand)\nprint(2)", [stream], tags=["solution", "x"],
                 jupyter={"source_hidden": False, "custom": 3}),
            markdown("[Contents](00-index.ipynb) | [Next](02-b.ipynb) &gt;", tags=["navigation"]),
        ],
    }


def _without(notebook: dict, owned) -> dict:
    notebook = copy.deepcopy(notebook)
    owned(notebook)
    return notebook


def _slides_own(notebook):
    notebook["metadata"].pop("rise", None)
    for cell in notebook["cells"]:
        cell["metadata"].pop("slideshow", None)


def _solutions_own(notebook):
    for cell in notebook["cells"]:
        if "solution" in cell["metadata"].get("tags", []):
            hidden = cell["metadata"].get("jupyter", {})
            hidden.pop("source_hidden", None)
            hidden.pop("outputs_hidden", None)
            if not hidden:
                cell["metadata"].pop("jupyter", None)
            source = "".join(cell["source"])
            cell["source"] = source.split("\n", 1)[1].lstrip("\n") if "\n" in source else ""


def _clean_own(notebook):
    for key in ("kernelspec", "language_info", "widgets"):
        notebook["metadata"].pop(key, None)
    for cell in notebook["cells"]:
        cell["metadata"].pop("execution", None)
        cell["metadata"].pop("ExecuteTime", None)
        outputs = []
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
            if output.get("output_type") != "display_data" or output["data"]:
                outputs.append(output)
        if "outputs" in cell:
            cell["outputs"] = outputs


def _navigation_own(notebook):
    def is_link_cell(cell):
        text = "".join(cell["source"])
        return cell["cell_type"] == "markdown" and "navigation" in cell["metadata"].get("tags", []) and \
            ("](00-index.ipynb)" in text or "&gt;" in text) and "\n" not in text.strip()
    notebook["cells"] = [cell for cell in notebook["cells"] if not is_link_cell(cell)]


def _normalized(notebook: dict) -> dict:
    """As nbformat stores it (multi-line strings as lists of lines), so that both sides compare alike."""
    return json.loads(nbformat.writes(nbformat.from_dict(copy.deepcopy(notebook))))


@pytest.fixture
def foreign_repository(tmp_path):
    repository = tmp_path / "repository"
    shutil.copytree(TOOLS, repository / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    folder = repository / "notebooks" / "en"
    folder.mkdir(parents=True)
    index = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Contents")])
    (folder / "00-index.ipynb").write_text(nbformat.writes(index) + "\n", encoding="utf-8")
    (folder / "01-foreign.ipynb").write_text(json.dumps(foreign_notebook(), indent=1), encoding="utf-8")
    return repository


def tool_module(name):
    """A module of tools/, imported as the tools import each other (tools/ on sys.path)."""
    import importlib

    sys.path.insert(0, str(TOOLS))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(TOOLS))


def _transform(tool):
    if tool == "slides.py":
        return lambda path, notebook: tool_module("slides").with_slides(notebook)
    if tool == "solutions.py":
        module = tool_module("solutions")
        return lambda path, notebook: module.with_collapsed_solutions(notebook, module.edition_of(path))
    return lambda path, notebook: tool_module("clean_notebooks").clean(notebook)


@pytest.mark.parametrize("tool, owned", [
    ("slides.py", _slides_own), ("solutions.py", _solutions_own), ("clean_notebooks.py", _clean_own),
    ("navigation.py", _navigation_own),
])
def test_each_tool_keeps_everything_it_does_not_own(foreign_repository, tool, owned):
    path = foreign_repository / "notebooks" / "en" / "01-foreign.ipynb"
    before = json.loads(path.read_text(encoding="utf-8"))
    if tool == "navigation.py":  # as a script: it finds the notebooks of each edition itself
        result = run_script(foreign_repository / "tools" / tool, cwd=foreign_repository)
        assert result.returncode == 0, result.stderr
        assert result.stderr.count("not a link cell this tool wrote") == 2, result.stderr
    else:  # what the script does: its transform, through notebook_files.rewrite
        assert tool_module("notebook_files").rewrite([path], _transform(tool), check=False) == [path]
    after = json.loads(path.read_text(encoding="utf-8"))
    assert after != before, f"{tool} had something of its own to change"
    assert _without(after, owned) == _without(_normalized(before), owned), tool
    if tool == "clean_notebooks.py":  # trial W08: the static fallbacks of a widget view are kept
        assert [list(output.get("data", {})) for output in after["cells"][7]["outputs"]] == [["image/png", "text/plain"]]


def test_recording_the_versions_keeps_the_rest_of_the_record():
    execute_notebooks = tool_module("execute_notebooks")
    notebook = nbformat.from_dict(foreign_notebook())
    execute_notebooks.record_versions(notebook)
    assert notebook.metadata["d2lhelpers"]["translated_from"] == "abc123"
    assert set(notebook.metadata["d2lhelpers"]["outputs_made_with"]) == {"torch", "numpy", "matplotlib"}


def test_a_schema_invalid_notebook_is_one_line_and_left_alone(tmp_path):
    """Trial W13: an output without output_type gave a raw AttributeError from nbformat, exit 1."""
    notebook = foreign_notebook()
    del notebook["cells"][4]["outputs"][0]["output_type"]
    path = tmp_path / "01-bad.ipynb"
    path.write_text(json.dumps(notebook))
    before = path.read_bytes()
    result = run_script(TOOLS / "clean_notebooks.py", path)  # every tool reads through notebook_files.read
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result
    assert "01-bad.ipynb, cell 5, output 1: not valid nbformat" in result.stderr, result.stderr
    assert path.read_bytes() == before


def test_solutions_keep_the_authors_first_words(tmp_path):
    """Trial W14: '**Solutions** of this equation form a line.' lost its first word."""
    solutions = tool_module("solutions")
    text = solutions.relabelled("**Solutions** of this equation form a line.", 1, code=False)
    assert text == "Solution to exercise 1 (click to expand)\n\n**Solutions** of this equation form a line."
    again = solutions.relabelled(text, 1, code=False)
    assert again == text, "relabelling is idempotent"
    zh = solutions.relabelled("# Solution to exercise 3 (click to expand)\nprint(1)", 3, code=True,
                              edition=solutions.edition_of("notebooks/zh-CN/01.ipynb"))
    assert zh == "# 练习 3 的解答（点击展开）\nprint(1)"


def test_execute_notebooks_reports_each_broken_notebook_and_goes_on(tmp_path, capsys):
    """Trial WA-exec2: a broken notebook gave a raw traceback and stopped the run."""
    broken = tmp_path / "01-broken.ipynb"
    broken.write_text("{not json")
    readme = tmp_path / "README.md"
    readme.write_text("# not a notebook\n")
    status = tool_module("execute_notebooks").main([str(broken), str(readme), str(tmp_path / "missing.ipynb")])
    err = capsys.readouterr().err
    assert status == 2 and "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 3 and "01-broken.ipynb" in lines[0] and "README.md" in lines[1] and "missing" in lines[2], lines
    assert broken.read_text() == "{not json"


def test_tools_are_edition_aware(tmp_path):
    """notebooks/zh-CN/: its own titles, '目录' for the contents, Chinese solution labels."""
    repository = tmp_path / "repository"
    shutil.copytree(TOOLS, repository / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    new = nbformat.v4
    for folder, titles in (("en", ["Contents", "Calculus"]), ("zh-CN", ["目录", "微积分"])):
        books = repository / "notebooks" / folder
        books.mkdir(parents=True)
        for name, title in zip(("00-index.ipynb", "01-calculus.ipynb"), titles):
            cells = [new.new_markdown_cell(f"# {title}")]
            if name != "00-index.ipynb":
                cells += [new.new_markdown_cell("## 练习\n\n1. 求导。" if folder == "zh-CN" else "## Exercises\n\n1. Do."),
                          new.new_code_cell("print(1)", metadata={"tags": ["solution"]})]
            (books / name).write_text(nbformat.writes(new.new_notebook(cells=cells)) + "\n", encoding="utf-8")
    result = run_script(repository / "tools" / "navigation.py", cwd=repository)
    assert result.returncode == 0 and "of 4 notebooks" in result.stdout, result.stdout + result.stderr
    paths = sorted((repository / "notebooks").glob("*/*.ipynb"))
    assert len(tool_module("notebook_files").rewrite(paths, _transform("solutions.py"), check=False)) == 2
    chinese = nbformat.read(repository / "notebooks" / "zh-CN" / "01-calculus.ipynb", as_version=4)
    english = nbformat.read(repository / "notebooks" / "en" / "01-calculus.ipynb", as_version=4)
    assert chinese.cells[0].source == "&lt; [目录](00-index.ipynb) | [目录](00-index.ipynb)"
    assert english.cells[0].source == "&lt; [Contents](00-index.ipynb) | [Contents](00-index.ipynb)"
    assert chinese.cells[-2].source == "# 练习 1 的解答（点击展开）\nprint(1)"
    assert english.cells[-2].source == "# Solution to exercise 1 (click to expand)\nprint(1)"
    index = nbformat.read(repository / "notebooks" / "zh-CN" / "00-index.ipynb", as_version=4)
    assert index.cells[0].source == "[微积分](01-calculus.ipynb) &gt;"
