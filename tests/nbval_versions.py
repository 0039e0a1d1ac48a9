"""A pytest plugin (loaded by pyproject.toml's addopts, also for `pytest notebooks/...` alone).

Stored figures are compared byte for byte only under the matplotlib that made them.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


SVG_SANITIZER = """
[figures made with another matplotlib version]
regex: (?s)<\\?xml.*?</svg>\\s*
replace: <SVG figure>
"""


def recorded_versions() -> dict:
    """Library versions the stored outputs were made with, from the notebooks' metadata."""
    import json

    found: dict = {}
    for path in NOTEBOOKS:
        try:
            metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        except ValueError:
            continue  # the hygiene tests report a broken notebook
        for name, version in metadata.get("d2lhelpers", {}).get("outputs_made_with", {}).items():
            found.setdefault(name, set()).add(version)
    return found


def pytest_configure(config):
    """Compare figures byte for byte only under the matplotlib that made them.

    Stored SVG text is matplotlib's exact drawing commands: any other matplotlib
    version writes different bytes for the same figure. Under another version the
    SVG outputs are still required to be there, but their text is not compared;
    everything else (numbers, tensors, tables, error messages) stays strict.
    PNGs are never compared by nbval.
    """
    from importlib.metadata import PackageNotFoundError, version

    if not getattr(config.option, "nbval", False):
        return
    try:
        installed = version("matplotlib")
    except PackageNotFoundError:  # pragma: no cover
        return
    if recorded_versions().get("matplotlib", {installed}) == {installed}:
        return
    import tempfile

    base = config.option.nbval_sanitize_with
    text = Path(base).read_text(encoding="utf-8") if base else ""
    handle = tempfile.NamedTemporaryFile("w", suffix=".cfg", prefix="nbval-sanitize-", delete=False)
    with handle:
        handle.write(text + SVG_SANITIZER)
    config.option.nbval_sanitize_with = handle.name
    config._d2lhelpers_sanitize_file = handle.name


def pytest_unconfigure(config):
    name = getattr(config, "_d2lhelpers_sanitize_file", None)
    if name:
        os.unlink(name)


def pytest_report_header(config):
    recorded = {name: ", ".join(sorted(versions)) for name, versions in recorded_versions().items()}
    if getattr(config, "_d2lhelpers_sanitize_file", None):
        return [f"stored outputs made with {recorded}: another matplotlib is installed, so SVG text is not compared"]
    return [f"stored outputs made with {recorded}"] if recorded else []
