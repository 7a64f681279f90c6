"""`kiroku audit CORRELATION_ID`: every command and event of one conversation the bus carried, from the
audit record (shared/bus/audit.py), in publish order: what was sent, by whom, caused by what.

Where `kiroku trace` shows which function handled what and how long it took, this shows what the bus
carried, including what no function took. A deployed environment's record is a BigQuery table: the
command prints the query to run there.
"""

from __future__ import annotations

import shlex

import typer
from rich.table import Table

from kiroku_cli.acting import acting
from kiroku_cli.output import PROBLEM, CorrelationIdArgument, JsonOption, console, emit_json, fail
from shared.bus.audit import AuditFile, bigquery_command, conversation


def audit_command(
    ctx: typer.Context,
    correlation_id: CorrelationIdArgument,
    json_output: JsonOption = False,
) -> None:
    """The messages of a conversation, as the bus carried them (local cloud); exits 1 when none names it.

    Each message: when Pub/Sub took it (ms after the first), its topic, kind and type, its aggregate, its
    id and the id of the message that caused it. A message sent again (a saga step re-sending its
    commands, with the same ids) shows each time. With --json, the same and Pub/Sub's message id.
    """
    with acting(ctx) as target:
        if target.log_dir is None:
            command = shlex.join(bigquery_command(target.project_id, correlation_id))
            raise fail(f"a deployed environment's audit record is in BigQuery; ask it with\n  {command}")
        found = conversation(AuditFile(target.log_dir).rows(), correlation_id)
    start = found[0][0].publish_time if found else None
    messages = [
        {
            "after_ms": round((row.publish_time - start).total_seconds() * 1000, 1) if start else 0.0,
            "topic": row.topic,
            "kind": envelope.kind,
            "type": envelope.type,
            "aggregate": f"{envelope.aggregate_type}/{envelope.aggregate_id}",
            "id": envelope.id,
            "message_id": row.message_id,
            "causation_id": envelope.causation_id,
            "actor": envelope.actor.uid,
        }
        for row, envelope in found
    ]
    if json_output:
        emit_json(messages)
    else:
        shown = Table(title=f"audit of {correlation_id}: {len(messages)} messages", title_justify="left")
        # On a narrow terminal the ids fold, not the times and types.
        for column in ("after ms", "topic", "type"):
            shown.add_column(column, no_wrap=True)
        for column in ("aggregate", "id", "caused by"):
            shown.add_column(column, overflow="fold")
        for message in messages:
            shown.add_row(
                f"{message['after_ms']:.1f}",
                str(message["topic"]),
                str(message["type"]),
                str(message["aggregate"]),
                str(message["id"]),
                str(message["causation_id"]),
            )
        console().print(shown)
    if not messages:
        raise typer.Exit(PROBLEM)
