"""Extract the blocks marked ``# @save`` in the notebooks into ``d2lhelpers/saved.py``.

The notebooks are the source of truth. A top-level ``def``, ``class`` or import
block is saved when it is marked ``# @save`` (or d2l's ``#@save``) either on a
line of its own right above it, or at the end of its first line::

    # @save
    def plot(X, Y=None, ...):
        ...

    def set_figsize(figsize=(3.5, 2.5)):  # @save
        ...

Blocks are written in notebook order (notebooks sorted by file name), imports
first, and each docstring gains a line saying which notebook and section
defined it, as d2l's "Defined in :numref:..." does.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import io
import json
import os
import re
import tempfile
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_NOTEBOOKS = PACKAGE_DIR.parent / "notebooks"
DEFAULT_OUTPUT = PACKAGE_DIR / "saved.py"

MARKER = re.compile(r"#\s*@save\s*$")
CHECKSUM = re.compile(r"^# d2lhelpers-save sha256=([0-9a-f]{64})$", re.MULTILINE)
SAVABLE = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)
KIND_NAMES = {
    ast.Assign: "an assignment",
    ast.AnnAssign: "an assignment",
    ast.AugAssign: "an assignment",
    ast.Expr: "an expression",
    ast.If: "an if statement",
    ast.For: "a for loop",
    ast.While: "a while loop",
    ast.With: "a with statement",
    ast.Try: "a try statement",
}


class ExtractError(Exception):
    """A notebook or the generated module cannot be processed; the message names where."""


@dataclass
class Block:
    """One saved block: a def/class, or one import statement."""

    kind: str  # "import" or "definition"
    names: list[str]
    source: str
    notebook: str
    cell: int  # 1-based index of the cell in the notebook
    section: str
    key: str = field(default="")  # identity used to deduplicate imports


def _relative(path: Path) -> str:
    """The path as people see it: from the repository root, else from here, else as given.

    The root comes first so that the generated module is the same wherever
    ``python -m d2lhelpers save`` is run from.
    """
    for base in (PACKAGE_DIR.parent, Path.cwd().resolve()):
        try:
            return path.resolve().relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def read_notebook(path: Path) -> dict:
    """Load a notebook's JSON, turning every way it can be broken into one clear error."""
    name = _relative(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ExtractError(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise ExtractError(f"{name}: cannot be read ({error.strerror})") from None
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExtractError(
            f"{name}: not valid notebook JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ExtractError(f"{name}: not a Jupyter notebook (no list of 'cells' at the top level)")
    if notebook.get("nbformat") != 4:
        raise ExtractError(f"{name}: nbformat {notebook.get('nbformat')!r} is not supported; save it as nbformat 4")
    return notebook


def cell_source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _parsable(source: str) -> str:
    """Blank out IPython-only lines (magics, shell escapes) so ``ast`` can read the cell.

    Line numbers are kept, so errors still point at the right line.
    """
    lines = source.split("\n")
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)


def _markers(code: str) -> list[tuple[int, bool]]:
    """(line, standalone) of each ``# @save`` comment; standalone means alone on its line."""
    found = []
    lines = code.split("\n")
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT and MARKER.match(token.string):
            row, col = token.start
            found.append((row, lines[row - 1][:col].strip() == ""))
    return found


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators])


def _header_last_line(node: ast.stmt) -> int:
    """Last line of a compound statement's header (def, class, if, ...), or of a simple statement."""
    body = getattr(node, "body", None)
    if not isinstance(body, list) or not body:
        return node.end_lineno
    return body[0].lineno - 1 if body[0].lineno > node.lineno else node.lineno


def _describe(node: ast.stmt) -> str:
    return KIND_NAMES.get(type(node), f"a {type(node).__name__} statement")


def _strip_markers(lines: list[str], markers: set[int], first: int, last: int) -> str:
    """Source of lines first..last (1-based) with the ``# @save`` comments removed."""
    kept = []
    for number in range(first, last + 1):
        line = lines[number - 1]
        if number in markers:
            line = MARKER.sub("", line).rstrip()
            if not line.strip():
                continue
        kept.append(line)
    return "\n".join(kept)


