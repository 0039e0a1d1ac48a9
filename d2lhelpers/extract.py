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

Cells are read as the kernel reads them (IPython's input transformer, so magics
and shell lines are never mistaken for code, nor code for magics); the saved
text is the cell's own. The generated module is compiled and imported before it
is written, so a block that needs an unsaved name fails here, naming its cell.
Its checksum covers the whole file, so ``save`` refuses to overwrite an edit
anywhere in it; it writes through ``d2lhelpers.atomic`` (a hidden temporary file,
fsync and a rename, keeping the file's mode), and every OS error is one line
(exit 2, drift is exit 1).

``save`` is strict, and fast on any input:

- every markdown line is parsed in linear time (no regular expression that can
  backtrack), and a ``# heading`` inside a fenced code block is not a section;
- a notebooks folder that cannot be listed, or holds no notebook, is an error, as is a
  ``*.ipynb`` link that leads nowhere; hidden files (``.name.ipynb``) are not notebooks;
- the import check turns everything a saved block can raise while it is imported
  (``SystemExit`` from ``sys.exit``, ``os._exit``, ``KeyboardInterrupt``) into an error naming its cell;
- a marked import of a module this Python does not have is an error (a typo, say);
  ``--without MODULE`` says this Python lacks MODULE on purpose (a bare pre-commit
  Python without torch), and the module is then compared as text only;
- a helper named like an attribute or a submodule of the package (``handout``,
  ``lecture_mode``, ``saved``, ...) or ``__all__`` is refused: ``d2l.NAME`` would not reach it;
- ``--output`` must be a regular file (or not exist yet) and must not be one of the
  notebooks it reads, nor a symbolic link: save never replaces a device, a link or a notebook.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import importlib.util
import io
import json
import os
import re
import stat
import sys
import tokenize
import traceback
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import WriteError, check_target, write_atomically

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_NOTEBOOKS = PACKAGE_DIR.parent / "notebooks" / "en"  # the English edition: the source of every saved helper
DEFAULT_OUTPUT = PACKAGE_DIR / "saved.py"

MARKER = re.compile(r"#\s*@save\s*$")
NEAR_MISS = re.compile(r"#[#\s]*@\s*save", re.IGNORECASE)  # '# @SAVE', '## @save', '# @save this'
_AT_SAVE = re.compile(r"@[ \t\f\v\r\n]*save", re.IGNORECASE)
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
# set by Python or by save itself in the generated module: a helper cannot have these names
MODULE_NAMES = ("__all__", "__doc__", "__name__", "__file__", "__spec__", "__loader__", "__package__", "__path__",
                "__builtins__", "__cached__")
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


class MarkerWarning(UserWarning):
    """Something save cannot do as asked but that stops nothing; the message names the cell or what is missing.

    A comment that looks like a ``# @save`` marker but is not one, IPython missing, or a
    library the generated module imports missing from this Python.
    """


try:  # the transformer IPython applies to every cell before running it
    from IPython.core.inputtransformer2 import TransformerManager as _TransformerManager
except ImportError:  # pragma: no cover - IPython comes with ipykernel
    _TransformerManager = None


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


def notebook_name(path: Path) -> str:
    """How a notebook is named in docstrings and messages, wherever save is run from.

    From the repository root when the notebook is inside the repository, else as
    FOLDER/NAME.ipynb (its folder and its file name), never from the working directory.
    """
    resolved = path.resolve()
    try:
        return resolved.relative_to(PACKAGE_DIR.parent).as_posix()
    except ValueError:
        return f"{resolved.parent.name}/{resolved.name}"


def read_notebook(path: Path) -> dict:
    """Load a notebook's JSON, turning every way it can be broken into one clear error."""
    name = notebook_name(path)
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
    except RecursionError:
        raise ExtractError(f"{name}: not a notebook Python can read: its JSON is nested too deeply") from None
    # the version first: an nbformat 3 notebook has worksheets, not cells
    if isinstance(notebook, dict) and "nbformat" in notebook and notebook["nbformat"] != 4:
        raise ExtractError(f"{name}: nbformat {notebook['nbformat']!r} is not supported; save it as nbformat 4")
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ExtractError(f"{name}: not a Jupyter notebook (no list of 'cells' at the top level)")
    if notebook.get("nbformat") != 4:
        raise ExtractError(f"{name}: nbformat {notebook.get('nbformat')!r} is not supported; save it as nbformat 4")
    return notebook


def with_cell_ids(notebook: dict) -> dict:
    """Give every cell without an id (nbformat >= 4.5) one derived from its position and source.

    nbformat would invent random ids on every read, so a tool or a handout run twice would
    write two different files; these are the same on every run. Changes ``notebook`` in place.
    """
    if not isinstance(notebook.get("nbformat_minor"), int) or notebook["nbformat_minor"] < 5:
        return notebook
    cells = notebook["cells"]
    taken = {cell.get("id") for cell in cells if isinstance(cell, dict)}
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and not cell.get("id"):
            new = hashlib.sha1(f"{index}\n{json.dumps(cell.get('source', ''))}".encode("utf-8")).hexdigest()[:8]
            while new in taken:
                new = hashlib.sha1(new.encode("utf-8")).hexdigest()[:8]
            cell["id"] = new
            taken.add(new)
    return notebook


def nbformat_problem(error) -> str:
    """Where a notebook breaks the nbformat schema, and how, in one line (from nbformat's ValidationError)."""
    where = list(getattr(error, "absolute_path", []) or [])
    parts, rest = [], where
    if len(where) >= 2 and where[0] == "cells" and isinstance(where[1], int):
        parts.append(f"cell {where[1] + 1}")
        rest = where[2:]
        if len(rest) >= 2 and rest[0] == "outputs" and isinstance(rest[1], int):
            parts.append(f"output {rest[1] + 1}")
            rest = rest[2:]
    message = str(getattr(error, "message", error)).split("\n")[0]
    if message.endswith("is not valid under any of the given schemas"):
        message = "matches no kind of cell or output that nbformat 4 knows (a cell_type or output_type misspelt?)"
    if len(message) > 160:
        message = message[:157] + "..."
    field = f" (at {'.'.join(map(str, rest))})" if rest else ""
    return f"{', '.join(parts) + ': ' if parts else ''}not valid nbformat{field}: {message}"


def read_nbformat(path: Path):
    """A notebook as nbformat gives it (``nbformat.read``), but strict and reproducible.

    Every way the file can be broken is one ExtractError naming the file and, for a schema
    error, the cell and output; cells without an id get a reproducible one (``with_cell_ids``);
    nbformat 3 is refused, as ``read_notebook`` does, rather than converted behind your back.
    """
    import nbformat
    from nbformat.v4.rwbase import rejoin_lines, strip_transient

    name = notebook_name(path)
    notebook = nbformat.from_dict(with_cell_ids(read_notebook(path)))
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError as error:
        problem = nbformat_problem(error)
        raise ExtractError(f"{name}{', ' if problem.startswith('cell ') else ': '}{problem}") from None
    return strip_transient(rejoin_lines(notebook))  # each text one string, as nbformat.read gives it


def cell_source(cell: dict) -> str:
    """The cell's source with every line ending as ``\\n`` (a notebook saved on Windows may hold ``\\r\\n``)."""
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    return text.replace("\r\n", "\n").replace("\r", "\n")


_IPYTHON_MISSING = (
    "IPython is not installed, so lines starting with % or ! are read as IPython lines and blanked "
    "(pip install ipython to read cells as the kernel does)"
)


def _parsable(source: str, where: str) -> str:
    """The cell as Python, as the kernel runs it: IPython's own transformer turns magics,
    shell escapes and help requests into calls, line for line.

    Its clean-up steps (leading blank lines, a common indent, >>> prompts) are left out so
    that line numbers and columns stay those of the notebook. Without IPython, lines that
    start with % or ! are blanked instead, with a warning.
    """
    if _TransformerManager is None:  # pragma: no cover - IPython comes with ipykernel
        lines = source.split("\n")
        if any(line.lstrip().startswith(("%", "!")) for line in lines):
            warnings.warn(MarkerWarning(f"{where}: {_IPYTHON_MISSING}"), stacklevel=3)
        return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in lines)
    manager = _TransformerManager()
    manager.cleanup_transforms = []
    code = manager.transform_cell(source)
    if not source.endswith("\n") and code.endswith("\n"):
        code = code[:-1]
    if code.count("\n") != source.count("\n"):
        raise ExtractError(
            f"{where}: IPython runs this cell as a string (a %% cell magic, or a magic continued with \\ "
            "over several lines), so nothing in it can be saved; put the blocks marked # @save in a cell of their own"
        )
    return code


