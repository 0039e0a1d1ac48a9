"""The two editions of the notebooks and the few strings the tools write or look for in each.

The English notebooks live in ``notebooks/en/``; the Chinese edition lives in
``notebooks/zh-CN/``, with the same file names, the same code and outputs, and translated prose.
A notebook's edition is decided by the name of its folder: ``zh-CN`` is Chinese, anything else
(``en``, or a folder of your own passed with ``--notebooks``) is English.

What differs between them, for ``handout``, ``tools/solutions.py`` and ``tools/navigation.py``:

=====================  ==============================================  ===========================
                       English                                         Chinese
=====================  ==============================================  ===========================
exercises heading      ``## Exercises``                                ``## 练习``
solution label         ``Solution to exercise N (click to expand)``   ``练习 N 的解答（点击展开）``
contents link          ``[Contents](00-index.ipynb)``                  ``[目录](00-index.ipynb)``
=====================  ==============================================  ===========================

and the sentence under the exercises heading that a handout rewrites, because its solutions
are gone (``try_first`` becomes ``no_solutions``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edition:
    folder: str
    exercises_heading: str
    solution_label: str  # with {number}
    solution_label_unnumbered: str
    contents: str  # the text of the link to 00-index.ipynb
    try_first: str  # the sentence under the exercises heading, in the notebooks
    no_solutions: str  # what the handout says instead

    def label(self, number: int | None) -> str:
        """The first line of a solution cell (without the ``# `` a code cell puts before it)."""
        return self.solution_label.format(number=number) if number else self.solution_label_unnumbered


ENGLISH = Edition(
    folder="en",
    exercises_heading="## Exercises",
    solution_label="Solution to exercise {number} (click to expand)",
    solution_label_unnumbered="Solution (click to expand)",
    contents="Contents",
    try_first="Try each one before you open the worked solution below it (click the collapsed cell, or the "
              "`...` it shows, to expand it).",
    no_solutions="Try each one yourself: the worked solutions are not part of this handout.",
)
CHINESE = Edition(
    folder="zh-CN",
    exercises_heading="## 练习",
    solution_label="练习 {number} 的解答（点击展开）",
    solution_label_unnumbered="解答（点击展开）",
    contents="目录",
    try_first="每道题请先自己动手，再看它下面的解答（点击折叠的单元格或其中显示的`...`即可展开）。",
    no_solutions="每道题请自己动手完成：本讲义不含解答。",
)
EDITIONS = (ENGLISH, CHINESE)

# the first line of a solution cell in either edition, as a code comment or as markdown
SOLUTION_LABEL = re.compile(
    r"^(?:# )?(?:Solution to exercise \d+ \(click to expand\)|Solution \(click to expand\)"
    r"|练习 \d+ 的解答（点击展开）|解答（点击展开）)\s*$")
# an exercises heading of either edition, at any level, singular or plural ('## Exercises and solutions' too)
EXERCISES_HEADING = re.compile(r"^(?:Exercises?\b|练习)", re.IGNORECASE)


def edition_of(path: Path | str) -> Edition:
    """The edition of a notebook (or of a folder of notebooks), by its folder's name."""
    path = Path(path)
    folder = path.name if path.suffix != ".ipynb" else path.parent.name
    return CHINESE if folder == CHINESE.folder else ENGLISH
