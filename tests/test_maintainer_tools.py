"""CI definitions, pre-commit, and the notebook maintenance tools."""

import re
import subprocess
import sys

import nbformat
import yaml

from conftest import NOTEBOOKS, ROOT

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
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             str(ROOT / ".github/workflows/tests.yml")], capture_output=True, text=True)
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
    result = subprocess.run([sys.executable, str(TOOLS / "clean_notebooks.py"), "--check"],
                            capture_output=True, text=True)
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
    command = [sys.executable, str(TOOLS / "clean_notebooks.py")]
    assert subprocess.run(command + ["--check", str(path)], capture_output=True).returncode == 1
    assert subprocess.run(command + [str(path)], capture_output=True).returncode == 1  # changed: pre-commit fails
    assert subprocess.run(command + [str(path)], capture_output=True).returncode == 0  # now clean
    cleaned = nbformat.read(path, as_version=4)
    assert "widgets" not in cleaned.metadata and "version" not in cleaned.metadata["language_info"]
    cleaned_code = next(cell for cell in cleaned.cells if cell.id == code.id)
    assert "execution" not in cleaned_code.metadata and cleaned_code.outputs == outputs


def test_cleaner_reports_a_broken_notebook(tmp_path):
    path = tmp_path / "broken.ipynb"
    path.write_text("{not json")
    result = subprocess.run([sys.executable, str(TOOLS / "clean_notebooks.py"), str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 2 and "broken.ipynb: not a readable notebook" in result.stderr
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