def markdown_headings(source: str) -> list[tuple[int, str]]:
    """(level, text) of every ATX heading (``## Text``) of a markdown cell, outside fenced code.

    Linear in the length of the text, whatever it holds (no regular expression that can
    backtrack): a heading is 1 to 6 ``#`` at the start of a line, then a space or a tab, then
    its text; a closing run of ``#`` after a space is dropped. Lines inside a fenced code
    block (```` ``` ```` or ``~~~``) are code, not headings.
    """
    headings = []
    fence = None
    for line in source.split("\n"):
        opening = FENCE.match(line)
        if fence is not None:
            run = opening.group(1) if opening else ""
            if run[:1] == fence[0] and len(run) >= len(fence) and not line[opening.end():].strip():
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        level = len(line) - len(line.lstrip("#"))
        if not 1 <= level <= 6 or line[level:level + 1] not in (" ", "\t"):
            continue
        text = line[level:].strip()
        closed = text.rstrip("#")
        if closed != text and (not closed or closed[-1] in " \t"):
            text = closed.rstrip()
        if text:
            headings.append((level, text))
    return headings


def _mentions_save(source: str) -> bool:
    """Whether NEAR_MISS would find something in ``source``, in linear time.

    ``NEAR_MISS.search`` backtracks quadratically on a long run of ``# # # ...`` without an
    ``@``; this looks for each ``@ save`` and then back over the ``#`` and blanks before it.
    """
    for match in _AT_SAVE.finditer(source):
        position = match.start() - 1
        while position >= 0 and (source[position] == "#" or source[position].isspace()):
            if source[position] == "#":
                return True
            position -= 1
    return False


