"""Turns a handler of envelopes into a functions-framework HTTP entry point for Pub/Sub push.

In the cloud every event-driven function sits behind a Pub/Sub push subscription; locally the runner
sends the very same request. The body is the push envelope
`{"message": {"data", "attributes", "messageId", "publishTime", "orderingKey"}, "subscription",
"deliveryAttempt"}`. The answer is what Pub/Sub acts on: 2xx acks; anything else nacks, so Pub/Sub
retries with the subscription's backoff and, after its maximum delivery attempts, dead-letters the
message. A body that is not a push envelope or whose data is not a Kiroku envelope can never succeed, so
it is answered 400 (a nack too: it ends on the dead-letter topic, kept for inspection, not dropped).

A nack on the last attempt the function's dead-letter policy allows (manifest.yaml) is measured
(`dead_lettered`, log_metrics.py): Pub/Sub moves that message to the dead-letter topic now, so the
figure reaches Cloud Monitoring like every other, and locally the whole stack's `/metrics`.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import flask
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from shared.bus.manifest import running_function
from shared.messages.envelope import Envelope, EnvelopeError
from shared.observability.log_metrics import DEAD_LETTERED
from shared.observability.logging import log_context
from shared.observability.tracing import message_span

logger = logging.getLogger(__name__)


class PushMessage(BaseModel):
    """The `message` of a push request (Pub/Sub sends both camelCase and snake_case id keys)."""

    model_config = ConfigDict(populate_by_name=True)

    data: bytes = b""
    attributes: dict[str, str] = Field(default_factory=dict)
    message_id: str = Field(validation_alias=AliasChoices("messageId", "message_id"), min_length=1)
    publish_time: datetime = Field(validation_alias=AliasChoices("publishTime", "publish_time"))
    ordering_key: str = Field(default="", validation_alias=AliasChoices("orderingKey", "ordering_key"))

    @field_validator("data", mode="before")
    @classmethod
    def _decode_base64(cls, value: object) -> bytes:
        if value is None:
            return b""
        if not isinstance(value, str):
            raise ValueError("data must be a base64 string")
        return base64.b64decode(value, validate=True)


class PushRequest(BaseModel):
    """A Pub/Sub push request body."""

    model_config = ConfigDict(populate_by_name=True)

    message: PushMessage
    subscription: str = Field(min_length=1)
    delivery_attempt: int | None = Field(
        default=None, validation_alias=AliasChoices("deliveryAttempt", "delivery_attempt"), ge=1
    )


@dataclass(frozen=True, slots=True)
class Delivery:
    """How this envelope arrived: which message, which subscription, which attempt."""

    message_id: str
    subscription: str
    delivery_attempt: int | None
    ordering_key: str
    publish_time: datetime
    attributes: dict[str, str]


EnvelopeHandler = Callable[[Envelope, Delivery], None]
PushEntryPoint = Callable[[flask.Request], flask.Response]


def _reply(status: int, body: str = "") -> flask.Response:
    return flask.Response(body, status=status, mimetype="text/plain")


def _nack(status: int, body: str, push: PushRequest) -> flask.Response:
    """A failed delivery's answer; on the function's last attempt, measured as dead-lettered."""
    spec = running_function()
    attempt, attributes = push.delivery_attempt, push.message.attributes
    if attempt is not None and spec is not None and attempt >= spec.dead_letter.max_delivery_attempts:
        DEAD_LETTERED.record(
            "%s gave up on a %s message after %d attempts: it goes to the dead-letter topic",
            spec.name,
            attributes.get("type", "?"),
            attempt,
            # The handler's own failure is the ERROR line about this message (the one `kiroku dead-letters`
            # shows as its last error); this one measures what came of it.
            level=logging.WARNING,
            function=spec.name,
            type=attributes.get("type", ""),
        )
    return _reply(status, body)


def push_entry_point(handler: EnvelopeHandler) -> PushEntryPoint:
    """Wrap `handler` as an HTTP function: parse the push request, call it, answer ack or nack."""

    def entry_point(request: flask.Request) -> flask.Response:
        try:
            push = PushRequest.model_validate_json(request.get_data())
        except ValidationError as error:
            logger.error("rejected push request that can never be handled: %s", error)
            return _reply(400, "not a Kiroku push request")
        try:
            envelope = Envelope.from_data(push.message.data)
        except EnvelopeError as error:
            logger.error("rejected push request that can never be handled: %s", error)
            return _nack(400, "not a Kiroku push request", push)
        delivery = Delivery(
            message_id=push.message.message_id,
            subscription=push.subscription,
            delivery_attempt=push.delivery_attempt,
            ordering_key=push.message.ordering_key,
            publish_time=push.message.publish_time,
            attributes=push.message.attributes,
        )
        with (
            message_span(envelope, delivery.message_id) as ids,
            log_context(
                trace=ids,
                message_id=envelope.id,
                message_type=envelope.type,
                correlation_id=envelope.correlation_id,
                causation_id=envelope.causation_id,
                pubsub_message_id=delivery.message_id,
                delivery_attempt=str(delivery.delivery_attempt),
            ),
        ):
            try:
                handler(envelope, delivery)
            except EnvelopeError as error:
                logger.error("message can never be handled here: %s", error)
                return _nack(400, "not a message for this function", push)
            except Exception:
                logger.exception("handler failed; nacking for redelivery")
                return _nack(500, "handler failed", push)
        return _reply(204)

    entry_point.__name__ = getattr(handler, "__name__", "entry_point")
    entry_point.__doc__ = handler.__doc__
    return entry_point
