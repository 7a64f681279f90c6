"""`kiroku saga ORDER_ID` (one saga's timeline, from its own stream) and `kiroku sagas` (a list by status,
or the stuck ones, with counts by status and cancel reason)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer

from kiroku_cli.acting import acting
from kiroku_cli.output import PROBLEM, JsonOption, console, emit_json, moment, table
from shared.application.operations import (
    SAGA_STATUSES,
    STUCK_GRACE,
    SagaSummary,
    list_sagas,
    saga_stats,
    saga_timeline,
)


def saga_command(
    ctx: typer.Context,
    order_id: Annotated[str, typer.Argument(help="The order whose fulfilment saga to show.")],
    json_output: JsonOption = False,
) -> None:
    """A saga's timeline, from its stream in the event store; exits 1 when the order has none.

    Each step: what the saga learnt, which commands it sent (with their ids), what caused it, deadlines.
    """
    with acting(ctx) as target:
        timeline = saga_timeline(target.storage.events, order_id)
    if json_output:
        emit_json({"order_id": order_id, "timeline": timeline})
    else:
        rows = [
            [
                entry.version,
                _clock(entry.at),
                entry.event,
                entry.step,
                entry.learnt
                or ("sent " + ", ".join(sent.split()[0] for sent in entry.sent) if entry.sent else ""),
                entry.caused_by or f"event {entry.causation_id[:8]}…",
                _clock(entry.deadline),
            ]
            for entry in timeline
        ]
        columns = ["v", "at", "event", "step", "learnt / sent", "caused by", "deadline"]
        title = f"saga of order {order_id}" + (f", {timeline[0].at:%Y-%m-%d} (UTC)" if timeline else "")
        console().print(table(title, columns, rows))
    if not timeline:
        raise typer.Exit(PROBLEM)


def sagas_command(
    ctx: typer.Context,
    status: Annotated[
        str | None, typer.Option(help=f"Only sagas with this status: {', '.join(SAGA_STATUSES)}.")
    ] = None,
    stuck: Annotated[
        bool,
        typer.Option(help="Only open sagas whose deadline passed longer ago than --grace (longest first)."),
    ] = False,
    grace: Annotated[
        float, typer.Option(min=0, help="Seconds past its deadline before an open saga counts as stuck.")
    ] = STUCK_GRACE.total_seconds(),
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many sagas in the list.")] = 50,
    json_output: JsonOption = False,
) -> None:
    """Sagas by status, or the stuck ones, and counts by status and cancel reason; exits 1 if any is stuck.

    A saga is stuck when it is open and its deadline passed longer ago than --grace: the deadline sweep
    should have moved it on by then.
    """
    now = datetime.now(UTC)
    allowed = timedelta(seconds=grace)
    with acting(ctx) as target:
        reads = target.storage.read_models
        page = list_sagas(reads, status=status, stuck=stuck, limit=limit, now=now, grace=allowed)
        stats = saga_stats(reads, now, allowed)
    sagas = [SagaSummary.of(record) for record in page.records]
    if json_output:
        emit_json(
            {
                "sagas": [_answer(saga, now) for saga in sagas],
                "more": page.next_cursor is not None,
                "stats": stats,
            }
        )
    else:
        out = console()
        rows = [
            [
                saga.order_id,
                saga.status,
                saga.step,
                saga.failure,
                moment(saga.deadline),
                _age(saga.overdue(now)),
                moment(saga.updated_at),
            ]
            for saga in sagas
        ]
        more = " (more: raise --limit)" if page.next_cursor is not None else ""
        title = f"{len(sagas)} {'stuck ' if stuck else ''}saga(s){more}"
        out.print(
            table(title, ["order", "status", "step", "failure", "deadline", "overdue", "last change"], rows)
        )
        counts = [[name, count] for name, count in stats.by_status.items()]
        counts += [["stuck", stats.stuck], ["total", stats.total]]
        out.print(table("by status", ["status", "sagas"], counts))
        if stats.by_cancel_reason:
            reasons = [[reason, count] for reason, count in stats.by_cancel_reason.items()]
            out.print(table("cancelled, by reason", ["reason", "sagas"], reasons))
    if stats.stuck:
        raise typer.Exit(PROBLEM)


def _answer(saga: SagaSummary, now: datetime) -> dict[str, Any]:
    overdue = saga.overdue(now)
    return {
        "order_id": saga.order_id,
        "status": saga.status,
        "step": saga.step,
        "failure": saga.failure,
        "deadline": saga.deadline,
        "overdue_seconds": overdue,
        "version": saga.version,
        "started_at": saga.started_at,
        "updated_at": saga.updated_at,
    }


def _clock(at: datetime | None) -> str:
    return f"{at.astimezone(UTC):%H:%M:%S}" if at is not None else ""


def _age(overdue: timedelta | None) -> str:
    return "" if overdue is None else f"{overdue.total_seconds():,.0f} s"