def _markers(code: str, where: str) -> list[tuple[int, bool]]:
    """(line, standalone) of each ``# @save`` comment; standalone means alone on its line.

    A comment that nearly is one ('# @SAVE', '## @save', '# @save this') is not a marker:
    it gets a warning naming the cell, since the block it meant to save is left out.
    """
    found = []
    lines = code.split("\n")
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type != tokenize.COMMENT:
            continue
        row, col = token.start
        if MARKER.match(token.string):
            found.append((row, lines[row - 1][:col].strip() == ""))
        elif NEAR_MISS.match(token.string):
            warnings.warn(MarkerWarning(
                f"{where}: line {row}: {token.string.strip()!r} is not a save marker, so nothing is saved "
                "by it; write exactly '# @save' (or '#@save'), alone or after the def, class or import line"
            ), stacklevel=3)
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


def _docstring_value(source: str) -> str | None:
    node = ast.parse(source).body[0]
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        return first.value.value
    return None


def _add_defined_in(source: str, where: str) -> str:
    """Append 'Defined in ...' to the docstring of the def/class in ``source``.

    The docstring keeps its own spelling (quotes, prefix, escapes, tabs); when that cannot
    be done safely (e.g. implicitly concatenated strings), it is written with ``repr``.
    Raises ValueError when the body starts on the ``def`` line itself (no room for a docstring).
    """
    tree = ast.parse(source)
    node = tree.body[0]
    lines = source.split("\n")
    first = node.body[0]
    if first.lineno == node.lineno:
        raise ValueError("body on the header line")
    old = _docstring_value(source)
    start, end = first.lineno - 1, first.end_lineno - 1
    begin = _column(lines[start], first.col_offset)
    indent = lines[start][:begin]  # the body's own indent: spaces or tabs
    if old is None:
        lines[start:start] = [indent + repr(where)]
        return "\n".join(lines)
    wanted = f"{old.rstrip()}\n\n{indent}{where}\n{indent}"
    finish = _column(lines[end], first.end_col_offset)
    if start == end:
        literal = lines[start][begin:finish]
    else:
        literal = "\n".join([lines[start][begin:]] + lines[start + 1 : end] + [lines[end][:finish]])
    rest = lines[end][finish:]
    candidates = []
    prefix = re.match(r"[rRuU]*", literal).group(0)
    body = literal[len(prefix):]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    if quote and body.endswith(quote) and len(body) >= 2 * len(quote):
        inner = body[len(quote) : len(body) - len(quote)]
        triple = quote[0] * 3  # a one-quote string holds no unescaped quote of its kind, so tripling is safe
        text = where if "r" in prefix.lower() else where.replace("\\", "\\\\")
        candidates.append(f"{prefix}{triple}{inner.rstrip()}\n\n{indent}{text}\n{indent}{triple}")
    candidates.append(repr(wanted))
    for literal_text in candidates:
        new_lines = lines[:start] + (lines[start][:begin] + literal_text + rest).split("\n") + lines[end + 1 :]
        new_source = "\n".join(new_lines)
        try:
            if _docstring_value(new_source) == wanted:
                return new_source
        except SyntaxError:
            continue
    raise ValueError("docstring")  # pragma: no cover - repr always round-trips


