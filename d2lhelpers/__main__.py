"""Command line: ``python -m d2lhelpers save [--check]`` and ``python -m d2lhelpers handout OUT_DIR``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import extract


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m d2lhelpers", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    save = commands.add_parser(
        "save",
        help="write the blocks marked '# @save' in the notebooks into d2lhelpers/saved.py",
        description="Extract every top-level def, class and import marked '# @save' in the notebooks, "
        "in notebook order, into the generated module d2lhelpers/saved.py.",
    )
    save.add_argument("--check", action="store_true", help="write nothing; exit 1 if the module and notebooks disagree")
    save.add_argument("--force", action="store_true", help="overwrite the module even if it was edited by hand")
    save.add_argument("--notebooks", type=Path, default=extract.DEFAULT_NOTEBOOKS, help="folder of notebooks (default: %(default)s)")
    save.add_argument("--output", type=Path, default=extract.DEFAULT_OUTPUT, help="generated module (default: %(default)s)")
    handout = commands.add_parser(
        "handout",
        help="write the notebooks without their worked solutions into OUT_DIR",
        description="Write every notebook into OUT_DIR without the cells tagged 'solution' and with the "
        "exercise outputs cleared. Never writes into the notebooks' own folder.",
    )
    handout.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    handout.add_argument("--force", action="store_true", help="replace existing files in OUT_DIR that differ")
    handout.add_argument("--notebooks", type=Path, default=extract.DEFAULT_NOTEBOOKS, help="folder of notebooks (default: %(default)s)")
    args = parser.parse_args(argv)

    if args.command == "handout":
        from . import handout as handouts

        try:
            written = handouts.write_handouts(args.out_dir, args.notebooks, force=args.force)
        except extract.ExtractError as error:
            print(f"d2lhelpers handout: error: {error}", file=sys.stderr)
            return 2
        print(f"wrote {len(written)} files to {args.out_dir} (solutions removed, exercise outputs cleared)")
        return 0

    try:
        if args.check:
            problems = extract.check(args.notebooks, args.output)
            for problem in problems:
                print(f"d2lhelpers save --check: {problem}", file=sys.stderr)
            if problems:
                return 1
            print("d2lhelpers save --check: the package matches the notebooks")
            return 0
        print(extract.save(args.notebooks, args.output, force=args.force))
        return 0
    except extract.ExtractError as error:
        print(f"d2lhelpers save: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