def _bound_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = []
        for alias in node.names:
            if alias.name == "*":
                raise ValueError("star import")
            names.append(alias.asname or alias.name.split(".")[0])
        return names
    return [node.name]


def _column(line: str, byte_offset: int) -> int:
    """ast counts columns in UTF-8 bytes; turn one into an index into the str (docstrings may be Chinese)."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _add_defined_in(source: str, where: str) -> str:
    """Append 'Defined in ...' to the docstring of the def/class in ``source``.

    Raises ValueError when the body starts on the ``def`` line itself (no room for a docstring).
    """
    tree = ast.parse(source)
    node = tree.body[0]
    lines = source.split("\n")
    first = node.body[0]
    if first.lineno == node.lineno:
        raise ValueError("body on the header line")
    has_docstring = (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    )
    start, end = first.lineno - 1, first.end_lineno - 1
    begin = _column(lines[start], first.col_offset)
    indent = " " * begin
    if not has_docstring:
        lines[start:start] = [f'{indent}"""{where}"""']
        return "\n".join(lines)
    finish = _column(lines[end], first.end_col_offset)
    literal_first = lines[start][begin:]
    prefix = re.match(r"[rRuU]*", literal_first).group(0)
    if start == end:
        literal = lines[start][begin + len(prefix) : finish]
    else:
        literal = "\n".join([literal_first[len(prefix):]] + lines[start + 1 : end] + [lines[end][:finish]])
    rest = lines[end][finish:]
    quote = literal[:3] if literal[:3] in ('"""', "'''") else literal[0]
    inner = literal[len(quote) : -len(quote)].rstrip()
    if len(quote) == 1:
        quote = '"""' if '"' not in inner else "'''"
    new_literal = f"{indent}{prefix}{quote}{inner}\n\n{indent}{where}\n{indent}{quote}{rest}"
    lines[start : end + 1] = new_literal.split("\n")
    return "\n".join(lines)


