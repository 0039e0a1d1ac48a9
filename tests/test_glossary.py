"""The glossary in notebooks/en/00-index.ipynb holds every Chinese term the notebooks introduce.

The convention (CONTRIBUTING, "Adding or changing a notebook"): at the first mention of a key
idea, a notebook gives the Chinese term in parentheses, "partial derivative (偏导数)". A term is
a run of CJK characters inside parentheses, in a markdown cell or in a code cell (a printed
label such as ``print('first derivative (一阶导数) ...')``). The notebooks use these forms:

- ``(偏导数)``: one term;
- ``(一阶导数 / 二阶导数)``: several terms, one per run of CJK characters;
- ``(a piece of Python control flow, 控制流)``, ``(有向无环图, directed acyclic graph)``,
  ``(正向累积, also called 前向累积)``: English and Chinese mixed, every CJK run is a term;
- ``(向量-雅可比积)``: a hyphen inside one term;
- ``(正向`` at the end of a source line and ``累积)`` on the next: one term, 正向累积, broken
  by the line wrap of the markdown source (it renders without a break);
- full-width parentheses, ``（偏导数）``, as the Chinese study notes write them.

The glossary is every markdown table under the ``## Glossary`` heading of 00-index.ipynb, up to
the next ``##`` heading; its second column holds the Chinese, alternatives separated by ``/``.
"""

from __future__ import annotations

import copy
import re

import nbformat
import pytest

from conftest import NOTEBOOKS, ROOT

INDEX = ROOT / "notebooks" / "en" / "00-index.ipynb"
CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
TERM = re.compile(rf"{CJK}+(?:-{CJK}+)*")
PARENTHESES = re.compile(r"[(（]([^()（）]*)[)）]")
LINE_BREAK_IN_TERM = re.compile(rf"(?<={CJK})[ \t]*\r?\n[ \t]*(?={CJK})")
GLOSSARY_HEADING = re.compile(r"^##\s+(?:Glossary|术语表)")
SECTION_HEADING = re.compile(r"^##\s")


def glossary_cell_indices(notebook) -> list[int]:
    """Positions of the cells from the ``## Glossary`` heading to the next ``##`` heading."""
    indices, inside = [], False
    for index, cell in enumerate(notebook.cells):
        if "navigation" in cell.metadata.get("tags", []):
            inside = False
            continue
        if cell.cell_type == "markdown" and SECTION_HEADING.match(cell.source):
            inside = bool(GLOSSARY_HEADING.match(cell.source))
        if inside:
            indices.append(index)
    return indices


def introduced_terms(notebook, skip: set[int] = frozenset()) -> dict[str, int]:
    """Every Chinese term the notebook introduces, with the position of its first cell."""
    terms: dict[str, int] = {}
    for index, cell in enumerate(notebook.cells):
        if index in skip or cell.cell_type not in ("markdown", "code"):
            continue
        source = LINE_BREAK_IN_TERM.sub("", cell.source)
        for inside in PARENTHESES.findall(source):
            for term in TERM.findall(inside):
                terms.setdefault(term, index)
    return terms


def glossary_terms(index_notebook) -> set[str]:
    """The Chinese column of the glossary tables, each ``/``-separated alternative a term."""
    terms = set()
    for index in glossary_cell_indices(index_notebook):
        for line in index_notebook.cells[index].source.splitlines():
            columns = [column.strip() for column in line.strip().strip("|").split("|")]
            if not line.lstrip().startswith("|") or len(columns) < 2:
                continue
            for alternative in columns[1].split("/"):
                alternative = alternative.strip()
                if TERM.fullmatch(alternative) and alternative != "中文":  # "中文": the header row
                    terms.add(alternative)
    return terms


def missing_from_glossary(name: str, notebook, glossary: set[str], skip=frozenset()) -> list[str]:
    """One line per term that ``notebook`` introduces and the glossary lacks."""
    return [f"{name}: the term {term} (cell {cell}) is missing from the glossary in 00-index.ipynb"
            for term, cell in introduced_terms(notebook, skip).items() if term not in glossary]


