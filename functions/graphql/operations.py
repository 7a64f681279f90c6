"""What admins operate with: event histories, dead letters, sagas, the read models' lag and the event
store's integrity; the same operations the `kiroku` command runs (shared/application/operations.py and
dead_letters.py), as admin-only fields for the web console.

`eventHistory` reads an aggregate's stream from the event store itself, not a read model: it is the
record, with every event's correlation and causation ids and actor. `deadLetters` peeks at a function's
dead-letter subscription (`<function>-dead-letter-kept`): the messages are pulled and released again at
once, so looking never removes them. `replayDeadLetters` republishes them and `discardDeadLetters` acks
them: deliberate acts, never a side effect of a query. This function may publish commands only (its
account's least privilege), so only command functions' dead letters replay here; `kiroku dead-letters
replay` replays any. `sagas`, `sagaStats`, `projectionStatus` and `integrityReport` read what the CLI's
commands read; a rebuild is a long job for the CLI (`kiroku rebuild`), not a request.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import Enum
from functools import cache
from typing import Annotated

import strawberry
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient
from google.cloud.pubsub_v1.types import PublisherOptions

from functions.graphql.context import RequestContext
from functions.graphql.errors import api_error
from functions.graphql.orders import Saga
from functions.graphql.results import (
    DEFAULT_PAGE_SIZE,
    ID_RULE,
    MAX_PAGE_SIZE,
    AfterArgument,
    Connection,
    Edge,
    FirstArgument,
    RequestInfo,
    described_field,
    described_mutation,
    looked_up_id,
    page_size,
)
from shared.application import dead_letters as letters
from shared.application import operations
from shared.application.aggregates import KINDS
from shared.application.projections import PROJECTIONS
from shared.bus.manifest import FunctionSpec, Manifest, TopicTrigger
from shared.bus.topics import COMMANDS_TOPIC
from shared.eventstore.integrity import check_integrity
from shared.readmodels.store import cursor_after

MAX_DEAD_LETTERS = 100
TIME = "(RFC 3339, UTC)"
FUNCTION = (
    "A topic-triggered function's name as `manifest.yaml` lists it, e.g. `place-order` or `project-orders` "
    "(BAD_USER_INPUT otherwise)."
)
FunctionArgument = Annotated[str, strawberry.argument(description=FUNCTION)]


@cache
def _manifest() -> Manifest:
    return Manifest.load()


@cache
def _publisher_client() -> PublisherClient:
    """For replaying dead letters with their ordering keys (opened on first use)."""
    return PublisherClient(publisher_options=PublisherOptions(enable_message_ordering=True))


def _function(name: str) -> FunctionSpec:
    try:
        return letters.dead_lettering_function(name, _manifest())
    except letters.UnknownFunction as error:
        raise api_error("BAD_USER_INPUT", str(error), field="function") from None


@strawberry.type(description="An event as the event store holds it: the record of what happened.")
class StoredEvent:
    id: strawberry.ID = strawberry.field(description="The event's id.")
    type: str = strawberry.field(description="The event's type, e.g. ProductCreated or OrderPlaced.")
    version: int = strawberry.field(description="Its place in the aggregate's stream: 1 for the first event.")
    occurred_at: datetime = strawberry.field(description=f"When it happened {TIME}.")
    correlation_id: str = strawberry.field(
        description="The id every message that one request led to shares: its first command's id."
    )
    causation_id: str = strawberry.field(description="The id of the message that caused this event.")
    actor_uid: str = strawberry.field(description="The uid of whoever caused it.")
    actor_role: str = strawberry.field(
        description="The role it acted with: reader, writer, admin or system (the fulfilment saga)."
    )
    payload: str = strawberry.field(description="The event's payload, as JSON with sorted keys.")


@strawberry.type(description="A message a function gave up on, kept in its dead-letter subscription.")
class DeadLetter:
    message_id: str = strawberry.field(
        description="The Pub/Sub message id in the dead-letter subscription: name it to replay or discard it."
    )
    publish_time: datetime = strawberry.field(description=f"When it was dead-lettered {TIME}.")
    type: str | None = strawberry.field(description="The message's type attribute; null when it has none.")
    aggregate_type: str | None = strawberry.field(
        description="The aggregate type attribute; null when it has none."
    )
    aggregate_id: str | None = strawberry.field(
        description="The aggregate id attribute; null when it has none."
    )
    data: str = strawberry.field(
        description="The message body as sent (an envelope, if it parsed), as UTF-8 text."
    )
    delivery_attempts: int | None = strawberry.field(
        description="How many times the function was given it before it was dead-lettered; null when "
        "Pub/Sub did not say."
    )

    @classmethod
    def of(cls, letter: letters.DeadLetter) -> DeadLetter:
        return cls(
            message_id=letter.message_id,
            publish_time=letter.publish_time,
            type=letter.attributes.get("type"),
            aggregate_type=letter.attributes.get("aggregate_type"),
            aggregate_id=letter.attributes.get("aggregate_id"),
            data=letter.text(),
            delivery_attempts=letter.delivery_attempts,
        )


@strawberry.type(description="What a replay or a discard of dead letters did.")
class DeadLetterOutcome:
    function: str = strawberry.field(description="The function whose dead letters these are.")
    message_ids: list[str] = strawberry.field(
        description="The dead letters replayed (republished, then removed) or discarded (removed)."
    )
    missing: list[str] = strawberry.field(description="The ids asked for that named no dead letter.")
    failed: list[str] = strawberry.field(
        description="The dead letters that could not be republished: they are kept, to replay again."
    )

    @classmethod
    def of(cls, result: letters.DeadLetterResult) -> DeadLetterOutcome:
        return cls(
            function=result.function,
            message_ids=[letter.message_id for letter in result.done],
            missing=result.missing,
            failed=[letter.message_id for letter, _ in result.failed],
        )


@strawberry.enum(description="Where a fulfilment saga stands.")
class SagaStatus(Enum):
    RUNNING = strawberry.enum_value("RUNNING", description="Moving the order forward.")
    COMPENSATING = strawberry.enum_value(
        "COMPENSATING", description="A step failed: undoing what was done before cancelling the order."
    )
    COMPLETED = strawberry.enum_value("COMPLETED", description="Ended with the order completed.")
    CANCELLED = strawberry.enum_value("CANCELLED", description="Ended with the order cancelled.")


@strawberry.type(description="How many cancelled sagas one cancel reason ended.")
class CancelReasonCount:
    reason: str = strawberry.field(description="The order's cancel reason, e.g. PAYMENT_DECLINED.")
    sagas: int = strawberry.field(description="How many cancelled sagas it ended.")


@strawberry.type(
    description="Every fulfilment saga counted: by status, by cancel reason, and the stuck ones."
)
class SagaStats:
    total: int = strawberry.field(description="Every saga there is.")
    running: int = strawberry.field(description="Sagas RUNNING.")
    compensating: int = strawberry.field(description="Sagas COMPENSATING.")
    completed: int = strawberry.field(description="Sagas COMPLETED.")
    cancelled: int = strawberry.field(description="Sagas CANCELLED.")
    stuck: int = strawberry.field(
        description=f"Open sagas whose deadline passed more than {operations.STUCK_GRACE.seconds // 60} "
        "minutes ago: the deadline sweep should have moved them on by then."
    )
    reasons: strawberry.Private[dict[str, int]]

    @described_field("The cancelled sagas by cancel reason, the most frequent first.")
    def cancel_reasons(self, first: FirstArgument = None) -> list[CancelReasonCount]:
        counted = list(self.reasons.items())[: page_size(first)]
        return [CancelReasonCount(reason=reason, sagas=sagas) for reason, sagas in counted]


@strawberry.type(description="How far one read model lags behind the event store it is projected from.")
class ProjectionStatus:
    model: str = strawberry.field(description="The read model, e.g. `products`.")
    aggregate_type: str = strawberry.field(description="The aggregate type it is projected from.")
    events: int = strawberry.field(description="The events of that type in the event store.")
    streams: int = strawberry.field(description="The aggregates (streams) of that type.")
    records: int = strawberry.field(description="The read model's live records.")
    behind: int = strawberry.field(
        description="The aggregates whose record has not applied their latest event (or is missing)."
    )
    lag: int = strawberry.field(
        description="The events those records have not applied yet: 0 when caught up."
    )
    last_event_at: datetime | None = strawberry.field(
        description=f"When the newest event of that type happened {TIME}; null when there is none."
    )
    last_applied_position: int | None = strawberry.field(
        description="The highest global position (PostgreSQL) among the events the records have applied; "
        "null on Firestore, whose log has no global order."
    )
    head_position: int | None = strawberry.field(
        description="The event store's last global position (PostgreSQL); null on Firestore."
    )


@strawberry.type(description="Damage the integrity check found in the event store.")
class IntegrityProblem:
    kind: str = strawberry.field(
        description="What is wrong: version_gap, position_gap, outbox_orphan, unlisted_event, "
        "stuck_sequencer or stream_head."
    )
    stream_id: str | None = strawberry.field(description="The damaged stream; null when none is named.")
    detail: str = strawberry.field(description="What was found, in English.")


@strawberry.type(
    description="The event store's integrity check: per-stream version continuity, global-position "
    "continuity (PostgreSQL), outbox entries without events, stream heads (Firestore)."
)
class IntegrityReport:
    ok: bool = strawberry.field(description="True when no damage was found.")
    events: int = strawberry.field(description="The events checked.")
    streams: int = strawberry.field(description="The streams checked.")
    problem_count: int = strawberry.field(description="How many problems were found.")
    found: strawberry.Private[list[IntegrityProblem]]

    @described_field("The problems found, in the order the check met them.")
    def problems(self, first: FirstArgument = None) -> list[IntegrityProblem]:
        return self.found[: page_size(first)]


def event_history(
    context: RequestContext, aggregate_type: str, aggregate_id: str, from_version: int, first: int | None
) -> list[StoredEvent]:
    kind = KINDS.get(aggregate_type)
    if kind is None:
        known = ", ".join(sorted(KINDS))
        raise api_error("BAD_USER_INPUT", f"aggregateType must be one of {known}", field="aggregateType")
    if from_version < 1:
        raise api_error("BAD_USER_INPUT", "fromVersion starts at 1", field="fromVersion")
    events = context.events.read_stream(kind.stream_id(aggregate_id), from_version, limit=page_size(first))
    return [
        StoredEvent(
            id=strawberry.ID(event.id),
            type=event.type,
            version=event.aggregate_version or 0,
            occurred_at=event.occurred_at,
            correlation_id=event.correlation_id,
            causation_id=event.causation_id,
            actor_uid=event.actor.uid,
            actor_role=event.actor.role,
            payload=json.dumps(event.payload, sort_keys=True),
        )
        for event in events
    ]


def dead_letters(
    subscriber: SubscriberClient, project_id: str, function: str, first: int | None
) -> list[DeadLetter]:
    spec = _function(function)
    wanted = first if first is not None else 10
    if not 1 <= wanted <= MAX_DEAD_LETTERS:
        raise api_error("BAD_USER_INPUT", f"first must be between 1 and {MAX_DEAD_LETTERS}", field="first")
    return [
        DeadLetter.of(letter) for letter in letters.DeadLetterBox(subscriber, project_id, spec).peek(wanted)
    ]


def find_sagas(
    context: RequestContext, status: SagaStatus | None, stuck: bool, first: int | None, after: str | None
) -> Connection[Saga]:
    page = operations.list_sagas(
        context.reads,
        status=status.name if status is not None else None,
        stuck=stuck,
        limit=page_size(first),
        cursor=after,
    )
    order_by = "deadline" if stuck else None
    edges = [
        Edge(cursor=cursor_after(record, order_by), node=Saga.of(record, context)) for record in page.records
    ]
    return Connection.page(edges, has_next_page=page.next_cursor is not None, after=after)


def saga_stats(context: RequestContext) -> SagaStats:
    stats = operations.saga_stats(context.reads)
    by_status = stats.by_status
    return SagaStats(
        total=stats.total,
        running=by_status.get("RUNNING", 0),
        compensating=by_status.get("COMPENSATING", 0),
        completed=by_status.get("COMPLETED", 0),
        cancelled=by_status.get("CANCELLED", 0),
        stuck=stats.stuck,
        reasons=stats.by_cancel_reason,
    )


def projection_status(context: RequestContext, first: int | None) -> list[ProjectionStatus]:
    chosen = list(PROJECTIONS.values())[: page_size(first)]
    return [
        ProjectionStatus(
            model=status.model,
            aggregate_type=status.aggregate_type,
            events=status.events,
            streams=status.streams,
            records=status.records,
            behind=status.behind,
            lag=status.lag,
            last_event_at=status.last_event_at,
            last_applied_position=status.last_applied_position,
            head_position=status.head_position,
        )
        for status in operations.projection_status(context.events, context.reads, chosen)
    ]


def integrity_report(context: RequestContext) -> IntegrityReport:
    report = check_integrity(context.events)
    return IntegrityReport(
        ok=report.ok,
        events=report.events,
        streams=report.streams,
        problem_count=len(report.problems),
        found=[
            IntegrityProblem(kind=problem.kind, stream_id=problem.stream_id, detail=problem.detail)
            for problem in report.problems
        ],
    )


def replay_dead_letters(context: RequestContext, function: str, ids: list[str] | None) -> DeadLetterOutcome:
    spec = _function(function)
    if not isinstance(spec.trigger, TopicTrigger) or spec.trigger.topic != COMMANDS_TOPIC:
        raise api_error(
            "BAD_USER_INPUT",
            f"{function} takes events, and this API publishes commands only: replay its dead letters with "
            f"`kiroku dead-letters replay {function}`",
            field="function",
        )
    client, project_id = _publisher_client(), context.project_id

    def republish(letter: letters.DeadLetter) -> str:
        return letters.republish(client, project_id, COMMANDS_TOPIC, letter)

    box = letters.DeadLetterBox(context.subscriber(), project_id, spec)
    return DeadLetterOutcome.of(letters.replay(box, ids, republish))


def discard_dead_letters(context: RequestContext, function: str, ids: list[str]) -> DeadLetterOutcome:
    spec = _function(function)
    if not ids:
        raise api_error("BAD_USER_INPUT", "name at least one dead letter to discard", field="ids")
    box = letters.DeadLetterBox(context.subscriber(), context.project_id, spec)
    return DeadLetterOutcome.of(letters.discard(box, ids))


@strawberry.type
class OperationsQuery:
    @described_field(
        "An aggregate's events from the event store, in order: the record itself, not a read "
        "model. Admins only."
    )
    def event_history(
        self,
        info: RequestInfo,
        aggregate_type: Annotated[
            str,
            strawberry.argument(
                description=f"The aggregate's type: {', '.join(sorted(KINDS))} (BAD_USER_INPUT otherwise)."
            ),
        ],
        aggregate_id: Annotated[
            strawberry.ID,
            strawberry.argument(description=f"The aggregate's id: {ID_RULE} (BAD_USER_INPUT otherwise)."),
        ],
        from_version: Annotated[
            int,
            strawberry.argument(description="The version to start at: 1 or more (BAD_USER_INPUT otherwise)."),
        ] = 1,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"At most this many events: 1 to {MAX_PAGE_SIZE}, {DEFAULT_PAGE_SIZE} when "
                "absent (BAD_USER_INPUT otherwise)."
            ),
        ] = None,
    ) -> list[StoredEvent]:
        return event_history(
            info.context, aggregate_type, looked_up_id(aggregate_id, "aggregateId"), from_version, first
        )

    @described_field(
        "A look at the messages a function gave up on: they stay where they are (replay or discard them "
        f"with `replayDeadLetters` and `discardDeadLetters`). Empty when none arrive within "
        f"{letters.PULL_SECONDS:g} seconds. Admins only."
    )
    def dead_letters(
        self,
        info: RequestInfo,
        function: FunctionArgument,
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"At most this many messages: 1 to {MAX_DEAD_LETTERS}, 10 when absent "
                "(BAD_USER_INPUT otherwise)."
            ),
        ] = None,
    ) -> list[DeadLetter]:
        return dead_letters(info.context.subscriber(), info.context.project_id, function, first)

    @described_field(
        "Fulfilment sagas by order id, a page at a time: all of them, those of one status, or the stuck "
        "ones (open, their deadline passed long enough ago that the deadline sweep should have moved them "
        "on), longest overdue first. Admins only."
    )
    def sagas(
        self,
        info: RequestInfo,
        status: Annotated[
            SagaStatus | None, strawberry.argument(description="Only the sagas in this status; absent: any.")
        ] = None,
        stuck: Annotated[
            bool, strawberry.argument(description="With true, only the stuck sagas (see `SagaStats.stuck`).")
        ] = False,
        first: FirstArgument = None,
        after: AfterArgument = None,
    ) -> Connection[Saga]:
        return find_sagas(info.context, status, stuck, first, after)

    @described_field(
        "Every fulfilment saga counted by status and cancel reason, and the stuck ones. Admins only."
    )
    def saga_stats(self, info: RequestInfo) -> SagaStats:
        return saga_stats(info.context)

    @described_field(
        "How far each read model lags behind the event store (one pass over the log: seconds on a large "
        "one). Admins only."
    )
    def projection_status(self, info: RequestInfo, first: FirstArgument = None) -> list[ProjectionStatus]:
        return projection_status(info.context, first)

    @described_field(
        "The event store's integrity check, run now (one pass over the log: seconds on a large one). "
        "Admins only."
    )
    def integrity_report(self, info: RequestInfo) -> IntegrityReport:
        return integrity_report(info.context)


@strawberry.type
class OperationsMutation:
    @described_mutation(
        "Republishes a command function's dead letters (all of them without `ids`) to the commands topic, "
        "with their original attributes and a `kiroku_replay` marker, and removes each once published: "
        "fix the cause first. Handlers are idempotent, so a command already applied changes nothing. A "
        "function that takes events answers BAD_USER_INPUT (this API publishes commands only: use `kiroku "
        "dead-letters replay`). Admins only."
    )
    def replay_dead_letters(
        self,
        info: RequestInfo,
        function: FunctionArgument,
        ids: Annotated[
            list[str] | None,
            strawberry.argument(
                description="The dead letters' `messageId`s, or the ids of the commands they carry; absent: "
                "every dead letter of the function."
            ),
        ] = None,
    ) -> DeadLetterOutcome:
        return replay_dead_letters(info.context, function, ids)

    @described_mutation(
        "Removes dead letters for good: they are acknowledged and never delivered. Admins only."
    )
    def discard_dead_letters(
        self,
        info: RequestInfo,
        function: FunctionArgument,
        ids: Annotated[
            list[str],
            strawberry.argument(
                description="The dead letters' `messageId`s, or the ids of the messages they carry: at least "
                "one (BAD_USER_INPUT otherwise)."
            ),
        ],
    ) -> DeadLetterOutcome:
        return discard_dead_letters(info.context, function, ids)
