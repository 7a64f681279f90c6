"""What admins operate with: an aggregate's event history and the messages functions gave up on.

`eventHistory` reads an aggregate's stream from the event store itself, not a read model: it is the
record, with every event's correlation and causation ids and actor. `deadLetters` peeks at a function's
dead-letter subscription (`<function>-dead-letter-kept`): the messages are pulled and released again at
once, so looking never removes them; replaying or discarding them is a deliberate act for the
operations CLI, not a side effect of a query.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache

import strawberry
from google.api_core.exceptions import DeadlineExceeded, NotFound
from google.cloud.pubsub_v1 import SubscriberClient

from functions.graphql.context import RequestContext
from functions.graphql.errors import api_error
from functions.graphql.results import RequestInfo, looked_up_id, page_size
from shared.application.aggregates import KINDS
from shared.bus.manifest import Manifest, TopicTrigger

MAX_DEAD_LETTERS = 100
PULL_SECONDS = 3.0


@cache
def _manifest() -> Manifest:
    return Manifest.load()


@strawberry.type
class StoredEvent:
    id: strawberry.ID
    type: str
    version: int
    occurred_at: datetime
    correlation_id: str
    causation_id: str
    actor_uid: str
    actor_role: str
    payload: str = strawberry.field(description="the event's payload, as JSON")


@strawberry.type
class DeadLetter:
    message_id: str
    publish_time: datetime
    type: str | None
    aggregate_type: str | None
    aggregate_id: str | None
    data: str = strawberry.field(description="the message body as sent (an envelope, if it parsed)")


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
    spec = next((spec for spec in _manifest().functions if spec.name == function), None)
    if spec is None or not isinstance(spec.trigger, TopicTrigger):
        raise api_error("BAD_USER_INPUT", f"{function!r} is not a topic-triggered function", field="function")
    wanted = first if first is not None else 10
    if not 1 <= wanted <= MAX_DEAD_LETTERS:
        raise api_error("BAD_USER_INPUT", f"first must be between 1 and {MAX_DEAD_LETTERS}", field="first")
    path = subscriber.subscription_path(project_id, spec.dead_letter_subscription)
    try:
        # Waits at most PULL_SECONDS for an empty subscription (return_immediately is deprecated).
        response = subscriber.pull(
            request={"subscription": path, "max_messages": wanted}, timeout=PULL_SECONDS, retry=None
        )
    except (NotFound, DeadlineExceeded):
        return []
    received = list(response.received_messages)
    if received:
        # Released at once: a peek must leave them where they are.
        subscriber.modify_ack_deadline(
            request={
                "subscription": path,
                "ack_ids": [item.ack_id for item in received],
                "ack_deadline_seconds": 0,
            }
        )
    letters = []
    for item in received:
        message = item.message
        attributes = dict(message.attributes)
        letters.append(
            DeadLetter(
                message_id=message.message_id,
                publish_time=message.publish_time,
                type=attributes.get("type"),
                aggregate_type=attributes.get("aggregate_type"),
                aggregate_id=attributes.get("aggregate_id"),
                data=message.data.decode("utf-8", errors="replace"),
            )
        )
    return letters


@strawberry.type
class OperationsQuery:
    @strawberry.field
    def event_history(
        self,
        info: RequestInfo,
        aggregate_type: str,
        aggregate_id: strawberry.ID,
        from_version: int = 1,
        first: int | None = None,
    ) -> list[StoredEvent]:
        return event_history(
            info.context, aggregate_type, looked_up_id(aggregate_id, "aggregateId"), from_version, first
        )

    @strawberry.field
    def dead_letters(self, info: RequestInfo, function: str, first: int | None = None) -> list[DeadLetter]:
        return dead_letters(info.context.subscriber(), info.context.project_id, function, first)
