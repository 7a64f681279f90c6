"""Sends a command from a mutation: publish it, and (with `wait`) wait for its outcome.

A mutation builds the command's own pydantic model before anything is published (results.command_input),
so bad input is a BAD_USER_INPUT error that changes nothing; the command registry says which aggregate
the command addresses. A command id is bound to the command that first used it
(shared/application/outcomes.py): the same id again for the same command answers the first outcome (or
sends it again while it has none), for anything else (another type, aggregate or sender) it is a
CONFLICT that sends nothing and says nothing of the other command. With `wait: true` the mutation polls
the command's outcome, then, when accepted, the read model until it shows that version: the caller
reads its own write.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from functions.graphql.context import RequestContext
from functions.graphql.errors import api_error
from shared.application.outcomes import OUTCOMES, CommandOutcome
from shared.application.projections import PROJECTIONS
from shared.application.registry import route_of
from shared.bus.topics import COMMANDS_TOPIC
from shared.messages.envelope import Envelope, new_id
from shared.messages.fields import CommandId
from shared.observability.metrics import COMMAND_WAIT_SECONDS, COMMANDS_SENT
from shared.observability.tracing import current_trace_context
from shared.readmodels.changes import Watch

T = TypeVar("T")
_COMMAND_ID: TypeAdapter[str] = TypeAdapter(CommandId)


@dataclass(frozen=True)
class Sent:
    """What a mutation answers: the outcome if known in time, else the id to ask `commandStatus` with."""

    command_id: str
    aggregate_id: str
    outcome: CommandOutcome | None
    timed_out: bool


# The read model a mutation's caller reads its own write from, per aggregate type.
READ_MODELS = {projection.aggregate.aggregate_type: projection.model for projection in PROJECTIONS.values()}


async def send_command(
    context: RequestContext,
    command: BaseModel,
    wait: bool,
    command_id: str | None,
    deleting: bool = False,
) -> Sent:
    route = route_of(command)
    command_type = route.type
    read_model = READ_MODELS[route.aggregate.aggregate_type]
    aggregate_id = route.aggregate_id(command)
    envelope = Envelope.originate(
        id=_checked(command_id) if command_id is not None else new_id(),
        kind="command",
        type=command_type,
        aggregate_type=route.aggregate.aggregate_type,
        aggregate_id=aggregate_id,
        actor=context.actor,
        trace=current_trace_context(),
        payload=command.model_dump(mode="json"),
    )
    if command_id is not None:
        known = await asyncio.to_thread(_bound, context, envelope)
        if known is not None and known.settled:
            return Sent(envelope.id, aggregate_id, known, False)
    started = time.monotonic()
    if not wait:
        await asyncio.to_thread(context.publisher.publish, COMMANDS_TOPIC, envelope)
        COMMANDS_SENT.labels(command_type).inc()
        return Sent(envelope.id, aggregate_id, None, False)
    outcome_record, read_record = (OUTCOMES, envelope.id), (read_model, aggregate_id)
    # Watched from before the command leaves: no change it makes can come before the watch.
    with context.reads.watch([outcome_record, read_record]) as watch:
        await asyncio.to_thread(context.publisher.publish, COMMANDS_TOPIC, envelope)
        COMMANDS_SENT.labels(command_type).inc()
        deadline = started + context.wait_seconds
        outcome = await _wait_for(
            lambda: _settled(context, envelope), context, watch, outcome_record, deadline
        )
        if outcome is not None and outcome.status == "ACCEPTED" and outcome.version is not None:
            version = outcome.version
            shown = await _wait_for(
                lambda: _shows(context, read_model, aggregate_id, version, deleting),
                context,
                watch,
                read_record,
                deadline,
            )
            if shown is None:
                return Sent(envelope.id, aggregate_id, outcome, True)
    status = outcome.status if outcome is not None else "TIMED_OUT"
    COMMAND_WAIT_SECONDS.labels(command_type, status).observe(time.monotonic() - started)
    return Sent(envelope.id, aggregate_id, outcome, outcome is None)


def _checked(command_id: str) -> str:
    try:
        return _COMMAND_ID.validate_python(command_id)
    except ValidationError:
        raise api_error(
            "BAD_USER_INPUT",
            "commandId: a letter or digit, then letters, digits, '_', '-' or '.', at most 128 characters",
            field="commandId",
        ) from None


def _bound(context: RequestContext, envelope: Envelope) -> CommandOutcome | None:
    """The record of the envelope's id (its claim or outcome) if it has one; CONFLICT when that binds the
    id to another command."""
    record = context.outcomes.get(envelope.id)
    if record is not None and not record.binds(envelope.type, envelope.aggregate_id, envelope.actor.uid):
        raise api_error(
            "CONFLICT",
            "this commandId was already used for another command: use a new id for a new command",
            field="commandId",
            reason="COMMAND_ID_REUSED",
        )
    return record


def _shows(context: RequestContext, read_model: str, key: str, version: int, deleting: bool) -> bool | None:
    """True once the read model reflects `version` (for a delete: once the record is gone)."""
    record = context.reads.get(read_model, key)
    if deleting:
        return True if record is None else None
    return True if record is not None and record.version >= version else None


def _settled(context: RequestContext, envelope: Envelope) -> CommandOutcome | None:
    outcome = _bound(context, envelope)
    return outcome if outcome is not None and outcome.settled else None


async def _wait_for(
    probe: Callable[[], T | None],
    context: RequestContext,
    watch: Watch,
    record: tuple[str, str],
    deadline: float,
) -> T | None:
    """Call `probe` (in a thread: it does I/O) now, then each time `record` changes, until it answers or
    the deadline passes."""
    while True:
        answer = await asyncio.to_thread(probe)
        if answer is not None or time.monotonic() >= deadline:
            return answer
        await context.reads.changed(watch, deadline, lambda change: (change.model, change.key) == record)
