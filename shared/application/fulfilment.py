"""Runs the fulfilment saga: one participant event (or one passed deadline) in, saga events and commands out.

The saga is event-sourced, so a step is the command handler's shape with an event as its input, taken
from the event store rather than from the message (a message the store does not hold changes nothing):

1. load the saga's stream and fold it; if events caused by this very trigger are already there, a
   previous delivery committed and then died, so its recorded commands are sent again (same ids) and
   nothing is decided twice;
2. decide (pure), and append the saga's events with the trigger's id as the command id, so two
   deliveries racing each other append once; a concurrent step makes it reload and decide again;
3. send the commands the new events issued, each with an id derived from its saga event and position,
   so any re-send is deduplicated by the command handler. The saga's own events are its bookkeeping, read
   by no other function: they stay in its stream and its read model, off the events topic;
4. write the saga's read model (state, step, deadline, history) from the stream.

The deadline sweep finds open sagas whose deadline has passed and feeds each a `DeadlinePassed`, whose
id is derived from the saga, step and deadline: overlapping sweeps decide it once. A saga it cannot
handle is logged and counted, and the sweep goes on to the next: one bad record never stops the rest.
A sweep works for a bounded time, oldest deadline first, and leaves the rest to the next call: a backlog
of overdue sagas (after an outage) is worked off over several calls, none cut off by its timeout.

Ids the saga derives (its commands', its deadlines') start with `saga:`, which no id a client may choose
can (shared/messages/fields.py): a client cannot take such an id first and so block the saga.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import reduce

from pydantic import BaseModel, JsonValue

from shared.application.aggregates import KINDS, SAGA, as_recorded, ignore_unrecorded
from shared.application.registry import COMMAND_ROUTES
from shared.bus.publisher import Publisher
from shared.bus.topics import COMMANDS_TOPIC
from shared.domain.fulfilment import (
    DEFAULT_DEADLINES,
    GIVES_UP_AT_DEADLINE,
    SAGA_UID,
    DeadlinePassed,
    SagaState,
    Trigger,
    decide_saga,
)
from shared.eventstore.errors import ConcurrencyConflict
from shared.messages.envelope import Actor, Envelope, TraceContext
from shared.messages.fields import system_id
from shared.messages.fulfilment import (
    CommandsIssued,
    DeadlineMissed,
    FactRecorded,
    SagaEnded,
    SagaEvent,
    Step,
)
from shared.messages.orders import RESERVATION_EVENTS
from shared.observability.log_metrics import SAGA_ENDED
from shared.observability.metrics import SAGA_DEADLINES_MISSED, SAGA_SWEEP_FAILURES
from shared.observability.tracing import continued_trace, step_span
from shared.storage import Storage

logger = logging.getLogger(__name__)
# The start of the log line written when a step the saga cannot give up (a compensation, the completion)
# misses its deadline and its commands are sent again: a partner or a function keeps failing. An alert
# matches it (terraform/modules/kiroku/alerts.tf).
STEP_OVERDUE = "saga step overdue"

SAGAS = "sagas"
SAGA_ACTOR = Actor(uid=SAGA_UID, role="system")
MAX_DECISIONS = 8  # reload-and-decide rounds: several participants may answer one saga at once
SWEEP_BATCH = 100
# How long one sweep works before it leaves the rest to the next (oldest deadline first): well inside the
# function's timeout, so a backlog of overdue sagas never has a sweep cut off, or overlapping the next.
SWEEP_BUDGET_SECONDS = 20.0


def order_of(envelope: Envelope) -> str:
    """The order a participant's event belongs to: reservations name it, the others are keyed by it."""
    if envelope.type in RESERVATION_EVENTS:
        order_id = envelope.payload.get("order_id")
        if not isinstance(order_id, str):
            raise ValueError(f"{envelope.type} {envelope.id} names no order")
        return order_id
    return envelope.aggregate_id