def blocks_in_notebook(path: Path) -> list[Block]:
    """Every block marked ``# @save`` in one notebook, in cell order."""
    name = _relative(path)
    notebook = read_notebook(path)
    blocks: list[Block] = []
    section = ""
    for index, cell in enumerate(notebook["cells"], start=1):
        if not isinstance(cell, dict):
            raise ExtractError(f"{name}, cell {index}: not a cell object")
        source = cell_source(cell)
        if cell.get("cell_type") == "markdown":
            for line in source.split("\n"):
                heading = re.match(r"#{1,6}\s+(.+?)\s*#*\s*$", line)
                if heading:
                    section = heading.group(1)
            continue
        if cell.get("cell_type") != "code" or "@save" not in source:
            continue
        where = f"{name}, cell {index}"
        code = _parsable(source)
        try:
            tree = ast.parse(code)
            markers = _markers(code)
        except (SyntaxError, tokenize.TokenError) as error:
            line = getattr(error, "lineno", None) or (error.args[1][0] if len(error.args) > 1 else "?")
            message = getattr(error, "msg", None) or error.args[0]
            raise ExtractError(f"{where}: syntax error in a cell with # @save (line {line}): {message}") from None
        lines = code.split("\n")
        statements = tree.body
        marker_lines = {row for row, _ in markers}
        chosen: dict[int, ast.stmt] = {}
        for row, standalone in markers:
            if standalone:
                if any(_first_line(s) <= row <= s.end_lineno for s in statements):
                    raise ExtractError(
                        f"{where}: '# @save' on line {row} is inside a block; "
                        "only top-level def, class and import statements can be saved"
                    )
                following = [s for s in statements if _first_line(s) > row]
                if not following:
                    raise ExtractError(f"{where}: '# @save' on line {row} marks nothing (no statement follows it)")
                target = following[0]
                if not isinstance(target, SAVABLE):
                    raise ExtractError(
                        f"{where}: '# @save' on line {row} marks {_describe(target)}; "
                        "only top-level def, class and import statements can be saved"
                    )
                group = [target]
                if isinstance(target, (ast.Import, ast.ImportFrom)):
                    # an import block: the imports that follow with no blank line between
                    position = statements.index(target)
                    for later in statements[position + 1 :]:
                        if not isinstance(later, (ast.Import, ast.ImportFrom)):
                            break
                        if later.lineno != group[-1].end_lineno + 1:
                            break
                        group.append(later)
            else:
                owners = [s for s in statements if _first_line(s) <= row <= _header_last_line(s)]
                if not owners:
                    inside = [s for s in statements if _first_line(s) <= row <= s.end_lineno]
                    what = "is inside a block" if inside else "marks nothing"
                    raise ExtractError(
                        f"{where}: '# @save' on line {row} {what}; put it at the end of a top-level "
                        "def, class or import line, or on its own line above one"
                    )
                if not isinstance(owners[0], SAVABLE):
                    raise ExtractError(
                        f"{where}: '# @save' on line {row} marks {_describe(owners[0])}; "
                        "only top-level def, class and import statements can be saved"
                    )
                group = owners[:1]
            for node in group:
                chosen[_first_line(node)] = node
        for first in sorted(chosen):
            node = chosen[first]
            try:
                names = _bound_names(node)
            except ValueError:
                raise ExtractError(f"{where}: line {first}: 'import *' cannot be saved; name what you import") from None
            text = _strip_markers(lines, marker_lines, first, node.end_lineno)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                blocks.append(Block("import", names, text, name, index, section, key=ast.dump(node)))
            else:
                defined_in = f'Defined in {name}, section "{section}".' if section else f"Defined in {name}."
                try:
                    text = _add_defined_in(text, defined_in)
                except ValueError:
                    raise ExtractError(
                        f"{where}: line {first}: put the body of '{names[0]}' on lines of its own, "
                        "so that its docstring can say where it is defined"
                    ) from None
                blocks.append(Block("definition", names, text, name, index, section))
    return blocks


def notebook_paths(notebooks: Path) -> list[Path]:
    if not notebooks.is_dir():
        raise ExtractError(
            f"no notebooks folder at {_relative(notebooks)}: run this from a source checkout "
            "(pip install -e .) or pass --notebooks DIR"
        )
    return sorted(p for p in notebooks.glob("*.ipynb") if p.is_file())


def collect(notebooks: Path) -> list[Block]:
    """All saved blocks of all notebooks, checking that no name is saved twice."""
    blocks: list[Block] = []
    owner: dict[str, Block] = {}
    seen_imports: set[str] = set()
    for path in notebook_paths(notebooks):
        for block in blocks_in_notebook(path):
            if block.kind == "import" and block.key in seen_imports:
                continue  # the same import saved again by a later notebook
            for name in block.names:
                if name in owner:
                    first = owner[name]
                    raise ExtractError(
                        f"'{name}' is saved twice: {first.notebook}, cell {first.cell} and "
                        f"{block.notebook}, cell {block.cell}; rename one or remove one '# @save'"
                    )
                owner[name] = block
            if block.kind == "import":
                seen_imports.add(block.key)
            blocks.append(block)
    return blocks


HEADER = '''"""Helpers saved from the notebooks in notebooks/ by their ``# @save`` marks.

GENERATED FILE, DO NOT EDIT: the notebooks are the source of truth. Change the
cell marked ``# @save`` in the notebook named in the docstring, run it, then run
``python -m d2lhelpers save``. ``python -m d2lhelpers save --check`` (part of the
test suite) fails while this file and the notebooks disagree.
"""
'''


