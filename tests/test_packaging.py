"""pyproject.toml and environment.yml describe the same environment."""

import re
import sys

import yaml

from conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONDA_TO_PYPI = {"pytorch": "torch", "pytorch-cpu": "torch"}  # conda-forge names that differ from PyPI's


def split(requirement: str) -> tuple[str, str]:
    requirement = requirement.split(";")[0]  # environment markers: conda has no such thing
    name, spec = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement).groups()
    name = name.lower().replace("_", "-")
    return CONDA_TO_PYPI.get(name, name), spec.replace(" ", "")


def pyproject_requirements() -> dict:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return dict(split(r) for r in requirements)


def conda_requirements() -> dict:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    found = {}
    for entry in environment["dependencies"]:
        entries = entry["pip"] if isinstance(entry, dict) else [entry]
        for item in entries:
            if item.startswith("-e") or item in ("pip",):
                continue
            name, spec = split(item)
            if name != "python":
                found[name] = spec
    return found


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert conda_requirements() == pyproject_requirements()


def test_environment_yml_installs_the_package_itself():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(entry["pip"] for entry in environment["dependencies"] if isinstance(entry, dict))
    assert "-e ." in pip
    assert "conda-forge" in environment["channels"]


def test_python_floor_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert project["requires-python"] == ">=3.10"
    assert "python>=3.10,<3.14" in environment["dependencies"]  # README: Python 3.10 to 3.13
    assert "Python 3.10 to 3.13" in (ROOT / "CONTRIBUTING.md").read_text()  # its pip route


def test_environment_yml_asks_for_the_cpu_build():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    torch = [entry for entry in environment["dependencies"] if isinstance(entry, str) and "pytorch" in entry]
    assert torch == ["pytorch-cpu>=2.5"], "conda-forge's plain pytorch may pick a multi-GB CUDA build"


def test_contributor_tools_are_in_an_extra():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(r.startswith("pre-commit") for r in extras["dev"]), "CONTRIBUTING's pre-commit install needs it"
    assert any(r.startswith("hypothesis") for r in extras["test"]), "tests/test_extract_properties.py needs it"
    contributing = (ROOT / "CONTRIBUTING.md").read_text()
    assert "uv sync --extra dev" in contributing and "pip install --no-deps d2l==1.0.3" in contributing


def test_gitattributes_keep_text_and_notebooks_lf():
    lines = (ROOT / ".gitattributes").read_text().splitlines()
    assert "* text=auto eol=lf" in lines and "*.ipynb text eol=lf" in lines
    import subprocess

    result = subprocess.run(["git", "check-attr", "eol", "notebooks/en/01-calculus.ipynb", "d2lhelpers/saved.py"],
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode == 0:  # a git checkout
        assert result.stdout.count(": eol: lf") == 2, result.stdout


def test_minimum_constraints_pin_exactly_the_declared_lower_bounds():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = dict(split(requirement) for requirement in project["dependencies"])
    pinned = {}
    for line in (ROOT / "tests" / "constraints-minimum.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, spec = split(line)
            pinned[name] = spec
    from packaging.version import Version  # a pytest dependency

    assert set(pinned) == set(declared)
    for name, spec in pinned.items():
        assert declared[name].startswith(">=") and spec.startswith("=="), name
        assert Version(spec[2:]) == Version(declared[name][2:]), f"{name}: pinned {spec}, declared {declared[name]}"


def test_every_data_file_of_the_package_is_in_the_wheel():
    """A plain (non-editable) install gets what the package reads at run time: the style, the deck template."""
    from fnmatch import fnmatch

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["d2lhelpers"]
    package = ROOT / "d2lhelpers"
    data = [path.relative_to(package).as_posix() for path in package.rglob("*")
            if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts]
    assert data, "no data files found: has the package moved?"
    missing = [name for name in data if not any(fnmatch(name, pattern) for pattern in patterns)]
    assert not missing, f"not in [tool.setuptools.package-data] of pyproject.toml: {missing}"
