"""The Chinese edition: one code base with the English one, and every translation that fell behind, named.

    python tools/translation.py sync                 # bring code, outputs and metadata over from English
    python tools/translation.py sync --check         # write nothing; exit 1 if a Chinese notebook is out of sync
    python tools/translation.py status               # list every cell that needs (re-)translating; exit 1 if any
    python tools/translation.py accept notebooks/zh-CN/02-backward.ipynb 14 15   # cells 14 and 15 are translated
    python tools/translation.py accept notebooks/zh-CN/02-backward.ipynb --all
    python tools/translation.py join-lines           # each Chinese paragraph on one line (a break renders as a space)

``notebooks/zh-CN/NN-name.ipynb`` translates ``notebooks/en/NN-name.ipynb``. The two are twins:

- the same cells in the same order, with the same cell ids, types, tags and slide metadata;
- code cells run the same code: only their comments are translated, each in its place (the code
  with every comment blanked is identical), and they store the English cell's outputs, with the
  comments that a traceback quotes translated like the code's;
- markdown cells are translated; the links at the top and bottom (``tools/navigation.py``) and
  the solution labels (``tools/solutions.py``) are written by those tools in each language.

Only the English edition is executed by the test suite (nbval); the Chinese one is checked
against it here, statically, so it costs the suite almost nothing. Each translated cell records
which English text it translates: ``metadata.d2lhelpers.translated_from`` holds the fingerprint
(the start of a sha256) of the English cell's translatable text (a markdown cell's source, a
code cell's comments; solution labels left out). When the English cell changes, its fingerprint
changes, and the test suite names the Chinese cell as stale until it is re-translated and
accepted. A new English cell arrives in Chinese as an English copy without a record: it too is
named until translated.

``sync`` rebuilds each Chinese notebook from its English twin: code, outputs, execution counts,
cell and notebook metadata come from English; the Chinese text of every cell stays as it is
(a stale one too, for the translator to revise), while a cell still holding the untouched English
copy that sync made follows its English cell; a cell deleted in English is deleted; a code
cell whose comments are current gets the new code with its translated comments. It never
touches Chinese prose, and it prints what needs translating. ``accept`` records that a
translator brought the named cells up to date with the current English.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import re
import sys
import tokenize
from pathlib import Path

import nbformat

from notebook_files import ROOT, read  # tools/ is on sys.path when run as a script

sys.path.insert(0, str(ROOT))
from d2lhelpers.extract import ExtractError, write_atomically  # noqa: E402

ENGLISH = ROOT / "notebooks" / "en"
CHINESE = ROOT / "notebooks" / "zh-CN"
EDITION = "zh-CN"
RECORD = "translated_from"
COPY = "copied_from"  # an English cell's text, copied untranslated: refreshed while nobody edits it
NAVIGATION = "navigation"
# labels that tools/solutions.py writes in each language: not translated by hand, not fingerprinted
SOLUTION_LABEL = re.compile(r"^(?:# )?(?:Solution to exercise \d+ \(click to expand\)|Solution \(click to expand\)"
                            r"|练习 \d+ 的解答（点击展开）|解答（点击展开）)[ \t]*$")
KEPT_COMMENT = re.compile(r"#\s*(@save|noqa\b|type:|pragma\b)")  # comments that tools read: never translated


# ----------------------------------------------------------------------------- comments in code

def _comment_tokens(source: str) -> list[tokenize.TokenInfo] | None:
    """The comment tokens of a code cell, or None when Python cannot tokenize it."""
    try:
        return [token for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type == tokenize.COMMENT]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None


def _line_offsets(source: str) -> list[int]:
    offsets, total = [0], 0
    for line in source.splitlines(keepends=True):
        total += len(line)
        offsets.append(total)
    return offsets


def _spans(source: str) -> list[tuple[int, int]] | None:
    tokens = _comment_tokens(source)
    if tokens is None:
        return None
    offsets = _line_offsets(source)
    return [(offsets[t.start[0] - 1] + t.start[1], offsets[t.end[0] - 1] + t.end[1]) for t in tokens]


def comments(source: str) -> list[str]:
    """Every comment of a code cell, in order (``# ...`` to the end of its line)."""
    spans = _spans(source)
    if spans is None:  # not Python (a cell magic): compare it whole
        return []
    return [source[start:end] for start, end in spans]


def skeleton(source: str) -> str:
    """The code with every comment replaced by ``#``: what both editions must share exactly."""
    spans = _spans(source)
    if spans is None:
        return source
    parts, last = [], 0
    for start, end in spans:
        parts += [source[last:start], "#"]
        last = end
    return "".join(parts + [source[last:]])


def with_comments(source: str, replacements: list[str]) -> str:
    """``source`` with its comments replaced, in order, by ``replacements`` (as many as it has)."""
    spans = _spans(source) or []
    if len(spans) != len(replacements):
        raise ValueError(f"{len(spans)} comments, {len(replacements)} replacements")
    parts, last = [], 0
    for (start, end), comment in zip(spans, replacements):
        parts += [source[last:start], comment]
        last = end
    return "".join(parts + [source[last:]])


def translated_outputs(outputs: list, english: list[str], chinese: list[str]) -> list:
    """The English outputs, with each comment that a traceback quotes replaced by its translation."""
    pairs = [(old, new) for old, new in zip(english, chinese) if old != new]
    result = copy.deepcopy(outputs)
    for output in result:
        if output.get("output_type") == "error" and pairs:
            lines = []
            for line in output.get("traceback", []):
                for old, new in pairs:
                    line = line.replace(old, new)
                lines.append(line)
            output["traceback"] = lines
    return result


# ----------------------------------------------------------------------------- Chinese line breaks

CJK_CHARACTER = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
BLOCK_START = re.compile(r"^\s*(?:[-*+]\s|\d+[.)]\s|#|\||>|```|~~~|\$\$|$)")


def soft_breaks(markdown: str) -> list[int]:
    """Lines (1-based) that end in a line break inside a Chinese paragraph.

    Markdown turns such a break into a space, which Chinese text does not have ("而不是由 cos x"),
    so a Chinese paragraph is written on one line. Breaks inside code blocks and display maths,
    before a list item, a heading, a table row or a blank line, and after a table row, stay.
    """
    lines = markdown.split("\n")
    found, fenced, maths = [], False, False
    for number, (line, following) in enumerate(zip(lines, lines[1:]), start=1):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        if stripped.count("$$") % 2:
            maths = not maths
        if fenced or maths or not stripped or stripped.startswith(("|", "#")) or BLOCK_START.match(following):
            continue
        if CJK_CHARACTER.match(stripped[-1]) or CJK_CHARACTER.match(following.strip()[0]):
            found.append(number)
    return found


def without_soft_breaks(markdown: str) -> str:
    """The markdown with every line break of ``soft_breaks`` removed (the lines joined, no space)."""
    lines = markdown.split("\n")
    joined = set(soft_breaks(markdown))
    out = []
    for number, line in enumerate(lines, start=1):
        if out and number - 1 in joined:
            out[-1] = out[-1].rstrip() + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


# ----------------------------------------------------------------------------- fingerprints

def tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def translatable_text(cell) -> str:
    """What a translator translates in a cell: a markdown cell's text, a code cell's comments."""
    if cell.cell_type == "code":
        return "\n".join(comment for comment in comments(cell.source)
                         if not SOLUTION_LABEL.match(comment) and not KEPT_COMMENT.match(comment))
    lines = cell.source.split("\n")
    if lines and SOLUTION_LABEL.match(lines[0]):
        lines = lines[1:]
    return "\n".join(lines).strip()


def fingerprint(cell) -> str:
    return hashlib.sha256(translatable_text(cell).encode("utf-8")).hexdigest()[:16]


def _set_own(cell, key: str, value) -> None:
    own = dict(cell.metadata.get("d2lhelpers", {}))
    if value is None:
        own.pop(key, None)
    else:
        own[key] = value
    if own:
        cell.metadata["d2lhelpers"] = own
    else:
        cell.metadata.pop("d2lhelpers", None)


def record(cell) -> str | None:
    return cell.get("metadata", {}).get("d2lhelpers", {}).get(RECORD)


def set_record(cell, value: str | None) -> None:
    _set_own(cell, RECORD, value)
    if value is not None:
        _set_own(cell, COPY, None)  # translated: no longer a copy


def _metadata_without_record(cell) -> dict:
    metadata = copy.deepcopy(dict(cell.get("metadata", {})))
    own = dict(metadata.get("d2lhelpers", {}))
    own.pop(RECORD, None)
    own.pop(COPY, None)
    if own:
        metadata["d2lhelpers"] = own
    else:
        metadata.pop("d2lhelpers", None)
    return metadata


# ----------------------------------------------------------------------------- twins

def chinese_twin(english: Path) -> Path:
    return CHINESE / english.name


def english_twin(chinese: Path) -> Path:
    return ENGLISH / chinese.name


def english_notebooks() -> list[Path]:
    return sorted(ENGLISH.glob("*.ipynb"))


def _label_comment(cell) -> str | None:
    first = cell.source.split("\n", 1)[0]
    return first if SOLUTION_LABEL.match(first) else None


def synced(english, chinese=None):
    """The Chinese notebook rebuilt from its English twin, keeping every current Chinese text.

    Returns the notebook and, per cell that needs a translator, ``(index, id, why)``.
    """
    old = {cell.get("id"): cell for cell in (chinese.cells if chinese is not None else [])}
    cells, work = [], []
    for index, source_cell in enumerate(english.cells, start=1):
        cell = copy.deepcopy(source_cell)
        twin = old.get(cell.get("id"))
        if twin is not None and twin.cell_type != cell.cell_type:
            twin = None
        if NAVIGATION in tags(cell):  # written in each language by tools/navigation.py
            if twin is not None:
                cell.source = twin.source
            cells.append(cell)
            continue
        current = fingerprint(source_cell)
        untouched_copy = (twin is not None and record(twin) is None
                          and twin.get("metadata", {}).get("d2lhelpers", {}).get(COPY) == fingerprint(twin))
        if twin is None or untouched_copy:
            # an English copy to translate; while nobody has edited it, it follows the English
            why = "new in English: not translated yet" if twin is None else "not translated yet"
            set_record(cell, current if not translatable_text(source_cell) else None)
            if translatable_text(source_cell):
                _set_own(cell, COPY, current)
        else:
            stamped = record(twin)
            why = None if stamped == current else (
                "not translated yet" if stamped is None else "the English changed since it was translated")
            set_record(cell, stamped)
            if cell.cell_type == "markdown":
                cell.source = twin.source
            else:
                cell.source, cell.outputs = _code_with_translated_comments(source_cell, twin)
        if why and translatable_text(source_cell):
            work.append((index, cell.get("id"), why))
        elif why:  # nothing to translate (code without comments): current by construction
            set_record(cell, current)
        cells.append(cell)
    notebook = copy.deepcopy(english)
    notebook.cells = cells
    own = dict(notebook.metadata.get("d2lhelpers", {}))
    own["edition"] = EDITION
    notebook.metadata["d2lhelpers"] = own
    return notebook, work


def _code_with_translated_comments(english_cell, chinese_cell) -> tuple[str, list]:
    """The English code with the Chinese cell's comments, each in its place, and the matching outputs.

    The comments are carried over one for one when both cells have as many; otherwise (the
    English cell gained or lost a comment) the English comments stay, for the translator.
    """
    english_comments, chinese_comments = comments(english_cell.source), comments(chinese_cell.source)
    if len(english_comments) == len(chinese_comments):
        replacements = [old if KEPT_COMMENT.match(old) else new for old, new in zip(english_comments, chinese_comments)]
        label = _label_comment(chinese_cell)
        if label is not None and english_comments and SOLUTION_LABEL.match(english_comments[0]):
            replacements[0] = label
        source = with_comments(english_cell.source, replacements)
    else:
        source, replacements = english_cell.source, english_comments
    return source, translated_outputs(english_cell.get("outputs", []), english_comments, replacements)


def problems(english, chinese, name: str) -> list[str]:
    """Everything in which the Chinese notebook is not a faithful, current twin of the English one."""
    where = f"notebooks/{EDITION}/{name}"
    found = []
    expected = copy.deepcopy(dict(english.metadata))
    expected["d2lhelpers"] = dict(expected.get("d2lhelpers", {}), edition=EDITION)
    if _plain(dict(chinese.metadata)) != _plain(expected):
        found.append(f"{where}: its notebook metadata differs from the English notebook's (plus "
                     f"d2lhelpers.edition = {EDITION!r}); run python tools/translation.py sync")
    english_ids = [cell.get("id") for cell in english.cells]
    chinese_ids = [cell.get("id") for cell in chinese.cells]
    by_id = {cell.get("id"): (position, cell) for position, cell in enumerate(chinese.cells, start=1)}
    for extra in [i for i in chinese_ids if i not in english_ids]:
        found.append(f"{where}, cell {by_id[extra][0]} (id {extra}): no English cell has this id; "
                     "run python tools/translation.py sync")
    missing = [i for i in english_ids if i not in by_id]
    if [i for i in chinese_ids if i in english_ids] != [i for i in english_ids if i in by_id]:
        found.append(f"{where}: the cells are not in the English order; run python tools/translation.py sync")
    for index, source_cell in enumerate(english.cells, start=1):
        cell_id = source_cell.get("id")
        if cell_id in missing:
            found.append(f"{where}: English cell {index} (id {cell_id}) has no Chinese twin; "
                         "run python tools/translation.py sync, then translate it")
            continue
        position, cell = by_id[cell_id]
        label = f"{where}, cell {position} (id {cell_id})"
        if cell.cell_type != source_cell.cell_type:
            found.append(f"{label}: a {cell.cell_type} cell translating a {source_cell.cell_type} cell")
            continue
        if _metadata_without_record(cell) != _metadata_without_record(source_cell):
            found.append(f"{label}: its metadata (tags, slides, collapse) differs from the English cell's; "
                         "run python tools/translation.py sync")
        if cell.cell_type == "code":
            found += _code_problems(source_cell, cell, label)
        if NAVIGATION in tags(source_cell):
            continue
        if cell.cell_type == "markdown":
            breaks = soft_breaks(cell.source)
            if breaks:
                found.append(f"{label}: line {breaks[0]} ends in a line break inside a Chinese paragraph, which "
                             "renders as a space; write the paragraph on one line "
                             "(python tools/translation.py join-lines fixes every cell)")
        stamped, current = record(cell), fingerprint(source_cell)
        if stamped is None and translatable_text(source_cell):
            found.append(f"{label}: not translated yet (English cell {index})")
        elif stamped is not None and stamped != current:
            found.append(f"{label}: stale, the English cell {index} changed since it was translated; "
                         "re-translate it, then run python tools/translation.py accept")
    return found


def _code_problems(english_cell, chinese_cell, label: str) -> list[str]:
    found = []
    if skeleton(chinese_cell.source) != skeleton(english_cell.source):
        lines = zip(skeleton(english_cell.source).splitlines(), skeleton(chinese_cell.source).splitlines())
        first = next((n for n, (a, b) in enumerate(lines, start=1) if a != b), None)
        found.append(f"{label}: runs other code than the English cell"
                     + (f" (line {first} differs, comments aside)" if first else " (other lines, comments aside)"))
        return found
    english_comments, chinese_comments = comments(english_cell.source), comments(chinese_cell.source)
    for old, new in zip(english_comments, chinese_comments):
        if KEPT_COMMENT.match(old) and new != old:
            found.append(f"{label}: the comment {old!r} is read by a tool and must stay as it is, not {new!r}")
    expected = translated_outputs(english_cell.get("outputs", []), english_comments, chinese_comments)
    if _plain(chinese_cell.get("outputs", [])) != _plain(expected):
        found.append(f"{label}: its stored outputs differ from the English cell's; run python tools/translation.py sync")
    if chinese_cell.get("execution_count") != english_cell.get("execution_count"):
        found.append(f"{label}: execution count {chinese_cell.get('execution_count')}, "
                     f"English {english_cell.get('execution_count')}; run python tools/translation.py sync")
    return found


def _plain(value):
    return json.loads(json.dumps(value))


# ----------------------------------------------------------------------------- commands

def _write(path: Path, notebook) -> None:
    nbformat.validate(notebook)
    write_atomically(path, nbformat.writes(notebook) + "\n")


def sync(paths: list[Path], check: bool) -> int:
    stale = 0
    changed = []
    for english_path in paths:
        english = read(english_path)
        chinese_path = chinese_twin(english_path)
        chinese = read(chinese_path) if chinese_path.exists() else None
        notebook, work = synced(english, chinese)
        text = nbformat.writes(notebook) + "\n"
        if chinese is None or chinese_path.read_text(encoding="utf-8") != text:
            changed.append(chinese_path)
            if not check:
                CHINESE.mkdir(exist_ok=True)
                _write(chinese_path, notebook)
        for index, cell_id, why in work:
            stale += 1
            print(f"notebooks/{EDITION}/{chinese_path.name}, cell {index} (id {cell_id}): {why}")
    verb = "would update" if check else "updated"
    print(f"{verb} {len(changed)} of {len(paths)} Chinese notebooks; {stale} cells need translating",
          file=sys.stderr)
    return 1 if (check and changed) else 0


def status(paths: list[Path]) -> int:
    found = []
    for english_path in paths:
        chinese_path = chinese_twin(english_path)
        if not chinese_path.exists():
            found.append(f"notebooks/{EDITION}/{chinese_path.name}: missing; run python tools/translation.py sync")
            continue
        found += problems(read(english_path), read(chinese_path), chinese_path.name)
    for line in found:
        print(line)
    print(f"{len(found)} problems in {len(paths)} Chinese notebooks", file=sys.stderr)
    return 1 if found else 0


def accept(chinese_path: Path, cells: list[str], every: bool) -> int:
    english_path = english_twin(chinese_path)
    if not chinese_path.exists() or not english_path.exists():
        print(f"{chinese_path}: no such Chinese notebook with an English twin in {ENGLISH.relative_to(ROOT)}",
              file=sys.stderr)
        return 2
    english, chinese = read(english_path), read(chinese_path)
    fingerprints = {cell.get("id"): fingerprint(cell) for cell in english.cells}
    wanted = set()
    for token in cells:
        if token.isdigit() and 1 <= int(token) <= len(chinese.cells):
            wanted.add(chinese.cells[int(token) - 1].get("id"))
        elif token in fingerprints:
            wanted.add(token)
        else:
            print(f"{chinese_path.name}: no cell {token!r} (give 1-based cell numbers or cell ids)", file=sys.stderr)
            return 2
    accepted = 0
    for cell in chinese.cells:
        cell_id = cell.get("id")
        if cell_id in fingerprints and (every or cell_id in wanted) and NAVIGATION not in tags(cell):
            if record(cell) != fingerprints[cell_id]:
                set_record(cell, fingerprints[cell_id])
                accepted += 1
    _write(chinese_path, chinese)
    print(f"{chinese_path.name}: {accepted} cells recorded as translations of the current English")
    return 0


def join_lines(paths: list[Path]) -> int:
    for path in paths:
        notebook = read(path)
        changed = 0
        for cell in notebook.cells:
            if cell.cell_type == "markdown" and NAVIGATION not in tags(cell) and soft_breaks(cell.source):
                cell.source = without_soft_breaks(cell.source)
                changed += 1
        if changed:
            _write(path, notebook)
        print(f"{path.name}: {changed} cells joined into one line a paragraph")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    sync_parser = commands.add_parser("sync", help="bring code, outputs and metadata over from English")
    sync_parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if out of sync")
    sync_parser.add_argument("notebooks", nargs="*", type=Path, help="English notebooks (default: all)")
    status_parser = commands.add_parser("status", help="list the cells that need (re-)translating")
    status_parser.add_argument("notebooks", nargs="*", type=Path, help="English notebooks (default: all)")
    accept_parser = commands.add_parser("accept", help="record that cells translate the current English")
    accept_parser.add_argument("notebook", type=Path, help="a notebook in notebooks/zh-CN/")
    accept_parser.add_argument("cells", nargs="*", help="1-based cell numbers or cell ids")
    accept_parser.add_argument("--all", action="store_true", help="every cell of the notebook")
    join_parser = commands.add_parser("join-lines", help="write each Chinese paragraph on one line")
    join_parser.add_argument("notebooks", nargs="*", type=Path, help="Chinese notebooks (default: all)")
    args = parser.parse_args(argv)
    try:
        if args.command == "join-lines":
            return join_lines(args.notebooks or sorted(CHINESE.glob("*.ipynb")))
        if args.command == "accept":
            if not args.cells and not args.all:
                parser.error("name the cells, or pass --all")
            return accept(args.notebook, args.cells, args.all)
        paths = [english_twin(p) if p.parent.name == EDITION else p for p in args.notebooks] or english_notebooks()
        return sync(paths, args.check) if args.command == "sync" else status(paths)
    except (ExtractError, OSError, nbformat.ValidationError) as error:
        print(f"translation.py: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
