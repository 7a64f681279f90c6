"""Handles one command: load the aggregate, decide, append with the command id, record, publish.

The steps of the request flow (MISSION, step 3), once for every command type:

1. the command id is bound to this command unless it is bound already (outcomes.py): a message whose
   id is bound to another command is ignored, it changes nothing; an outcome already recorded for this
   command is the answer (a redelivery has one effect);
2. the actor's role is checked again (the bus is not trusted blindly) and the payload is parsed; a
   forbidden or malformed command is rejected, not retried;
3. an append this command id already made is the answer: the delivery before this one committed and
   died before recording its outcome, so deciding again would judge the command by its own effect (a
   created aggregate "already exists"); its events are published again and its outcome recorded;
4. the stream is loaded (snapshot + later events) and folded, the facts the decision needs are gathered,
   and the pure `decide` runs; a `Rejected` is recorded as the outcome;
5. the events are appended with the expected version and the command id, in one transaction with their
   outbox entries; a concurrent writer makes it reload and decide again;
6. the outcome is recorded, the events are published (ordering key: the aggregate id) and their outbox
   entries cleared. A crash anywhere after the commit loses nothing: the redelivered command finds its
   append (step 3) and the outbox relay publishes what no delivery did.

Infrastructure errors propagate: the push entry point answers 500 and Pub/Sub redelivers. A gateway
that cannot answer is one of them: the command waits, and the wait is noted first (waits.py) so that the
order can say what it is waiting for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import reduce
from typing import Any

from pydantic import BaseModel, ValidationError

from shared.adapters.gateways import GatewayUnavailable
from shared.application.aggregates import AggregateKind
from shared.application.facts import FactFinder
from shared.application.outcomes import CommandError, CommandOutcome, OutcomeLog, new_outcome
from shared.application.registry import COMMAND_ROUTES, CommandRoute
from shared.application.waits import WaitLog
from shared.auth.roles import may
from shared.bus.publisher import Publisher
from shared.bus.topics import EVENTS_TOPIC
from shared.domain.rejection import Rejected
from shared.eventstore.errors import CommandIdReused, ConcurrencyConflict
from shared.eventstore.model import AppendResult
from shared.messages.envelope import Envelope
from shared.observability.tracing import step_span
from shared.storage import Storage

logger = logging.getLogger(__name__)

MAX_DECISIONS = 5  # reload-and-decide rounds when concurrent writers keep winning

# Called between an append's commit and its publication, with the command and its delivery attempt: the
# seam through which tests crash a handler at the worst moment (emulators/faults.py).
AfterCommit = Callable[[Envelope, int | None], None]
_REUSED_ID = CommandError(
    code="COMMAND_ID_REUSED",
    category="CONFLICT",
    message="this command id was already used for another command",
    field="commandId",
)


class CommandHandler:
    """Decides commands against the event store; one per process, reused across requests."""

    def __init__(
        self,
        storage: Storage,
        publisher: Publisher,
        facts: FactFinder | None = None,
        after_commit: AfterCommit | None = None,
        redelivery_backoff: Callable[[int], float] | None = None,
    ) -> None:
        """`facts`: what decisions are given from outside their aggregate, with the gateways the composition
        root chose (functions/runtime.py); without it, a command that asks a gateway fails, as no gateway
        was given. `redelivery_backoff(attempt)`: the seconds Pub/Sub waits before delivering again a
        command whose `attempt`-th delivery failed (this function's retry policy), which the waits it notes
        report."""
        self._events = storage.events
        self._facts = facts or FactFinder(storage, _no_gateway, _no_gateway)
        self._outcomes = OutcomeLog(storage.read_models)
        self._waits = WaitLog(storage.read_models, self._outcomes)
        self._publisher = publisher
        self._after_commit = after_commit
        self._redelivery_backoff = redelivery_backoff

    def handle(self, envelope: Envelope, delivery_attempt: int | None = None) -> CommandOutcome:
        claim = _outcome_of(envelope, envelope.aggregate_type, envelope.aggregate_id, settled=False)
        bound = self._outcomes.claim(claim)
        if not bound.binds(envelope.type, envelope.aggregate_id, envelope.actor.uid):
            return _reused_id(envelope)
        if bound.settled:
            logger.info("command %s already handled: %s", envelope.id, bound.status)
            return bound
        parsed = self._parse(envelope)
        if isinstance(parsed, CommandOutcome):
            return parsed
        route, command = parsed
        kind = route.aggregate
        aggregate_id = route.aggregate_id(command)
        stream_id = kind.stream_id(aggregate_id)
        # A redelivery asks the store before it decides, so a command already committed asks no gateway.
        redelivered = bound is not claim
        for _ in range(MAX_DECISIONS):
            loaded = self._events.load(stream_id, kind.state_schema_version)
            # Asked after the load: an append of this command that the load saw is committed with its id, so
            # a delivery racing this one is never mistaken for another command that changed the stream.
            committed = self._events.committed(envelope.id) if redelivered else None
            if committed is not None:
                return self._finish_committed(envelope, kind, aggregate_id, committed)
            state = kind.fold(loaded)
            try:
                facts = self._gather_facts(envelope, command, state, delivery_attempt)
                decided = list(kind.decide(state, command, facts))
                error = None
            except Rejected as rejection:
                decided, error = [], CommandError.of(rejection)
            if not decided:
                # Writing the claim does not make this the only delivery: a redelivery may have committed the
                # command since, and this decision be taken against its effect. An append would replay it;
                # a rejection or a no-op must ask.
                committed = None if redelivered else self._events.committed(envelope.id)
                if committed is not None:
                    return self._finish_committed(envelope, kind, aggregate_id, committed)
                if error is not None:
                    return self._reject(envelope, kind.aggregate_type, aggregate_id, error)
                return self._accept(envelope, kind, aggregate_id, loaded.version)
            events = kind.envelopes(envelope, aggregate_id, loaded.version, decided)
            try:
                with step_span("eventstore append", stream_id=stream_id, events=len(events)):
                    result = self._events.append(stream_id, events, loaded.version, command_id=envelope.id)
            except ConcurrencyConflict as conflict:
                logger.info("concurrent write to %s (%s); deciding again", stream_id, conflict)
                continue
            except CommandIdReused:
                return _reused_id(envelope)
            break
        else:
            raise RuntimeError(f"{stream_id} kept changing under {MAX_DECISIONS} decisions; retry later")
        if self._after_commit is not None:
            self._after_commit(envelope, delivery_attempt)
        outcome = self._accept(envelope, kind, aggregate_id, result.last_version)
        if not result.replayed:
            self._publish(events, result)
            self._snapshot_if_due(kind, stream_id, result, reduce(kind.evolve, decided, state))
        return outcome

    def _finish_committed(
        self, envelope: Envelope, kind: AggregateKind[Any], aggregate_id: str, committed: AppendResult
    ) -> CommandOutcome:
        """Answer a command another delivery already appended: its outcome recorded and its events published
        (again, if that delivery was lost between its commit and its publish)."""
        if committed.stream_id != kind.stream_id(aggregate_id):
            return _reused_id(envelope)
        logger.info("command %s was committed by another delivery; finishing it", envelope.id)
        outcome = self._accept(envelope, kind, aggregate_id, committed.last_version)
        count = committed.last_version - committed.first_version + 1
        self._publish(
            self._events.read_stream(committed.stream_id, committed.first_version, count), committed
        )
        return outcome

    def _gather_facts(
        self, envelope: Envelope, command: BaseModel, state: Any, delivery_attempt: int | None
    ) -> Any:
        try:
            return self._facts.facts(envelope, command, state)
        except GatewayUnavailable as unavailable:  # the command waits: noted, then delivered again
            self._waits.note(envelope, unavailable.reason, delivery_attempt or 1, self._redelivery_backoff)
            raise

    def _parse(self, envelope: Envelope) -> tuple[CommandRoute, BaseModel] | CommandOutcome:
        """The envelope's route and command, or its rejection: an unknown type, a sender without the role
        the command needs, a payload its model refuses, or an envelope addressed to another aggregate."""
        route = COMMAND_ROUTES.get(envelope.type)
        if route is None:
            error = CommandError(
                code="INVALID_INPUT",
                category="BAD_USER_INPUT",
                message=f"unknown command type {envelope.type!r}",
            )
            return self._reject(envelope, envelope.aggregate_type, envelope.aggregate_id, error)
        if not may(envelope.actor.role, route.role):
            error = CommandError(
                code="FORBIDDEN", category="FORBIDDEN", message=f"{envelope.type} needs the {route.role} role"
            )
            return self._reject(envelope, envelope.aggregate_type, envelope.aggregate_id, error)
        try:
            command = route.parse(envelope)
        except ValidationError as invalid:
            first = invalid.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or None
            error = CommandError(
                code="INVALID_INPUT",
                category="BAD_USER_INPUT",
                message=f"{field}: {first['msg']}",
                field=field,
            )
            return self._reject(envelope, envelope.aggregate_type, envelope.aggregate_id, error)
        if (route.aggregate.aggregate_type, route.aggregate_id(command)) != (
            envelope.aggregate_type,
            envelope.aggregate_id,
        ):
            error = CommandError(
                code="INVALID_INPUT",
                category="BAD_USER_INPUT",
                message=f"the message addresses {envelope.aggregate_type} {envelope.aggregate_id!r}, "
                f"its {envelope.type} another aggregate",
            )
            return self._reject(envelope, envelope.aggregate_type, envelope.aggregate_id, error)
        return route, command

    def _publish(self, events: list[Envelope], result: AppendResult) -> None:
        self._publisher.publish_many(EVENTS_TOPIC, events)
        self._events.mark_append_published(result)

    def _snapshot_if_due(
        self, kind: AggregateKind[Any], stream_id: str, result: AppendResult, state: Any
    ) -> None:
        if self._events.snapshot_due(kind.aggregate_type, result):
            self._events.write_snapshot(kind.snapshot(stream_id, result.last_version, state))

    def _accept(
        self, envelope: Envelope, kind: AggregateKind[Any], aggregate_id: str, version: int
    ) -> CommandOutcome:
        return self._record(envelope, kind.aggregate_type, aggregate_id, version=version)

    def _reject(
        self, envelope: Envelope, aggregate_type: str, aggregate_id: str, error: CommandError
    ) -> CommandOutcome:
        logger.info("command %s rejected: %s %s", envelope.id, error.code, error.message)
        return self._record(envelope, aggregate_type, aggregate_id, error=error)

    def _record(
        self,
        envelope: Envelope,
        aggregate_type: str,
        aggregate_id: str,
        version: int | None = None,
        error: CommandError | None = None,
    ) -> CommandOutcome:
        return self._outcomes.record(_outcome_of(envelope, aggregate_type, aggregate_id, version, error))


def _no_gateway() -> Any:
    raise RuntimeError("this command handler was built without gateways: give it a FactFinder with them")


def _reused_id(envelope: Envelope) -> CommandOutcome:
    """The answer to a message whose id is bound to another command: never recorded, as the id's record
    belongs to its first use."""
    logger.warning("command %s: its id is bound to another command; ignored", envelope.id)
    return _outcome_of(envelope, envelope.aggregate_type, envelope.aggregate_id, error=_REUSED_ID)


def _outcome_of(
    envelope: Envelope,
    aggregate_type: str,
    aggregate_id: str,
    version: int | None = None,
    error: CommandError | None = None,
    *,
    settled: bool = True,
) -> CommandOutcome:
    """The envelope's outcome, or with `settled=False` its claim (PENDING: the id bound to it)."""
    return new_outcome(
        command_id=envelope.id,
        command_type=envelope.type,
        status="PENDING" if not settled else "REJECTED" if error is not None else "ACCEPTED",
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        version=version,
        error=error,
        correlation_id=envelope.correlation_id,
        actor_uid=envelope.actor.uid,
    )