def _ipython_lines(original: list[str], code: list[str], first: int, last: int) -> int | None:
    """The first line in first..last that IPython's transformer changed, if any."""
    for number in range(first, last + 1):
        if original[number - 1] != code[number - 1]:
            return number
    return None


def blocks_in_notebook(path: Path) -> list[Block]:
    """Every block marked ``# @save`` in one notebook, in cell order."""
    name = notebook_name(path)
    notebook = read_notebook(path)
    blocks: list[Block] = []
    section = ""
    for index, cell in enumerate(notebook["cells"], start=1):
        if not isinstance(cell, dict):
            raise ExtractError(f"{name}, cell {index}: not a cell object")
        try:
            source = cell_source(cell)
        except TypeError:
            raise ExtractError(f"{name}, cell {index}: its source is not text (a string, or a list of strings)") from None
        if cell.get("cell_type") == "markdown":
            headings = markdown_headings(source)
            if headings:
                section = headings[-1][1]
            continue
        if cell.get("cell_type") != "code" or not _mentions_save(source):
            continue
        where = f"{name}, cell {index}"
        try:
            code = _parsable(source, where)
            tree = ast.parse(code)
            markers = _markers(code, where)
        except (SyntaxError, tokenize.TokenError) as error:
            line = getattr(error, "lineno", None) or (error.args[1][0] if len(error.args) > 1 else "?")
            message = getattr(error, "msg", None) or error.args[0]
            hint = f" ({_IPYTHON_MISSING})" if _TransformerManager is None else ""
            raise ExtractError(f"{where}: syntax error in a cell with # @save (line {line}): {message}{hint}") from None
        if not markers:
            continue
        lines = source.split("\n")  # saved text comes from the cell itself, not from the transformed code
        code_lines = code.split("\n")
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
            changed = _ipython_lines(lines, code_lines, first, node.end_lineno)
            if changed is not None:
                raise ExtractError(
                    f"{where}: line {changed}: IPython syntax (a magic, ! or ?) in the block marked # @save; "
                    "a Python module cannot run it, so move it out of the saved block"
                )
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
            try:
                compile(text + "\n", where, "exec")
            except SyntaxError as error:  # pragma: no cover - every block parsed in its cell already
                raise ExtractError(f"{where}: line {first}: the saved block does not compile: {error.msg}") from None
    return blocks


