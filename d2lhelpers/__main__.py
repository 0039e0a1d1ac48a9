"""Maintainer commands of the d2lhelpers package.

  python -m d2lhelpers save [--check]    copy the blocks marked '# @save' in the notebooks
                                         into d2lhelpers/saved.py (--check: compare only)
  python -m d2lhelpers handout OUT_DIR   write the notebooks without their worked solutions
  python -m d2lhelpers decks OUT_DIR     write every notebook's lecture deck as reveal.js HTML

Exit codes: 0 done, 1 --check found a difference, 2 an error (named in one line).
Every file is written atomically (d2lhelpers/atomic.py): an error leaves the old file whole.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from . import extract
from .atomic import WriteError


def _print_warnings(caught: list, command: str) -> None:
    for warning in caught:
        if issubclass(warning.category, extract.MarkerWarning):
            print(f"d2lhelpers {command}: warning: {warning.message}", file=sys.stderr)
        else:  # pragma: no cover - anything else, as Python would show it
            print(warnings.formatwarning(warning.message, warning.category, warning.filename, warning.lineno),
                  end="", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m d2lhelpers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    save = commands.add_parser(
        "save",
        help="write the blocks marked '# @save' in the notebooks into d2lhelpers/saved.py",
        description="Extract every top-level def, class and import marked '# @save' in the notebooks, "
        "in notebook order, into the generated module d2lhelpers/saved.py, then import it to be sure it works. "
        "Exit 1 when --check finds a difference, 2 on an error.",
    )
    save.add_argument("--check", action="store_true", help="write nothing; exit 1 if the module and notebooks disagree")
    save.add_argument("--force", action="store_true", help="overwrite the module even if it was edited by hand")
    save.add_argument("--notebooks", type=Path, default=extract.DEFAULT_NOTEBOOKS, help="folder of notebooks (default: %(default)s)")
    save.add_argument("--output", type=Path, default=extract.DEFAULT_OUTPUT, help="generated module (default: %(default)s)")
    save.add_argument("--without", action="append", default=[], metavar="MODULE",
                      help="this Python lacks MODULE on purpose (e.g. a pre-commit Python without torch): check the "
                      "generated module as text only instead of failing; repeat for several modules")
    handout = commands.add_parser(
        "handout",
        help="write the notebooks without their worked solutions into OUT_DIR",
        description="Write every notebook into OUT_DIR without the cells tagged 'solution' and with the "
        "exercise outputs cleared. Never writes into a folder that holds source notebooks, and never "
        "replaces a different file without --force.",
    )
    handout.add_argument("out_dir", metavar="OUT_DIR")
    handout.add_argument("--force", action="store_true", help="replace existing files in OUT_DIR that differ")
    handout.add_argument("--notebooks", type=Path, default=extract.DEFAULT_NOTEBOOKS, help="folder of notebooks (default: %(default)s)")
    decks = commands.add_parser(
        "decks",
        help="write every notebook's lecture deck as a reveal.js HTML file into OUT_DIR",
        description="Write OUT_DIR/NN-name.slides.html for every notebook: the jupyterlab-rise deck as a "
        "reveal.js page (speaker notes: press S). reveal.js and MathJax come from a CDN, or from --assets, "
        "a node_modules folder made with 'npm install reveal.js@5.2.1 mathjax@3.2.2', for a PC with no network.",
    )
    decks.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    decks.add_argument("--notebooks", type=Path, default=extract.DEFAULT_NOTEBOOKS,
                       help="folder of notebooks (default: %(default)s; notebooks/zh-CN for the Chinese decks)")
    decks.add_argument("--assets", type=Path, help="a node_modules folder holding reveal.js and mathjax (offline decks)")
    decks.add_argument("--force", action="store_true", help="replace existing decks in OUT_DIR that differ")
    args = parser.parse_args(argv)

    if args.command == "decks":
        from . import decks as deck_files

        try:
            written = deck_files.write_decks(args.out_dir, args.notebooks, args.assets, force=args.force)
        except extract.ExtractError as error:
            print(f"d2lhelpers decks: error: {error}", file=sys.stderr)
            return 2
        except OSError as error:
            print(f"d2lhelpers decks: error: {error.filename or args.out_dir}: {error.strerror or error}",
                  file=sys.stderr)
            return 2
        print(f"wrote {len(written)} decks to {args.out_dir} (open one in a browser; S shows the speaker notes)")
        return 0

    if args.command == "handout":
        from . import handout as handouts

        if not args.out_dir.strip():
            print("d2lhelpers handout: error: OUT_DIR is empty; name the folder to write the handouts into",
                  file=sys.stderr)
            return 2
        args.out_dir = Path(args.out_dir)
        try:
            written = handouts.write_handouts(args.out_dir, args.notebooks, force=args.force)
        except (extract.ExtractError, WriteError) as error:
            print(f"d2lhelpers handout: error: {error}", file=sys.stderr)
            return 2
        except OSError as error:
            print(f"d2lhelpers handout: error: {error.filename or args.out_dir}: {error.strerror or error}",
                  file=sys.stderr)
            return 2
        print(f"wrote {len(written)} files to {args.out_dir} (solutions removed, exercise outputs cleared)")
        return 0

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", extract.MarkerWarning)
        try:
            without = tuple(args.without)
            if args.check:
                problems = extract.check(args.notebooks, args.output, without)
            else:
                report = extract.save(args.notebooks, args.output, force=args.force, without=without)
        except (extract.ExtractError, WriteError) as error:
            _print_warnings(caught, "save")
            print(f"d2lhelpers save: error: {error}", file=sys.stderr)
            return 2
        except OSError as error:
            _print_warnings(caught, "save")
            print(f"d2lhelpers save: error: {error.filename or ''}: {error.strerror or error}", file=sys.stderr)
            return 2
    _print_warnings(caught, "save")
    if args.check:
        for problem in problems:
            print(f"d2lhelpers save --check: {problem}", file=sys.stderr)
        if problems:
            return 1
        print("d2lhelpers save --check: the package matches the notebooks")
        return 0
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
