"""The public schema as SDL, written to `schema.graphql` at the repository's root.

The file is the contract clients build against: the web app's generated types, the schema linter and the
breaking-change check all read it, and tests/unit/functions/test_schema_file.py fails while it differs from
what the code serves.

    .venv/bin/python -m functions.graphql.sdl           # rewrite schema.graphql
    .venv/bin/python -m functions.graphql.sdl --check   # exit 1 if it is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from strawberry.printer import print_schema

from functions.graphql.schema import build_schema
from shared.config import Settings
from shared.generated_files import write_or_check

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"
COMMAND = ".venv/bin/python -m functions.graphql.sdl"


def printed_schema() -> str:
    """The schema every environment serves (their guards differ, never their types), as SDL."""
    return print_schema(build_schema(Settings(environment="local"))) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check(
        argv, prog="functions.graphql.sdl", description=__doc__, path=SCHEMA_FILE, build=printed_schema
    )


if __name__ == "__main__":
    sys.exit(main())