def notebook_paths(notebooks: Path) -> list[Path]:
    """The notebooks of a folder, by file name: every ``*.ipynb`` file that is not hidden.

    A folder that cannot be listed is an error (never taken for an empty one), and so is a
    ``*.ipynb`` link that leads nowhere (its helpers would vanish silently). Folders, FIFOs and
    the like named ``*.ipynb`` are not notebooks, nor are hidden files (``.name.ipynb``).
    """
    if not notebooks.is_dir():
        raise ExtractError(
            f"no notebooks folder at {_relative(notebooks)}: run this from a source checkout "
            "(pip install -e .) or pass --notebooks DIR"
        )
    try:
        names = sorted(entry.name for entry in os.scandir(notebooks))
    except OSError as error:
        raise ExtractError(f"cannot list the notebooks folder {_relative(notebooks)}: "
                           f"{error.strerror or error}") from None
    paths = []
    for name in names:
        if not name.endswith(".ipynb") or name.startswith("."):
            continue
        path = notebooks / name
        if path.is_symlink() and not path.exists():
            raise ExtractError(f"{_relative(notebooks)}/{name} is a symbolic link to {os.readlink(path)}, which does not "
                               "exist (or is a loop); fix or remove the link")
        if path.is_file():
            paths.append(path)
    return paths


def reserved_names() -> dict[str, str]:
    """The names a saved helper cannot have, each with the reason (N01-N04, D11 of issue 18).

    ``d2l.NAME`` looks in the package first: its submodules (``handout``, ``saved``, ...), its
    own functions (``lecture_mode``, ``short_tracebacks``) and everything else its
    ``__init__`` defines hide a helper of that name, and ``from d2lhelpers import *`` would
    bind the submodule. ``__all__`` and the like are set in the generated module itself.
    """
    import pkgutil

    reserved = {name: "a name Python or save sets in the generated module itself" for name in MODULE_NAMES}
    for module in pkgutil.iter_modules([str(PACKAGE_DIR)]):
        reserved[module.name] = f"the submodule d2lhelpers.{module.name}"
    package = sys.modules.get(__package__)
    for name, value in vars(package).items() if package else ():
        if not (name.startswith("__") and name.endswith("__")):
            kind = "a module" if isinstance(value, types.ModuleType) else "a name"
            reserved.setdefault(name, f"{kind} the package d2lhelpers itself defines")
    return reserved


