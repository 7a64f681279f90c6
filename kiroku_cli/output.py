"""How every command answers: a rich table (or text) on stdout, or JSON with `--json`; progress bars on
stderr, so stdout stays clean for scripts; and an exit code that says whether a problem was found."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from shared.application.operations import as_json

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts) instead of tables.")]
CorrelationIdArgument = Annotated[
    str, typer.Argument(help="The conversation's correlation id: the id of the command that started it.")
]

# Exit codes: a problem found (damage, a difference, dead letters, stuck sagas, a failed step) is 1; a
# target that cannot be reached or used, or a wrong argument, is 2.
PROBLEM = 1
UNUSABLE = 2


def console() -> Console:
    """Standard output, looked up at each use (a test runner swaps it)."""
    return Console(file=sys.stdout, soft_wrap=False)


def errors() -> Console:
    return Console(file=sys.stderr)


def emit_json(value: Any) -> None:
    print(json.dumps(as_json(value), indent=2, sort_keys=False))


def answer(json_output: bool, value: Any, line: str) -> None:
    """A command's one-line answer: `value` as JSON with `--json`, else `line` for a person."""
    if json_output:
        emit_json(value)
    else:
        console().print(line, highlight=False)


def moment(value: datetime | None) -> str:
    """A time in a table: UTC, to the second."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    shown = Table(title=title, title_justify="left")
    for column in columns:
        shown.add_column(column, overflow="fold")
    for row in rows:
        shown.add_row(*("" if cell is None else str(cell) for cell in row))
    return shown


def fail(message: str, code: int = UNUSABLE) -> typer.Exit:
    """Print why, and the exit to raise."""
    errors().print(f"[red]{message}[/red]", highlight=False)
    return typer.Exit(code)


@contextmanager
def progress(
    description: str, total: int | None = None, *, quiet: bool = False
) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr (a count and a pulse when the total is unknown); yields `advance_to(n)`,
    to call with the count done so far."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if total is not None else TextColumn("{task.completed:,.0f}"),
        TimeElapsedColumn(),
        console=errors(),
        disable=quiet,
    )
    done = 0
    with bar:
        task = bar.add_task(description, total=total)

        def advance_to(count: int) -> None:
            nonlocal done
            done = count
            if count % 250 == 0:
                bar.update(task, completed=count)

        yield advance_to
        bar.update(task, completed=done, total=done if total is None else total)
