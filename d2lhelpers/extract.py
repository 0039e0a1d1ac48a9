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
anywhere in it; it writes through a hidden temporary file and a rename, keeping
the file's mode, and every OS error is one line (exit 2, drift is exit 1).
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
import tempfile
import tokenize
import traceback
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_NOTEBOOKS = PACKAGE_DIR.parent / "notebooks" / "en"  # the English edition: the source of every saved helper
DEFAULT_OUTPUT = PACKAGE_DIR / "saved.py"

MARKER = re.compile(r"#\s*@save\s*$")
NEAR_MISS = re.compile(r"#[#\s]*@\s*save", re.IGNORECASE)  # '# @SAVE', '## @save', '# @save this'
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
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise ExtractError(f"{name}: not a Jupyter notebook (no list of 'cells' at the top level)")
    if notebook.get("nbformat") != 4:
        raise ExtractError(f"{name}: nbformat {notebook.get('nbformat')!r} is not supported; save it as nbformat 4")
    return notebook


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
        source = cell_source(cell)
        if cell.get("cell_type") == "markdown":
            for line in source.split("\n"):
                heading = re.match(r"#{1,6}\s+(.+?)\s*#*\s*$", line)
                if heading:
                    section = heading.group(1)
            continue
        if cell.get("cell_type") != "code" or not NEAR_MISS.search(source):
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


def import_check(text: str, blocks: list[Block]) -> None:
    """Run the generated module as Python imports it; a failure names the notebook cell it comes from.

    Catches what parsing cannot: a decorator, base class or default value that needs a
    name defined only in a cell that is not saved.
    """
    module_name = "d2lhelpers._save_import_check"
    module = types.ModuleType(module_name)
    module.__file__ = GENERATED_NAME
    sys.modules[module_name] = module  # dataclasses and the like look their module up
    try:
        exec(compile(text, GENERATED_NAME, "exec"), module.__dict__)
    except ModuleNotFoundError as error:
        if error.name is None or importlib.util.find_spec(error.name.partition(".")[0]) is not None:
            raise ExtractError(_import_failure(text, blocks, error)) from None
        # not a notebook's fault: this Python lacks a library the helpers import (a bare
        # pre-commit or system python without torch); the text was still compared
        warnings.warn(MarkerWarning(
            f"cannot import the generated module to check it: {error.name!r} is not installed in this Python "
            f"({sys.executable}); checked as text only"), stacklevel=2)
    except Exception as error:
        raise ExtractError(_import_failure(text, blocks, error)) from None
    finally:
        sys.modules.pop(module_name, None)


def _import_failure(text: str, blocks: list[Block], error: Exception) -> str:
    """What failed when the generated module was imported, naming the notebook cell it comes from."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == GENERATED_NAME]
    line = frames[0].lineno if frames else None
    block = _block_at(text, blocks, line)
    where = f"{block.notebook}, cell {block.cell}" if block else "the generated module"
    what = f" ('{block.names[0]}')" if block and block.kind == "definition" else ""
    return (f"{where}{what}: the generated module fails when imported: {type(error).__name__}: {error}; "
            "save what it needs too (an import or def marked # @save), or define it inside the saved block")


def build(notebooks: Path = DEFAULT_NOTEBOOKS) -> tuple[str, list[Block]]:
    """The generated module's text and its blocks; it is compiled and imported to be sure it works."""
    blocks = collect(notebooks)
    text = render(blocks)
    try:
        compile(text, GENERATED_NAME, "exec")
    except SyntaxError as error:  # pragma: no cover - every block compiled on its own already
        raise ExtractError(f"the generated module does not compile (line {error.lineno}): {error.msg}") from None
    import_check(text, blocks)
    return text, blocks


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _os_error(action: str, path: Path, error: OSError) -> ExtractError:
    reason = error.strerror or str(error)
    return ExtractError(f"cannot {action} {_relative(path)}: {reason}")


def write_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """Write via a temporary file in the same folder and a rename: never half-written.

    The temporary file has a random name made with O_EXCL (``tempfile.mkstemp``), so it
    never follows a link planted in the folder, and it is removed if anything fails.
    The file keeps ``mode`` (default: its current mode, or the umask's for a new file).
    Any OS error becomes one ExtractError naming the file.
    """
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = _new_file_mode()
        except OSError as error:
            raise _os_error("write", path, error) from None
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise _os_error("write into", path.parent, error) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException as error:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        if isinstance(error, OSError):
            raise _os_error("write", path, error) from None
        raise


def _read_output(output: Path) -> str | None:
    """The current generated module, None when there is none; one clear error for everything else."""
    if output.is_dir():
        raise ExtractError(f"{_relative(output)} is a folder; --output names the module file, e.g. saved.py")
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


def save(notebooks: Path = DEFAULT_NOTEBOOKS, output: Path = DEFAULT_OUTPUT, force: bool = False) -> str:
    """Regenerate ``output``; refuse to overwrite hand edits unless ``force``. Returns a report."""
    text, blocks = build(notebooks)
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
    write_atomically(output, text)
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


def check(notebooks: Path = DEFAULT_NOTEBOOKS, output: Path = DEFAULT_OUTPUT) -> list[str]:
    """What differs between the notebooks and the generated module; empty when they agree."""
    text, blocks = build(notebooks)
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
