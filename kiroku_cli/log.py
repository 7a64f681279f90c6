"""The event log: `kiroku integrity` (the store's check, naming every damaged row), `kiroku export` and
`kiroku import` (JSON lines, byte for byte: an export imported into an empty store exports the same
bytes), and the stream browser, `kiroku streams` and `kiroku events`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kiroku_cli.acting import acting
from kiroku_cli.output import PROBLEM, JsonOption, answer, console, emit_json, fail, moment, progress, table
from shared.application.aggregates import KINDS
from shared.application.operations import export_events, import_events, list_streams, read_events
from shared.eventstore.errors import ImportRefused
from shared.eventstore.integrity import check_integrity


def integrity_command(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Check the event store for damage; exits 1 on damage, naming each damaged stream.

    Every stream's versions continuous, PostgreSQL's global positions continuous, no outbox entry
    without its events, Firestore's stream heads at their last event.
    """
    with acting(ctx) as target:
        report = check_integrity(target.storage.events)
    if json_output:
        emit_json(
            {"ok": report.ok, "events": report.events, "streams": report.streams, "problems": report.problems}
        )
    else:
        out = console()
        out.print(
            f"{target.describe}: {report.events:,} events in {report.streams:,} streams checked",
            highlight=False,
        )
        if report.ok:
            out.print("[green]no damage found[/green]")
        else:
            rows = [[problem.kind, problem.stream_id, problem.detail] for problem in report.problems]
            out.print(table(f"{len(report.problems)} problem(s)", ["kind", "stream", "what"], rows))
    if not report.ok:
        raise typer.Exit(PROBLEM)


def export_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The file to write (JSON lines; `-` for stdout).")],
    json_output: JsonOption = False,
) -> None:
    """Export the event log as JSON lines, with a progress bar.

    One event per line, in its stored form: imported into an empty store and exported again, the same bytes.
    """
    with acting(ctx) as target:
        if str(file) == "-":
            export_events(target.storage.events, typer.get_text_stream("stdout"))
            return
        partial = file.with_name(file.name + ".partial")
        with (
            progress("exporting", quiet=json_output) as advance_to,
            partial.open("w", encoding="utf-8") as out,
        ):
            count = export_events(target.storage.events, out, advance_to)
        partial.replace(file)
    answer(json_output, {"file": str(file), "events": count}, f"exported {count:,} events to {file}")


def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A file `kiroku export` wrote.", exists=True, dir_okay=False)],
    json_output: JsonOption = False,
) -> None:
    """Import an export into an empty event store, all or nothing, with a progress bar.

    The events are not published again (they were, where they came from). Exits 1 when the store is not
    empty or a line is refused: nothing is then imported.
    """
    with file.open(encoding="utf-8") as lines:
        total = sum(1 for _ in lines)
    with acting(ctx) as target:
        try:
            with (
                progress("importing", total, quiet=json_output) as advance_to,
                file.open(encoding="utf-8") as lines,
            ):
                count = import_events(target.storage.events, lines, advance_to)
        except ImportRefused as refused:
            if json_output:
                emit_json({"file": str(file), "imported": 0, "refused": str(refused)})
            raise fail(f"nothing imported: {refused}", PROBLEM) from None
    answer(
        json_output,
        {"file": str(file), "imported": count},
        f"imported {count:,} events from {file} into the {target.describe}",
    )


def streams_command(
    ctx: typer.Context,
    aggregate_type: Annotated[
        str | None, typer.Option("--type", help=f"Only one aggregate type: {', '.join(sorted(KINDS))}.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """The event store's streams, with their versions and first and last events."""
    with acting(ctx) as target:
        streams = list_streams(target.storage.events, aggregate_type)
    if json_output:
        emit_json(streams)
        return
    rows = [
        [
            stream.stream_id,
            stream.version,
            moment(stream.first_at),
            moment(stream.last_at),
        ]
        for stream in streams
    ]
    console().print(
        table(f"{len(streams)} stream(s)", ["stream", "version", "first event", "last event"], rows)
    )


def events_command(
    ctx: typer.Context,
    stream: Annotated[
        str, typer.Argument(help="A stream id, as `kiroku streams` lists them (Product-tea-sencha).")
    ],
    from_version: Annotated[int, typer.Option("--from", min=1, help="The first version to show.")] = 1,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many events.")] = None,
    json_output: JsonOption = False,
) -> None:
    """A stream's events; exits 1 when it has none.

    Each with its version, type, time, actor, causation id and payload.
    """
    with acting(ctx) as target:
        events = read_events(target.storage.events, stream, from_version, limit)
    if json_output:
        emit_json([event.model_dump(mode="json") for event in events])
    else:
        rows = [
            [
                event.aggregate_version,
                event.type,
                moment(event.occurred_at),
                f"{event.actor.role}:{event.actor.uid}",
                event.causation_id,
                json.dumps(event.payload, sort_keys=True),
            ]
            for event in events
        ]
        columns = ["v", "type", "at", "actor", "caused by", "payload"]
        console().print(table(f"{stream}: {len(events)} event(s)", columns, rows))
    if not events:
        raise typer.Exit(PROBLEM)
