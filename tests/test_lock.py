"""uv.lock pins the versions the stored outputs were made with, and still describes pyproject.toml.

README's two commands build the environment from uv.lock. Its torch, numpy and matplotlib must be
the releases each notebook records in ``metadata.d2lhelpers.outputs_made_with`` (tools/upgrade.py
moves both together), and the lock must have been made from the current pyproject.toml (``uv lock
--check`` says so with network access; this test checks the requirements themselves, offline).
"""

import re
import sys

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import NOTEBOOKS, ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

RECORDED = ("torch", "numpy", "matplotlib")


@pytest.fixture(scope="module")
def lock():
    return tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))


def locked_versions(lock, name: str) -> set[str]:
    """The versions the lock holds for a package, without local labels (2.13.0+cpu is 2.13.0)."""
    return {package["version"].split("+")[0] for package in lock["package"] if package["name"] == name}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_the_lock_has_the_versions_the_outputs_were_made_with(path, lock):
    made_with = nbformat.read(path, as_version=4).metadata.get("d2lhelpers", {}).get("outputs_made_with", {})
    for name in RECORDED:
        recorded = made_with.get(name, "").split("+")[0]
        assert locked_versions(lock, name) == {recorded}, (
            f"{path.name} was executed with {name} {recorded}, uv.lock pins {sorted(locked_versions(lock, name))}; "
            "run python tools/upgrade.py (or re-execute the notebook from the locked environment)")


def _pyproject_requirements() -> set[tuple]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = set()
    for extra, requirements in [(None, project["dependencies"]), *project["optional-dependencies"].items()]:
        for text in requirements:
            requirement = Requirement(text)
            found.add((canonicalize_name(requirement.name), str(requirement.specifier), extra))
    return found


def _locked_requirements(lock) -> set[tuple]:
    ours = next(package for package in lock["package"] if package["name"] == "d2lhelpers")
    found = set()
    for entry in ours["metadata"]["requires-dist"]:
        extra = re.search(r"extra == '([^']+)'", entry.get("marker", ""))
        found.add((entry["name"], entry.get("specifier", ""), extra.group(1) if extra else None))
    return found


def test_the_lock_was_made_from_this_pyproject(lock):
    expected, locked = _pyproject_requirements(), _locked_requirements(lock)
    assert locked == expected, (f"uv.lock is stale (run uv lock): only in pyproject.toml {sorted(expected - locked)}, "
                                f"only in uv.lock {sorted(locked - expected)}")


def test_the_lock_takes_the_cpu_build_of_torch_on_linux(lock):
    builds = {package["version"]: package for package in lock["package"] if package["name"] == "torch"}
    cpu = [version for version in builds if version.endswith("+cpu")]
    assert cpu, "uv.lock has no CPU build of torch for Linux"
    linux_wheels = [wheel["url"] for wheel in builds[cpu[0]]["wheels"]]
    assert all(url.startswith("https://download.pytorch.org/whl/cpu/") for url in linux_wheels)
    assert {"x86_64", "aarch64"} <= {re.search(r"_(x86_64|aarch64)\.whl$", url).group(1) for url in linux_wheels}
    assert not [package["name"] for package in lock["package"] if package["name"].startswith("nvidia-")], \
        "uv.lock installs CUDA libraries"
    assert (ROOT / ".python-version").read_text(encoding="utf-8").strip() == "3.11"