class SagaRunner:
    """Handles the fulfilment saga's triggers; one per process."""

    def __init__(
        self, storage: Storage, publisher: Publisher, deadlines: Mapping[Step, timedelta] = DEFAULT_DEADLINES
    ) -> None:
        self._events = storage.events
        self._read_models = storage.read_models
        self._publisher = publisher
        self._deadlines = deadlines

    def handle(self, envelope: Envelope) -> None:
        """React to a participant's event, as the event store holds it."""
        recorded = as_recorded(self._events, envelope)
        if recorded is None:
            ignore_unrecorded("saga", envelope)
            return
        kind = KINDS[recorded.aggregate_type]
        trigger = Trigger(event=kind.parse_event(recorded), aggregate_id=recorded.aggregate_id)
        self._run(order_of(recorded), trigger, recorded)

    def sweep(self, now: datetime | None = None, budget_seconds: float = SWEEP_BUDGET_SECONDS) -> int:
        """Fail or re-send the steps whose deadline has passed, oldest first, for up to `budget_seconds`
        (at least one step each sweep); returns how many it handled."""
        now = now or datetime.now(UTC)
        ends = time.monotonic() + budget_seconds
        overdue = 0
        cursor: str | None = None
        while True:
            page = self._read_models.find(
                SAGAS, {"open": True}, order_by="deadline", limit=SWEEP_BATCH, cursor=cursor
            )
            for record in page.records:
                deadline = datetime.fromisoformat(str(record.data["deadline"]))
                if deadline > now or (overdue and time.monotonic() > ends):
                    return overdue
                overdue += 1
                try:
                    self._deadline_passed(record.key, record.data, deadline, now)
                except Exception:
                    SAGA_SWEEP_FAILURES.inc()
                    logger.exception(
                        "saga %s: its passed deadline could not be handled; sweeping on", record.key
                    )
            if page.next_cursor is None:
                return overdue
            cursor = page.next_cursor

    def _deadline_passed(
        self, order_id: str, view: Mapping[str, object], deadline: datetime, now: datetime
    ) -> None:
        passed = DeadlinePassed(step=view["step"], deadline=deadline)  # type: ignore[arg-type]
        cause = self._deadline_envelope(order_id, passed, str(view["correlation_id"]))
        self._run(order_id, passed, cause, now)

    def _run(
        self, order_id: str, trigger: Trigger | DeadlinePassed, cause: Envelope, now: datetime | None = None
    ) -> None:
        stream_id = SAGA.stream_id(order_id)
        for _ in range(MAX_DECISIONS):
            loaded = self._events.load(stream_id)
            applied = [event for event in loaded.events if event.causation_id == cause.id]
            if applied:
                logger.info("saga %s: %s already decided; re-sending its commands", order_id, cause.type)
                self._send_commands(applied)
                self._write_view(order_id, SAGA.fold(loaded), loaded.events)
                return
            state: SagaState = SAGA.fold(loaded)
            decided = decide_saga(state, trigger, now or datetime.now(UTC), self._deadlines)
            if not decided:
                return
            envelopes = SAGA.envelopes(cause, order_id, loaded.version, decided, actor=SAGA_ACTOR)
            try:
                with step_span("eventstore append", stream_id=stream_id, events=len(envelopes)):
                    result = self._events.append(
                        stream_id, envelopes, loaded.version, command_id=cause.id, publish=False
                    )
            except ConcurrencyConflict:
                continue
            if result.replayed:
                continue  # a racing delivery of the same trigger won: the next round re-sends its commands
            self._send_commands(envelopes)
            after = reduce(SAGA.evolve, decided, state)
            history = [*loaded.events, *envelopes]
            self._write_view(order_id, after, history)
            _count(decided, after, history)
            return
        raise RuntimeError(f"saga {order_id} kept changing under {MAX_DECISIONS} decisions; retry later")

    def _send_commands(self, saga_events: Sequence[Envelope]) -> None:
        commands: list[Envelope] = []
        for saga_event in saga_events:
            if saga_event.type != CommandsIssued.__name__:
                continue
            issued = CommandsIssued.model_validate(saga_event.payload)
            for index, command in enumerate(issued.commands):
                route = COMMAND_ROUTES[command.type]
                commands.append(
                    saga_event.caused(
                        id=system_id(f"{saga_event.id}:{index}"),
                        trace=continued_trace(saga_event.trace),
                        kind="command",
                        type=command.type,
                        aggregate_type=route.aggregate.aggregate_type,
                        aggregate_id=route.aggregate_id(command.payload),
                        payload=command.payload,
                    )
                )
        if commands:
            self._publisher.publish_many(COMMANDS_TOPIC, commands)

    @staticmethod
    def _deadline_envelope(order_id: str, passed: DeadlinePassed, correlation_id: str) -> Envelope:
        """The sweep's trigger as a message: its id is the same for every sweep that finds this deadline."""
        trigger_id = system_id(f"deadline:{order_id}:{passed.step}:{passed.deadline.isoformat()}")
        return Envelope(
            id=trigger_id,
            kind="event",
            type="DeadlinePassed",
            aggregate_type=SAGA.aggregate_type,
            aggregate_id=order_id,
            correlation_id=correlation_id,
            causation_id=trigger_id,
            actor=SAGA_ACTOR,
            trace=TraceContext(),
            payload={"step": passed.step, "deadline": passed.deadline.isoformat()},
        )

    def _write_view(self, order_id: str, state: SagaState, events: Sequence[Envelope]) -> None:
        """`state` is the fold of `events`, the saga's whole stream (it is never snapshotted)."""
        self._read_models.upsert(SAGAS, order_id, saga_view(state, events), version=state.version)


