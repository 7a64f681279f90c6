"""`kiroku rebuild` and `kiroku projections`: rebuild a read model from the event store (directly, or into
a shadow copy diffed against the live model and swapped in only when asked), and see how far each read
model lags behind the store."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.table import Table

from kiroku_cli.acting import acting
from kiroku_cli.output import PROBLEM, JsonOption, console, emit_json, fail, moment, progress, table
from shared.application.operations import (
    ProjectionDiff,
    ProjectionStatus,
    RebuildResult,
    projection_named,
    projection_status,
    rebuild,
    shadow_rebuild,
)
from shared.application.projections import PROJECTIONS

SHOWN_KEYS = 20


def rebuild_command(
    ctx: typer.Context,
    projection: Annotated[str, typer.Argument(help=f"The read model: {', '.join(sorted(PROJECTIONS))}.")],
    shadow: Annotated[
        bool,
        typer.Option(help="Rebuild into a copy (<model>_shadow) and print its diff against the live model."),
    ] = False,
    swap: Annotated[
        bool, typer.Option(help="With --shadow: then write the rebuilt records over the live model.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Rebuild a read model from the event store, with a progress bar.

    Without --shadow the live model is dropped and written again. With --shadow it is left alone: the
    rebuild goes to a copy, and the records the copy adds, removes or changes are listed; exits 1 when
    they differ, unless --swap then replaced the live model with the rebuild.
    """
    if swap and not shadow:
        raise fail("--swap replaces the live model with a shadow rebuild: give --shadow too")
    with acting(ctx) as target:
        chosen = projection_named(projection)
        storage = target.storage  # opened (and migrated) before the clock starts
        started = time.perf_counter()
        with progress(f"folding {chosen.model}", quiet=json_output) as advance_to:
            if shadow:
                result = shadow_rebuild(chosen, storage, advance_to, swap=swap)
            else:
                result = rebuild(chosen, storage, advance_to)
        seconds = time.perf_counter() - started
    answer = _answer(result, seconds)
    if json_output:
        emit_json(answer)
    else:
        _show(result, seconds)
    if result.diff is not None and not result.diff.identical and not result.swapped:
        raise typer.Exit(PROBLEM)


def _answer(result: RebuildResult, seconds: float) -> dict[str, Any]:
    return {
        "model": result.model,
        "written_to": result.written_to,
        "events": result.events,
        "records": result.records,
        "seconds": round(seconds, 3),
        "events_per_second": round(result.events / seconds) if seconds > 0 else None,
        "diff": _diff_answer(result.diff) if result.diff is not None else None,
        "swapped": result.swapped,
    }


def _diff_answer(diff: ProjectionDiff) -> dict[str, Any]:
    return {
        "identical": diff.identical,
        "added": diff.added,
        "removed": diff.removed,
        "changed": [
            {
                "key": change.key,
                "live_version": change.live_version,
                "rebuilt_version": change.rebuilt_version,
                "fields": change.fields,
            }
            for change in diff.changed
        ],
    }


def _show(result: RebuildResult, seconds: float) -> None:
    out = console()
    rate = f"{result.events / seconds:,.0f} events/s" if seconds > 0 else ""
    out.print(
        f"{result.model}: folded {result.events:,} events into {result.records:,} records in "
        f"{result.written_to} ({seconds:.2f} s, {rate})",
        highlight=False,
    )
    diff = result.diff
    if diff is None:
        return
    if diff.identical:
        out.print(f"the live model {result.model} equals its rebuild", highlight=False)
    else:
        rows: list[list[Any]] = [["added", key, "", ""] for key in diff.added[:SHOWN_KEYS]]
        rows += [["removed", key, "", ""] for key in diff.removed[:SHOWN_KEYS]]
        rows += [
            [
                "changed",
                change.key,
                f"{change.live_version} -> {change.rebuilt_version}",
                ", ".join(change.fields),
            ]
            for change in diff.changed[:SHOWN_KEYS]
        ]
        title = (
            f"{result.model}: live vs rebuild: {len(diff.added)} added, {len(diff.removed)} removed, "
            f"{len(diff.changed)} changed"
        )
        out.print(table(title, ["", "key", "version (live -> rebuilt)", "fields that differ"], rows))
    if result.swapped:
        out.print(f"swapped: {result.model} now holds the rebuild", highlight=False)
    elif not diff.identical:
        out.print(f"{result.model} left as it was: run again with --swap to replace it", highlight=False)


def projections_command(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """How far each read model lags behind the event store; exits 1 when one is behind."""
    with acting(ctx) as target:
        statuses = projection_status(target.storage.events, target.storage.read_models)
    if json_output:
        emit_json(statuses)
    else:
        console().print(projections_table(None, statuses))
    if any(status.behind for status in statuses):
        raise typer.Exit(PROBLEM)


def projections_table(title: str | None, statuses: Sequence[ProjectionStatus]) -> Table:
    """Each read model's size and lag behind the event store, a row each."""
    rows = [
        [
            s.model,
            f"{s.events:,}",
            f"{s.streams:,}",
            f"{s.records:,}",
            s.behind,
            s.lag,
            moment(s.last_event_at),
            s.last_applied_position,
            s.head_position,
        ]
        for s in statuses
    ]
    columns = ["model", "events", "streams", "records", "behind", "lag (events)", "last event"]
    return table(title, [*columns, "applied position", "log position"], rows)
