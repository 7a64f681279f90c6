"""The public schema as SDL, written to `schema.graphql` at the repository's root.

The file is the contract clients build against: the web app's generated types, the schema linter and the
breaking-change check all read it, and tests/unit/functions/test_schema_file.py fails while it differs from
what the code serves.

    .venv/bin/python -m functions.graphql.sdl           # rewrite schema.graphql
    .venv/bin/python -m functions.graphql.sdl --check   # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from strawberry.printer import print_schema

from functions.graphql.schema import build_schema
from shared.config import Settings

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
COMMAND = ".venv/bin/python -m functions.graphql.sdl"


def printed_schema() -> str:
    """The schema every environment serves (their guards differ, never their types), as SDL."""
    return print_schema(build_schema(Settings(environment="local"))) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m functions.graphql.sdl", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if schema.graphql is stale")
    options = parser.parse_args(argv)
    printed = printed_schema()
    if options.check:
        current = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
        if current != printed:
            print(f"{SCHEMA_FILE.name} is stale: run {COMMAND}", file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.write_text(printed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
