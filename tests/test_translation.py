"""The Chinese edition runs the English code, stores the English outputs, and every stale translation is named.

Only the English notebooks are executed (nbval); each Chinese notebook is checked here against
its English twin by tools/translation.py, so the second edition costs the suite almost nothing.
The synthetic edits below prove that the checks bite.
"""

import copy
import sys

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT

sys.path.insert(0, str(ROOT / "tools"))
import translation  # noqa: E402


@pytest.mark.parametrize("english", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_the_chinese_twin_is_current_and_runs_the_same_code(english):
    chinese = translation.chinese_twin(english)
    assert chinese.exists(), f"notebooks/zh-CN/{english.name} is missing; run python tools/translation.py sync"
    found = translation.problems(nbformat.read(english, as_version=4), nbformat.read(chinese, as_version=4),
                                 chinese.name)
    assert not found, "\n".join(found)


def test_no_chinese_notebook_without_an_english_twin():
    orphans = [path.name for path in sorted(translation.CHINESE.glob("*.ipynb"))
               if not translation.english_twin(path).exists()]
    assert not orphans, f"notebooks/zh-CN/ has notebooks with no English twin: {orphans}"


# ----------------------------------------------------------------------------- the checks bite

def english_notebook():
    cells = [
        nbformat.v4.new_markdown_cell("&lt; [Contents](00-index.ipynb)"),
        nbformat.v4.new_markdown_cell("# Title\n\nThe gradient of a scalar."),
        nbformat.v4.new_code_cell("x = 1  # one input\ny = 2 * x\n# show it\ny"),
        nbformat.v4.new_code_cell("import torch"),
        nbformat.v4.new_markdown_cell("## Exercises"),
        nbformat.v4.new_code_cell("# Solution to exercise 1 (click to expand)\nz = x + 1  # noqa: F841"),
        nbformat.v4.new_code_cell("y.backward()  # fails: no graph\n"),
    ]
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"
    cells[0].metadata["tags"] = ["navigation"]
    cells[5].metadata["tags"] = ["solution"]
    cells[6].metadata["tags"] = ["raises-exception"]
    cells[2].outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)]
    cells[2].execution_count = 1
    cells[6].outputs = [nbformat.v4.new_output("error", ename="AttributeError", evalue="no backward",
                                               traceback=["----> 1 y.backward()  \x1b[38;5;66;03m# fails: no graph\x1b[39;00m"])]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["d2lhelpers"] = {"outputs_made_with": {"torch": "2.13.0"}}
    return notebook


def translated(english):
    """The Chinese twin a translator makes: sync, translate, accept."""
    chinese, work = translation.synced(english)
    assert [index for index, _, _ in work] == [2, 3, 5, 7]  # navigation, import and label: nothing to translate
    chinese.cells[0].source = "&lt; [目录](00-index.ipynb)"
    chinese.cells[1].source = "# 标题\n\n标量的梯度。"
    chinese.cells[2].source = "x = 1  # 一个输入\ny = 2 * x\n# 显示它\ny"
    chinese.cells[4].source = "## 练习"
    chinese.cells[5].source = "# 练习 1 的解答（点击展开）\nz = x + 1  # noqa: F841"
    chinese.cells[6].source = "y.backward()  # 失败：没有计算图\n"
    for cell in chinese.cells:
        translation.set_record(cell, translation.fingerprint(english.cells[chinese.cells.index(cell)]))
    chinese.cells[6].outputs = translation.translated_outputs(english.cells[6].outputs, ["# fails: no graph"],
                                                              ["# 失败：没有计算图"])
    return chinese


def test_a_faithful_translation_passes():
    english = english_notebook()
    chinese = translated(english)
    assert translation.problems(english, chinese, "01-x.ipynb") == []
    assert "失败：没有计算图" in chinese.cells[6].outputs[0].traceback[0]