def _imported_module(node: ast.stmt, name: str) -> str | None:
    """The full name of the module (or object) an import statement binds to ``name``."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.asname == name:
                return alias.name
            if alias.asname is None and alias.name.split(".")[0] == name:
                return name
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: the generated module is d2lhelpers.saved
            base = f"{__package__}.{base}" if base else __package__
        for alias in node.names:
            if (alias.asname or alias.name) == name:
                return f"{base}.{alias.name}"
    return None


def _reserved_reason(block: "Block", name: str, reserved: dict[str, str]) -> str | None:
    """Why ``name`` cannot be saved, or None.

    An import that binds the very module the package already has under that name is fine:
    ``from d2lhelpers import lecture``, or ``import warnings`` where ``__init__`` imports warnings.
    """
    reason = reserved.get(name)
    if reason is None or block.kind != "import":
        return reason
    package = sys.modules.get(__package__)
    value = getattr(package, name, None) if package else None
    if reason.startswith("the submodule"):
        expected = f"{__package__}.{name}"
    elif isinstance(value, types.ModuleType):
        expected = value.__name__
    else:
        return reason
    return None if _imported_module(ast.parse(block.source).body[0], name) == expected else reason


def collect(notebooks: Path) -> list[Block]:
    """All saved blocks of all notebooks, checking that no name is saved twice."""
    blocks: list[Block] = []
    owner: dict[str, Block] = {}
    seen_imports: set[str] = set()
    paths = notebook_paths(notebooks)
    if not paths:
        raise ExtractError(f"no notebooks in {_relative(notebooks)}; pass --notebooks DIR, the folder of the notebooks")
    reserved = reserved_names()
    for path in paths:
        for block in blocks_in_notebook(path):
            if block.kind == "import" and block.key in seen_imports:
                continue  # the same import saved again by a later notebook
            for name in block.names:
                reason = _reserved_reason(block, name, reserved)
                if reason:
                    raise ExtractError(
                        f"{block.notebook}, cell {block.cell}: '{name}' cannot be saved: it is {reason}, so "
                        f"d2l.{name} would not reach the helper; give it another name"
                    )
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


HEADER = '''"""Helpers saved from the notebooks in notebooks/en/ by their ``# @save`` marks.

GENERATED FILE, DO NOT EDIT: the notebooks are the source of truth. Change the
cell marked ``# @save`` in the notebook named in the docstring, run it, then run
``python -m d2lhelpers save``. ``python -m d2lhelpers save --check`` (part of the
test suite) fails while this file and the notebooks disagree.
"""
'''


CHECKSUM_PREFIX = "# d2lhelpers-save sha256="


def _digest(unsigned: str) -> str:
    return hashlib.sha256(unsigned.encode("utf-8")).hexdigest()


def render(blocks: list[Block]) -> str:
    """The text of the generated module.

    Its checksum line holds the sha256 of the whole file with the checksum itself left
    out, so an edit anywhere (header, imports, body) shows.
    """
    imports = [b.source for b in blocks if b.kind == "import"]
    definitions = [b for b in blocks if b.kind == "definition"]
    exported = [name for b in definitions for name in b.names if not name.startswith("_")]
    parts = ["\n".join(imports)] if imports else []
    parts.append("__all__ = [\n" + "".join(f"    {name!r},\n" for name in exported) + "]")
    parts.extend(b.source for b in definitions)
    body = "\n\n\n".join(parts) + "\n"
    head = f"{HEADER}{CHECKSUM_PREFIX}"
    tail = f"\n\n{body}"
    return f"{head}{_digest(head + tail)}{tail}"


def hand_edited(text: str) -> bool:
    """True when a generated file no longer matches the checksum it was written with."""
    match = CHECKSUM.search(text)
    if not match:
        return True
    unsigned = text[: match.start(1)] + text[match.end(1) :]
    return _digest(unsigned) != match.group(1)


GENERATED_NAME = "<the module generated by d2lhelpers save>"


def _block_at(text: str, blocks: list[Block], line: int | None) -> Block | None:
    """The saved block that the generated module's line belongs to."""
    if line is None:
        return None
    for node in ast.parse(text).body:
        if _first_line(node) <= line <= node.end_lineno:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                key = ast.dump(node)
                return next((b for b in blocks if b.key == key), None)
            names = getattr(node, "name", None)
            return next((b for b in blocks if b.kind == "definition" and names in b.names), None)
    return None


class _ProcessExit(BaseException):
    """What ``os._exit`` raises while the import check runs, instead of ending save."""