def render(blocks: list[Block]) -> str:
    """The text of the generated module."""
    imports = [b.source for b in blocks if b.kind == "import"]
    definitions = [b for b in blocks if b.kind == "definition"]
    exported = [name for b in blocks for name in b.names if not name.startswith("_")]
    parts = ["\n".join(imports)] if imports else []
    parts.append("__all__ = [\n" + "".join(f"    {name!r},\n" for name in exported) + "]")
    parts.extend(b.source for b in definitions)
    body = "\n\n\n".join(parts) + "\n"
    checksum = hashlib.sha256(body.encode("utf-8")).hexdigest()
    return f"{HEADER}# d2lhelpers-save sha256={checksum}\n\n{body}"


def hand_edited(text: str) -> bool:
    """True when a generated file no longer matches the checksum it was written with."""
    match = CHECKSUM.search(text)
    if not match:
        return True
    body = text[match.end() :].lstrip("\n")
    return hashlib.sha256(body.encode("utf-8")).hexdigest() != match.group(1)


def build(notebooks: Path = DEFAULT_NOTEBOOKS) -> tuple[str, list[Block]]:
    blocks = collect(notebooks)
    text = render(blocks)
    try:
        compile(text, str(DEFAULT_OUTPUT), "exec")
    except SyntaxError as error:  # pragma: no cover - every block parsed on its own already
        raise ExtractError(f"the generated module does not compile (line {error.lineno}): {error.msg}") from None
    return text, blocks


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and a rename: never half-written."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def save(notebooks: Path = DEFAULT_NOTEBOOKS, output: Path = DEFAULT_OUTPUT, force: bool = False) -> str:
    """Regenerate ``output``; refuse to overwrite hand edits unless ``force``. Returns a report."""
    text, blocks = build(notebooks)
    if output.exists():
        current = output.read_text(encoding="utf-8")
        if current == text:
            return f"{_relative(output)} is up to date ({_summary(blocks)})"
        if hand_edited(current) and not force:
            raise ExtractError(
                f"{_relative(output)} was edited by hand since it was generated (its checksum does not match); "
                "move the edits into the notebook cell marked # @save, or pass --force to overwrite them"
            )
    write_atomically(output, text)
    return f"wrote {_relative(output)} ({_summary(blocks)})"


def _summary(blocks: list[Block]) -> str:
    definitions = [name for b in blocks if b.kind == "definition" for name in b.names]
    notebooks = {b.notebook for b in blocks}
    return f"{len(definitions)} helpers from {len(notebooks)} notebooks"


def _top_level_sources(text: str) -> dict[str, str]:
    tree = ast.parse(text)
    sources = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            sources[node.name] = ast.get_source_segment(text, node)
    return sources


def check(notebooks: Path = DEFAULT_NOTEBOOKS, output: Path = DEFAULT_OUTPUT) -> list[str]:
    """What differs between the notebooks and the generated module; empty when they agree."""
    text, blocks = build(notebooks)
    where = _relative(output)
    if not output.exists():
        return [f"{where} does not exist; run: python -m d2lhelpers save"]
    current = output.read_text(encoding="utf-8")
    if current == text:
        return []
    problems = []
    try:
        old = _top_level_sources(current)
    except SyntaxError as error:
        return [f"{where} does not parse (line {error.lineno}); run: python -m d2lhelpers save"]
    new = _top_level_sources(text)
    origin = {name: f"{b.notebook}, cell {b.cell}" for b in blocks for name in b.names}
    for name in new:
        if name not in old:
            problems.append(f"{name} ({origin[name]}) is saved in the notebook but missing from {where}")
        elif old[name] != new[name]:
            diff = difflib.unified_diff(
                old[name].splitlines(), new[name].splitlines(), f"{where}", origin[name], lineterm="", n=1
            )
            problems.append(f"{name} ({origin[name]}) differs from {where}:\n" + "\n".join(diff))
    for name in old:
        if name not in new:
            problems.append(f"{name} is in {where} but no notebook saves it any more")
    if not problems:
        problems.append(f"{where} differs from the notebooks outside any function (imports, header or order)")
    return [p + "\n  fix: python -m d2lhelpers save" if i == len(problems) - 1 else p for i, p in enumerate(problems)]
