"""README.zh-CN.md gives the same two commands as README.md, and each links to the other."""

import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from conftest import ROOT


def commands(path, heading):
    """The shell commands under a README's quick-start heading, in order."""
    text = path.read_text(encoding="utf-8")
    assert heading in text, f"{path.name} has no section '{heading}'"
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_the_chinese_readme_gives_the_same_two_commands_first():
    english = commands(ROOT / "README.md", "## Quick start")
    chinese = commands(ROOT / "README.zh-CN.md", "## 快速开始")
    assert chinese[:2] == english[:2], f"README.zh-CN.md starts with {chinese[:2]}, README.md with {english[:2]}"


def test_each_readme_links_to_the_other_at_the_top():
    for name, other in (("README.md", "README.zh-CN.md"), ("README.zh-CN.md", "README.md")):
        top = (ROOT / name).read_text(encoding="utf-8").splitlines()[:5]
        assert any(f"]({other})" in line for line in top), f"{name} does not link to {other} at its top"


def test_the_chinese_readme_names_the_extra_for_a_chinese_jupyterlab():
    text = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    named = re.findall(r"uv run --extra (\S+)", text)
    assert named, "README.zh-CN.md names no extra"
    for extra in named:
        assert extra in extras, f"README.zh-CN.md names the extra '{extra}', which pyproject.toml does not define"
    assert any("jupyterlab-language-pack-zh-CN" in requirement for requirement in extras["zh"])
    assert "jupyterlab-language-pack-zh-CN" in text