def import_check(text: str, blocks: list[Block], without: tuple[str, ...] = ()) -> None:
    """Run the generated module as Python imports it; a failure names the notebook cell it comes from.

    Catches what parsing cannot: a decorator, base class or default value that needs a
    name defined only in a cell that is not saved. Whatever the module raises, ``SystemExit``
    and ``KeyboardInterrupt`` included, is an error, and ``os._exit`` cannot end save quietly
    either. A module it imports that this Python does not have is an error too, unless it is
    one of ``without`` (``--without MODULE``: this Python lacks it on purpose), then a warning.
    """
    module_name = "d2lhelpers._save_import_check"
    module = types.ModuleType(module_name)
    module.__file__ = GENERATED_NAME
    sys.modules[module_name] = module  # dataclasses and the like look their module up

    def process_exit(status=0):
        raise _ProcessExit(f"os._exit({status!r})")

    real_exit, os._exit = os._exit, process_exit
    try:
        exec(compile(text, GENERATED_NAME, "exec"), module.__dict__)
    except ModuleNotFoundError as error:
        top = (error.name or "").partition(".")[0]
        if error.name is None or importlib.util.find_spec(top) is not None:
            raise ExtractError(_import_failure(text, blocks, error)) from None
        if top not in without:
            raise ExtractError(_missing_module(text, blocks, error, top)) from None
        # this Python lacks a library the helpers import, and was told so (a bare pre-commit or
        # system python without torch); the text was still compared
        warnings.warn(MarkerWarning(
            f"cannot import the generated module to check it: {error.name!r} is not installed in this Python "
            f"({sys.executable}); checked as text only (--without {top})"), stacklevel=2)
    except BaseException as error:  # SystemExit, KeyboardInterrupt, os._exit: never a silent end of save
        raise ExtractError(_import_failure(text, blocks, error)) from None
    finally:
        os._exit = real_exit
        sys.modules.pop(module_name, None)


def _installed_module_names() -> set[str]:
    """Top-level modules this Python can import: the standard library's, the installed distributions'
    and whatever else lies on sys.path.

    Python 3.10's ``packages_distributions`` reads only ``top_level.txt``, which wheels built
    with meson (numpy 2) do not have; the scan of sys.path finds those too.
    """
    import importlib.metadata
    import pkgutil

    names = set(getattr(sys, "stdlib_module_names", ())) | set(sys.builtin_module_names)
    try:
        names |= set(importlib.metadata.packages_distributions())
    except Exception:  # pragma: no cover - a broken distribution's metadata: no suggestion then
        pass
    names |= {module.name for module in pkgutil.iter_modules()}
    return names


