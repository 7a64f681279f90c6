"""`kiroku outbox`: the events committed but not yet published, and how long the oldest has waited;
`kiroku outbox relay` publishes them now (what the scheduled `outbox-relay` function does)."""

from __future__ import annotations

from typing import Annotated

import typer

from kiroku_cli.acting import acting
from kiroku_cli.output import PROBLEM, JsonOption, answer, console, emit_json
from shared.application.operations import OUTBOX_STALE, outbox_status
from shared.application.relay import relay_outbox
from shared.bus.topics import EVENTS_TOPIC

app = typer.Typer(
    help="The outbox: events committed but not yet published.",
    no_args_is_help=False,
    invoke_without_command=True,
)


@app.callback()
def status(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Pending entries and the age of the oldest; exits 1 when it waited longer than a relay would let it."""
    if ctx.invoked_subcommand is not None:
        return
    with acting(ctx) as target:
        found = outbox_status(target.storage.events)
    if json_output:
        emit_json(found)
    else:
        count = f"{found.pending:,}{'+' if found.more else ''}"
        age = (
            f", the oldest {found.oldest_age.total_seconds():,.1f} s old"
            if found.oldest_age is not None
            else ""
        )
        console().print(f"{target.describe}: {count} pending{age}", highlight=False)
    if found.stale(OUTBOX_STALE):
        raise typer.Exit(PROBLEM)


@app.command()
def relay(
    ctx: typer.Context,
    budget: Annotated[float, typer.Option(min=1, help="Stop after this many seconds.")] = 60.0,
    json_output: JsonOption = False,
) -> None:
    """Publish every pending entry now, oldest first; exits 1 when old entries are still pending after it."""
    with acting(ctx) as target:
        published = relay_outbox(target.storage.events, target.publisher, EVENTS_TOPIC, budget_seconds=budget)
        left = outbox_status(target.storage.events)
    answer(
        json_output,
        {"published": published, "pending": left.pending},
        f"published {published:,} events; {left.pending:,} pending",
    )
    if left.stale(OUTBOX_STALE):
        raise typer.Exit(PROBLEM)