def test_an_english_edit_makes_its_translation_stale_and_sync_keeps_the_chinese_text():
    english = english_notebook()
    chinese = translated(english)
    english.cells[1].source = "# Title\n\nThe gradient of a scalar function."
    assert translation.problems(english, chinese, "01-x.ipynb") == [
        "notebooks/zh-CN/01-x.ipynb, cell 2 (id cell-1): stale, the English cell 2 changed since it was "
        "translated; re-translate it, then run python tools/translation.py accept"]
    resynced, work = translation.synced(english, chinese)
    assert resynced.cells[1].source == "# 标题\n\n标量的梯度。"  # the Chinese text is left for the translator
    assert work == [(2, "cell-1", "the English changed since it was translated")]


def test_a_new_english_cell_is_named_until_translated():
    english = english_notebook()
    chinese = translated(english)
    new = nbformat.v4.new_markdown_cell("A new paragraph.")
    new["id"] = "new-cell"
    english.cells.insert(2, new)
    assert translation.problems(english, chinese, "01-x.ipynb") == [
        "notebooks/zh-CN/01-x.ipynb: English cell 3 (id new-cell) has no Chinese twin; "
        "run python tools/translation.py sync, then translate it"]
    resynced, work = translation.synced(english, chinese)
    assert work == [(3, "new-cell", "new in English: not translated yet")]
    assert translation.problems(english, resynced, "01-x.ipynb") == [
        "notebooks/zh-CN/01-x.ipynb, cell 3 (id new-cell): not translated yet (English cell 3)"]


def test_new_english_code_arrives_with_its_translated_comments():
    english = english_notebook()
    chinese = translated(english)
    english.cells[2].source = "x = 3  # one input\ny = 2 * x\n# show it\ny"
    english.cells[2].outputs[0]["data"]["text/plain"] = "6"
    found = translation.problems(english, chinese, "01-x.ipynb")
    assert "runs other code than the English cell (line 1 differs, comments aside)" in found[0]
    resynced, work = translation.synced(english, chinese)
    assert resynced.cells[2].source == "x = 3  # 一个输入\ny = 2 * x\n# 显示它\ny" and not work
    assert translation.problems(english, resynced, "01-x.ipynb") == []


def test_a_changed_english_comment_is_stale():
    english = english_notebook()
    chinese = translated(english)
    english.cells[2].source = "x = 1  # the only input\ny = 2 * x\n# show it\ny"
    resynced, work = translation.synced(english, chinese)
    assert work == [(3, "cell-2", "the English changed since it was translated")]
    assert "stale" in translation.problems(english, resynced, "01-x.ipynb")[0]


@pytest.mark.parametrize("edit, message", [
    (lambda zh: setattr(zh.cells[2], "source", "x = 2  # 一个输入\ny = 2 * x\n# 显示它\ny"), "runs other code"),
    (lambda zh: setattr(zh.cells[2], "source", "x = 1\ny = 2 * x  # 一个输入\n# 显示它\ny"), "runs other code"),
    (lambda zh: zh.cells[2].outputs[0]["data"].update({"text/plain": "3"}), "stored outputs differ"),
    (lambda zh: zh.cells[2].metadata.update({"tags": ["nbval-ignore-output"]}), "its metadata"),
    (lambda zh: setattr(zh.cells[5], "source", "# 练习 1 的解答（点击展开）\nz = x + 1  # 不检查"), "read by a tool"),
    (lambda zh: zh.cells.pop(3), "has no Chinese twin"),
    (lambda zh: zh.cells.reverse(), "not in the English order"),
    (lambda zh: zh.metadata.pop("d2lhelpers"), "notebook metadata"),
    (lambda zh: setattr(zh.cells[2], "execution_count", 7), "execution count"),
])
def test_a_chinese_notebook_that_drifts_fails(edit, message):
    english = english_notebook()
    chinese = translated(english)
    edit(chinese)
    found = translation.problems(english, chinese, "01-x.ipynb")
    assert any(message in line for line in found), found


