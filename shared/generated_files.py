"""Files the repository keeps generated from its own code (schema.graphql, the trusted documents' manifest,
shared/eventstore/schema.sql): one command writes each, and with `--check` it fails while the committed
file differs, as `make test` and the tests run it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def write_or_check(
    argv: Sequence[str] | None,
    *,
    prog: str,
    description: str | None,
    path: Path,
    build: Callable[[], str],
    failures: tuple[type[Exception], ...] = (),
) -> int:
    """`prog [--check]`: write `path` from `build()`, or exit 1 when it differs (2 when `build` fails with
    one of `failures`)."""
    parser = argparse.ArgumentParser(prog=f"python -m {prog}", description=description)
    parser.add_argument("--check", action="store_true", help=f"exit 1 if {path.name} is stale")
    options = parser.parse_args(argv)
    try:
        text = build()
    except failures as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    current = path.read_text() if path.exists() else None
    if options.check:
        if current != text:
            print(f"{path.name} is stale: run .venv/bin/python -m {prog}", file=sys.stderr)
            return 1
        return 0
    if current != text:
        path.write_text(text)
        print(f"wrote {path}")
    return 0
