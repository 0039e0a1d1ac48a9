"""Stored figures are compared byte for byte only under the matplotlib that made them."""

import configparser
import re
import types

import nbformat

import nbval_versions
from conftest import NOTEBOOKS, ROOT


def sanitize_patterns(path):
    """The (regex, replace) pairs of an nbval sanitize file, read the way nbval reads it."""
    parser = configparser.ConfigParser()
    parser.read(path)
    return [(parser.get(section, "regex"), parser.get(section, "replace")) for section in parser.sections()]


def apply(patterns, text):
    for regex, replace in patterns:
        text = re.sub(regex, replace, text)
    return text


def fake_config():
    option = types.SimpleNamespace(nbval=True, nbval_sanitize_with=str(ROOT / "tests" / "nbval_sanitize.cfg"))
    return types.SimpleNamespace(option=option)


def stored_svgs():
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            for output in cell.get("outputs", []):
                if "image/svg+xml" in output.get("data", {}):
                    yield output["data"]["image/svg+xml"]


def test_same_matplotlib_keeps_the_plain_sanitizer(monkeypatch):
    config = fake_config()
    monkeypatch.setattr(nbval_versions, "recorded_versions", lambda: {"matplotlib": {"0.0-installed"}})
    monkeypatch.setattr("importlib.metadata.version", lambda name: "0.0-installed")
    nbval_versions.pytest_configure(config)
    assert config.option.nbval_sanitize_with.endswith("nbval_sanitize.cfg")


def test_other_matplotlib_replaces_svg_text_and_nothing_else(monkeypatch):
    config = fake_config()
    monkeypatch.setattr(nbval_versions, "recorded_versions", lambda: {"matplotlib": {"3.0.0"}})
    nbval_versions.pytest_configure(config)
    try:
        patterns = sanitize_patterns(config.option.nbval_sanitize_with)
        assert patterns[0] == ("0x[0-9a-fA-F]{6,16}", "0xADDRESS"), "the base patterns are kept"
        first, *others = list(stored_svgs())
        assert others, "the notebooks store figures"
        assert apply(patterns, first) == "<SVG figure>"
        assert all(apply(patterns, svg) == "<SVG figure>" for svg in others)
        redrawn = re.sub(r'stroke-width: ?0\.8', 'stroke-width: 0.9', first)
        assert redrawn != first, "the figure was not changed: the test would prove nothing"
        assert apply(patterns, redrawn) == apply(patterns, first)
        text = "tensor([0., 2., 4., 6.]) at 0x7f3a2b1c9d10"
        assert apply(patterns, text) == "tensor([0., 2., 4., 6.]) at 0xADDRESS"
    finally:
        nbval_versions.pytest_unconfigure(config)
