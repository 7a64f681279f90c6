"""The envelope: what every command and event carries besides its payload.

One pydantic model for both kinds, because the bus, the logs and the traces treat them alike: an id, a
type and schema version, the aggregate it concerns, correlation and causation ids, the actor and the W3C
trace context. The whole envelope travels as the Pub/Sub message data (JSON); its routing fields are
also copied into message attributes, so subscriptions can filter on them and a trace joins across hops
without decoding the body.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, ValidationError

MessageKind = Literal["command", "event"]
Role = Literal["reader", "writer", "admin", "system"]

# Attribute names: Pub/Sub filters address them as `attributes.<name>`.
ATTRIBUTE_FIELDS = (
    "id",
    "kind",
    "type",
    "schema_version",
    "aggregate_type",
    "aggregate_id",
    "aggregate_version",
    "correlation_id",
    "causation_id",
)


class EnvelopeError(ValueError):
    """A message whose body is not a valid envelope: it will never become valid by retrying."""


def new_id() -> str:
    """A fresh message id (UUID4, text)."""
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


class Actor(BaseModel):
    """Who asked for this: the signed-in user, or the system itself for saga steps and relays."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    uid: str = Field(min_length=1, max_length=128)
    role: Role


SYSTEM_ACTOR = Actor(uid="system", role="system")


class TraceContext(BaseModel):
    """W3C trace context (`traceparent`, `tracestate`), carried so a trace spans every Pub/Sub hop."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    traceparent: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"
    )
    tracestate: str | None = None


class Envelope(BaseModel):
    """A command or an event, with everything needed to route, order, trace and audit it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default_factory=new_id, min_length=1, max_length=128)
    kind: MessageKind
    type: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z][A-Za-z0-9_.]*$")
    schema_version: int = Field(default=1, ge=1)
    aggregate_type: str = Field(min_length=1, max_length=100)
    aggregate_id: str = Field(min_length=1, max_length=200)
    aggregate_version: int | None = Field(default=None, ge=1)
    occurred_at: AwareDatetime = Field(default_factory=utc_now)
    correlation_id: str = Field(min_length=1, max_length=128)
    causation_id: str = Field(min_length=1, max_length=128)
    actor: Actor = SYSTEM_ACTOR
    trace: TraceContext = TraceContext()
    payload: dict[str, JsonValue] = Field(default_factory=dict)

    @classmethod
    def originate(cls, **fields: Any) -> Self:
        """A message that starts a conversation: it is its own correlation and causation."""
        message_id = fields.pop("id", None) or new_id()
        return cls(id=message_id, correlation_id=message_id, causation_id=message_id, **fields)

    def caused(self, **fields: Any) -> Envelope:
        """A message caused by this one: same correlation, causation = this id, same actor and trace."""
        fields.setdefault("actor", self.actor)
        fields.setdefault("trace", self.trace)
        return Envelope(correlation_id=self.correlation_id, causation_id=self.id, **fields)

    def attributes(self) -> dict[str, str]:
        """Pub/Sub message attributes: the routing fields as strings (absent ones left out)."""
        attributes = {
            name: str(value) for name in ATTRIBUTE_FIELDS if (value := getattr(self, name)) is not None
        }
        attributes["actor_uid"] = self.actor.uid
        attributes["actor_role"] = self.actor.role
        if self.trace.traceparent:
            attributes["traceparent"] = self.trace.traceparent
        return attributes

    def to_data(self) -> bytes:
        """The Pub/Sub message body."""
        return self.model_dump_json().encode()

    @classmethod
    def from_data(cls, data: bytes) -> Envelope:
        """Parse a Pub/Sub message body; a body that is not an envelope raises `EnvelopeError`."""
        try:
            return cls.model_validate_json(data)
        except ValidationError as error:
            raise EnvelopeError(f"message body is not a valid envelope: {error}") from error