def test_sync_is_idempotent_and_accept_records_the_current_english(tmp_path, monkeypatch):
    english_dir, chinese_dir = tmp_path / "en", tmp_path / "zh-CN"
    english_dir.mkdir()
    monkeypatch.setattr(translation, "ENGLISH", english_dir)
    monkeypatch.setattr(translation, "CHINESE", chinese_dir)
    english = english_notebook()
    nbformat.write(english, english_dir / "01-x.ipynb")
    assert translation.main(["sync"]) == 0
    first = (chinese_dir / "01-x.ipynb").read_bytes()
    assert translation.main(["sync", "--check"]) == 0 and translation.main(["sync"]) == 0
    assert (chinese_dir / "01-x.ipynb").read_bytes() == first
    assert translation.main(["status"]) == 1
    assert translation.main(["accept", str(chinese_dir / "01-x.ipynb"), "--all"]) == 0
    assert translation.main(["status"]) == 0
    assert translation.main(["accept", str(chinese_dir / "01-x.ipynb"), "99"]) == 2


def test_comments_and_skeletons():
    source = "a = '# not a comment'  # a comment\n\n# alone\nb = 1\n"
    assert translation.comments(source) == ["# a comment", "# alone"]
    assert translation.skeleton(source) == "a = '# not a comment'  #\n\n#\nb = 1\n"
    assert translation.with_comments(source, ["# 注释", "# 单独"]) == "a = '# not a comment'  # 注释\n\n# 单独\nb = 1\n"
    assert translation.skeleton("%%time\nx = (\n") == "%%time\nx = (\n"  # not Python: compared whole
    with pytest.raises(ValueError):
        translation.with_comments(source, ["# one"])


def test_the_real_twins_are_found():
    english = ROOT / "notebooks" / "en" / "02-backward.ipynb"
    assert translation.chinese_twin(english) == ROOT / "notebooks" / "zh-CN" / "02-backward.ipynb"
    assert translation.english_twin(translation.chinese_twin(english)) == english
    assert copy.deepcopy(translation.SOLUTION_LABEL.pattern)


def test_both_editions_style_their_slides_alike():
    """jupyterlab-rise loads rise.css from the notebook's folder: each edition has the same one."""
    english, chinese = ROOT / "notebooks" / "en" / "rise.css", translation.CHINESE / "rise.css"
    assert chinese.exists(), "notebooks/zh-CN/rise.css is missing: copy notebooks/en/rise.css"
    assert chinese.read_bytes() == english.read_bytes(), "notebooks/zh-CN/rise.css differs from notebooks/en/rise.css"


def test_a_line_break_inside_a_chinese_paragraph_is_found_and_joined():
    text = "第一行在这里\n接着写，用\n`x`\nand `y` 的导数。\n\n- 列表项\n- 第二项\n\n$$\na\nb\n$$\n| 表 | 格 |\n|---|---|"
    assert translation.soft_breaks(text) == [1, 2]  # not line 3: "`x`" then "and", a space either way
    assert translation.without_soft_breaks(text).startswith("第一行在这里接着写，用`x`\nand `y` 的导数。\n\n- 列表项\n- 第二项\n")
    assert translation.soft_breaks("English only\nacross two lines") == []
    english = english_notebook()
    chinese = translated(english)
    chinese.cells[1].source = "# 标题\n\n标量的\n梯度。"
    assert any("line 3 ends in a line break inside a Chinese paragraph" in line
               for line in translation.problems(english, chinese, "01-x.ipynb"))


def test_an_untouched_english_copy_follows_the_english_and_an_edited_one_is_kept():
    english = english_notebook()
    chinese, _ = translation.synced(english)
    english.cells[1].source = "# Title\n\nThe gradient of a scalar, revised."
    resynced, work = translation.synced(english, chinese)
    assert resynced.cells[1].source == english.cells[1].source  # nobody translated it yet: it follows
    assert (2, "cell-1", "not translated yet") in work
    resynced.cells[1].source = "# 标题\n\n翻译到一半"  # a translator's unfinished work
    english.cells[1].source = "# Title\n\nRevised again."
    kept, _ = translation.synced(english, resynced)
    assert kept.cells[1].source == "# 标题\n\n翻译到一半"
    translation.set_record(kept.cells[1], translation.fingerprint(english.cells[1]))
    assert "copied_from" not in kept.cells[1].metadata.get("d2lhelpers", {})