def _count(decided: Sequence[SagaEvent], after: SagaState, history: Sequence[Envelope]) -> None:
    """Count what the saga just decided; `history` is its whole stream, the new events last."""
    for event in decided:
        if isinstance(event, SagaEnded):
            SAGA_ENDED.record(
                "saga %s ended %s %s",
                after.order_id,
                event.step,
                after.failure or "",
                outcome=event.step,
                reason=after.failure or "",
                seconds=(history[-1].occurred_at - history[0].occurred_at).total_seconds(),
            )
        elif isinstance(event, DeadlineMissed):
            SAGA_DEADLINES_MISSED.labels(event.step).inc()
            if event.step not in GIVES_UP_AT_DEADLINE:
                logger.error(
                    "%s: saga %s has waited past its %s deadline (%s); its commands are sent again",
                    STEP_OVERDUE,
                    after.order_id,
                    event.step,
                    event.deadline.isoformat(),
                )


def saga_view(state: SagaState, events: Sequence[Envelope]) -> dict[str, JsonValue]:
    """The saga as admins and its customer read it: where it is, until when, and how it got there."""
    return {
        "order_id": state.order_id,
        "customer_id": state.customer_id,
        "status": state.status,
        "step": state.step,
        "open": state.deadline is not None,
        "deadline": state.deadline.isoformat() if state.deadline is not None else None,
        "failure": state.failure,
        "failure_detail": state.failure_detail,
        "correlation_id": events[0].correlation_id,
        "history": [_history_entry(event) for event in events],
    }


def _history_entry(event: Envelope) -> dict[str, JsonValue]:
    payload = event.payload
    entry: dict[str, JsonValue] = {
        "at": event.occurred_at.isoformat(),
        "event": event.type,
        "causation_id": event.causation_id,
        "step": None,
        "detail": None,
        "commands": [],
    }
    model: BaseModel = SAGA.parse_event(event)
    if isinstance(model, CommandsIssued):
        entry["step"] = model.step
        entry["commands"] = [command.type for command in model.commands]
    elif isinstance(model, FactRecorded):
        entry["detail"] = " ".join(filter(None, [model.fact, model.subject, model.detail]))
    else:
        entry["step"] = payload.get("step") if isinstance(payload.get("step"), str) else None
        detail = payload.get("detail") or payload.get("reason")
        entry["detail"] = detail if isinstance(detail, str) else None
    return entry