@pytest.fixture(scope="module")
def index_notebook():
    return nbformat.read(INDEX, as_version=4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.name for path in NOTEBOOKS])
def test_the_glossary_holds_every_term(path, index_notebook):
    notebook = nbformat.read(path, as_version=4)
    skip = set(glossary_cell_indices(notebook)) if path == INDEX else set()
    missing = missing_from_glossary(path.name, notebook, glossary_terms(index_notebook), skip)
    assert not missing, "\n".join(missing)


def test_the_glossary_is_found_and_read(index_notebook):
    glossary = glossary_terms(index_notebook)
    assert len(glossary) >= 30, f"only {len(glossary)} glossary terms found: is the heading '## Glossary'?"
    assert {"导数", "偏导数", "向量-雅可比积", "黑塞矩阵", "海森矩阵"} <= glossary  # '/' alternatives split


def synthetic_notebook(*markdown: str, code: str = "") -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell(source) for source in markdown]
    if code:
        cells.append(nbformat.v4.new_code_cell(code))
    return nbformat.v4.new_notebook(cells=cells)


def test_every_form_of_term_is_collected():
    notebook = synthetic_notebook(
        "The derivative (导数), the **partial derivative** (偏导数).",
        "First and second derivatives (一阶导数 / 二阶导数); a loop (Python control flow, 控制流).",
        "a DAG (有向无环图, directed acyclic graph); forward (正向累积, also called 前向累积)",
        "the product (向量-雅可比积), and forward accumulation (正向\n累积) across a line break",
        "全角括号（偏导数）和（梯度）",
        "No term here: 术语表, (English only), $f(x)$",
        code="print('first derivative (一阶导数):', 1)  # a comment in Chinese: 斜率",
    )
    assert introduced_terms(notebook) == {
        "导数": 0, "偏导数": 0, "一阶导数": 1, "二阶导数": 1, "控制流": 1, "有向无环图": 2,
        "正向累积": 2, "前向累积": 2, "向量-雅可比积": 3, "梯度": 4,
    }


def test_a_term_the_glossary_lacks_fails(index_notebook):
    """The check bites: a new term fails, naming notebook and term, until the glossary has it."""
    glossary = glossary_terms(index_notebook)
    notebook = synthetic_notebook("Intro.", "A widget (小部件) with a slider (滑块).")
    missing = missing_from_glossary("99-widgets.ipynb", notebook, glossary)
    assert missing == [
        "99-widgets.ipynb: the term 小部件 (cell 1) is missing from the glossary in 00-index.ipynb",
        "99-widgets.ipynb: the term 滑块 (cell 1) is missing from the glossary in 00-index.ipynb",
    ]

    index_copy = copy.deepcopy(index_notebook)  # the real index stays untouched
    glossary_cell = index_copy.cells[glossary_cell_indices(index_copy)[-1]]
    glossary_cell.source += "\n| widget | 小部件 |"
    still_missing = missing_from_glossary("99-widgets.ipynb", notebook, glossary_terms(index_copy))
    assert [line.split()[3] for line in still_missing] == ["滑块"]


# ----------------------------------------------------------------------------- the Chinese edition
#
# In notebooks/zh-CN/ the convention is d2l-zh's, the other way round: the Chinese term, then its
# English in full-width brackets, 自动微分（automatic differentiation）. Full-width brackets holding
# English are kept for exactly that. Each such English term must be in the glossary (the English
# one, which the Chinese index translates cell for cell), and the Chinese written before it must
# end with one of the glossary's Chinese terms for it.

CHINESE = ROOT / "notebooks" / "zh-CN"
CHINESE_NOTEBOOKS = sorted(CHINESE.glob("*.ipynb"))
INTRODUCED = re.compile(rf"({CJK}+(?:-{CJK}+)*)（([A-Za-z][A-Za-z0-9 ,'/().\-]*)）")


