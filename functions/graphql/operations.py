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
from typing import Annotated

import strawberry
from google.api_core.exceptions import DeadlineExceeded, NotFound
from google.cloud.pubsub_v1 import SubscriberClient

from functions.graphql.context import RequestContext
from functions.graphql.errors import api_error
from functions.graphql.results import (
    DEFAULT_PAGE_SIZE,
    ID_RULE,
    MAX_PAGE_SIZE,
    RequestInfo,
    described_field,
    looked_up_id,
    page_size,
)
from shared.application.aggregates import KINDS
from shared.bus.manifest import Manifest, TopicTrigger

MAX_DEAD_LETTERS = 100
PULL_SECONDS = 3.0
TIME = "(RFC 3339, UTC)"


@cache
def _manifest() -> Manifest:
    return Manifest.load()


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
    message_id: str = strawberry.field(description="The Pub/Sub message id.")
    publish_time: datetime = strawberry.field(description=f"When it was published {TIME}.")
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
        "A look at the messages a function gave up on: they stay where they are (replaying or "
        f"discarding them is the operations CLI's). Empty when none arrive within {PULL_SECONDS:g} seconds. "
        "Admins only."
    )
    def dead_letters(
        self,
        info: RequestInfo,
        function: Annotated[
            str,
            strawberry.argument(
                description="A topic-triggered function's name as `manifest.yaml` lists it, e.g. "
                "`place-order` or `project-orders` (BAD_USER_INPUT otherwise)."
            ),
        ],
        first: Annotated[
            int | None,
            strawberry.argument(
                description=f"At most this many messages: 1 to {MAX_DEAD_LETTERS}, 10 when absent "
                "(BAD_USER_INPUT otherwise)."
            ),
        ] = None,
    ) -> list[DeadLetter]:
        return dead_letters(info.context.subscriber(), info.context.project_id, function, first)