def _missing_module(text: str, blocks: list[Block], error: ModuleNotFoundError, top: str) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == GENERATED_NAME]
    block = _block_at(text, blocks, frames[0].lineno if frames else None)
    where = f"{block.notebook}, cell {block.cell}" if block else "the generated module"
    close = difflib.get_close_matches(top, sorted(_installed_module_names()), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return (f"{where}: the saved import of {error.name!r} names no module this Python has{hint} "
            f"({sys.executable}); fix the import, or, if this Python lacks {top!r} on purpose, "
            f"pass --without {top} to check the module as text only")


def _import_failure(text: str, blocks: list[Block], error: Exception) -> str:
    """What failed when the generated module was imported, naming the notebook cell it comes from."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == GENERATED_NAME]
    line = frames[0].lineno if frames else None
    block = _block_at(text, blocks, line)
    where = f"{block.notebook}, cell {block.cell}" if block else "the generated module"
    what = f" ('{block.names[0]}')" if block and block.kind == "definition" else ""
    if isinstance(error, (SystemExit, _ProcessExit, KeyboardInterrupt, GeneratorExit)):
        return (f"{where}{what}: the generated module ends the process when imported "
                f"({type(error).__name__}: {error}); a saved block must not exit or wait for Ctrl-C at import time")
    return (f"{where}{what}: the generated module fails when imported: {type(error).__name__}: {error}; "
            "save what it needs too (an import or def marked # @save), or define it inside the saved block")


def build(notebooks: Path = DEFAULT_NOTEBOOKS, without: tuple[str, ...] = ()) -> tuple[str, list[Block]]:
    """The generated module's text and its blocks; it is compiled and imported to be sure it works.

    ``without``: modules this Python lacks on purpose (``--without``); see ``import_check``.
    """
    blocks = collect(notebooks)
    text = render(blocks)
    try:
        compile(text, GENERATED_NAME, "exec")
    except SyntaxError as error:  # pragma: no cover - every block compiled on its own already
        raise ExtractError(f"the generated module does not compile (line {error.lineno}): {error.msg}") from None
    import_check(text, blocks, tuple(without))
    return text, blocks


def _os_error(action: str, path: Path, error: OSError) -> ExtractError:
    reason = error.strerror or str(error)
    return ExtractError(f"cannot {action} {_relative(path)}: {reason}")


def _read_output(output: Path) -> str | None:
    """The current generated module, None when there is none; one clear error for everything else.

    Reading a device or a FIFO could hang or never end: only a regular file is read.
    """
    if output.is_dir():
        raise ExtractError(f"{_relative(output)} is a folder; --output names the module file, e.g. saved.py")
    if output.exists() and not output.is_file():
        try:
            check_target(output, links="follow")
        except WriteError as error:
            raise ExtractError(f"{error}; --output names the generated module") from None
    if not output.exists():
        if not output.parent.is_dir():
            raise ExtractError(f"cannot write {_relative(output)}: its folder {_relative(output.parent)} does not exist")
        return None
    try:
        return output.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return ""  # not what save writes: treated as edited by hand
    except OSError as error:
        raise _os_error("read", output, error) from None


def save(notebooks: Path = DEFAULT_NOTEBOOKS, output: Path = DEFAULT_OUTPUT, force: bool = False,
         without: tuple[str, ...] = ()) -> str:
    """Regenerate ``output``; refuse to overwrite hand edits unless ``force``. Returns a report.

    Never, even with ``force``: over a notebook it reads, a symbolic link, or anything that is
    not a regular file (a device such as /dev/null, a FIFO, a folder).
    """
    sources = notebook_paths(notebooks)
    try:
        check_target(output, inputs=sources, links="refuse")
    except WriteError as error:
        raise ExtractError(f"{error}; --output names the generated module, e.g. d2lhelpers/saved.py") from None
    text, blocks = build(notebooks, without)
    current = _read_output(output)
    name = _relative(output)
    if current is not None:
        if current == text:
            return f"{name} is up to date ({_summary(blocks)})"
        if hand_edited(current) and not force:
            raise ExtractError(
                f"{name} was edited by hand since it was generated (its checksum does not match); "
                "move the edits into the notebook cell marked # @save, or pass --force to overwrite them"
            )
        if not os.stat(output).st_mode & stat.S_IWUSR:
            raise ExtractError(f"{name} is read-only, so save leaves it alone; make it writable "
                               f"(chmod u+w {name}) and run save again")
    try:
        write_atomically(output, text, inputs=sources, links="refuse")
    except WriteError as error:
        raise ExtractError(str(error)) from None
    return f"wrote {name} ({_summary(blocks)})"


def _summary(blocks: list[Block]) -> str:
    definitions = [name for b in blocks if b.kind == "definition" for name in b.names]
    notebooks = {b.notebook for b in blocks}
    return f"{len(definitions)} helpers from {len(notebooks)} notebooks"


def _top_level_sources(text: str) -> dict[str, str]:
    """Each top-level def and class with its decorators, by name."""
    tree = ast.parse(text)
    lines = text.split("\n")
    sources = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            sources[node.name] = "\n".join(lines[_first_line(node) - 1 : node.end_lineno])
    return sources


def check(notebooks: Path = DEFAULT_NOTEBOOKS, output: Path = DEFAULT_OUTPUT,
          without: tuple[str, ...] = ()) -> list[str]:
    """What differs between the notebooks and the generated module; empty when they agree."""
    text, blocks = build(notebooks, without)
    where = _relative(output)
    current = _read_output(output)
    if current is None:
        return [f"{where} does not exist; run: python -m d2lhelpers save"]
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