def glossary_pairs(index_notebook) -> dict[str, set[str]]:
    """English key (lower case; each ',' or '/' alternative, with and without its bracketed part) -> Chinese terms."""
    pairs: dict[str, set[str]] = {}
    for index in glossary_cell_indices(index_notebook):
        header = None
        for line in index_notebook.cells[index].source.splitlines():
            if not line.lstrip().startswith("|"):
                continue
            columns = [column.strip() for column in line.strip().strip("|").split("|")]
            if header is None:
                header = columns
                continue
            if set("".join(columns)) <= set("-: "):
                continue
            row = dict(zip(header, columns))
            english, chinese = row.get("English", ""), row.get("中文", "")
            terms = {term.strip() for term in chinese.split("/") if TERM.fullmatch(term.strip())}
            for key in english_keys(english):
                pairs.setdefault(key, set()).update(terms)
    return pairs


def english_keys(english: str) -> set[str]:
    keys = set()
    for part in re.split(r"\s*[,/]\s*", english.lower()):
        for variant in (part, re.sub(r"\s*\([^)]*\)", "", part), *re.findall(r"\(([^)]*)\)", part)):
            if variant.strip():
                keys.add(variant.strip())
    return keys


def chinese_terms_outside_glossary(name: str, notebook, pairs: dict[str, set[str]], skip=frozenset()) -> list[str]:
    found = []
    for index, cell in enumerate(notebook.cells):
        if index in skip or cell.cell_type != "markdown":
            continue
        for chinese, english in INTRODUCED.findall(LINE_BREAK_IN_TERM.sub("", cell.source)):
            known = pairs.get(english.strip().lower())
            if known is None:
                found.append(f"{name}, cell {index}: the term {chinese}（{english}） is not in the glossary "
                             "(English column of 00-index.ipynb's glossary)")
            elif not any(chinese.endswith(term) for term in known):
                found.append(f"{name}, cell {index}: {chinese}（{english}）: the glossary writes {english} as "
                             f"{' / '.join(sorted(known))}")
    return found


@pytest.mark.parametrize("path", CHINESE_NOTEBOOKS, ids=[path.name for path in CHINESE_NOTEBOOKS])
def test_every_chinese_term_the_chinese_edition_introduces_is_in_the_glossary(path, index_notebook):
    notebook = nbformat.read(path, as_version=4)
    skip = set(glossary_cell_indices(notebook)) if path.name == INDEX.name else set()
    found = chinese_terms_outside_glossary(f"zh-CN/{path.name}", notebook, glossary_pairs(index_notebook), skip)
    assert not found, "\n".join(found)


def test_both_glossaries_hold_the_same_terms(index_notebook):
    chinese_index = CHINESE / INDEX.name
    if not chinese_index.exists():
        pytest.fail("notebooks/zh-CN/00-index.ipynb is missing; run python tools/translation.py sync")
    assert glossary_pairs(nbformat.read(chinese_index, as_version=4)) == glossary_pairs(index_notebook)


def test_the_chinese_convention_is_checked(index_notebook):
    pairs = glossary_pairs(index_notebook)
    assert pairs["partial derivative"] == {"偏导数"} and "海森矩阵" in pairs["hessian matrix"]
    notebook = synthetic_notebook("我们称之为偏导数（partial derivative），再求梯度（gradient）。",
                                  "小部件（widget）", "导函数（partial derivative）", "（英文）不算")
    assert chinese_terms_outside_glossary("99.ipynb", notebook, pairs) == [
        "99.ipynb, cell 1: the term 小部件（widget） is not in the glossary (English column of 00-index.ipynb's glossary)",
        "99.ipynb, cell 2: 导函数（partial derivative）: the glossary writes partial derivative as 偏导数",
    ]
