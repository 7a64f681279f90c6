"""How each aggregate is stored: its stream, its pure decide/evolve, its events and its snapshot shape.

One `AggregateKind` per aggregate type lets a single command handler serve every command: the kind says
which stream an aggregate id names, how to rebuild the state (snapshot + later events) and how to turn
decided events into envelopes. Which commands each aggregate takes is the command registry's to say
(shared/application/registry.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter

from shared.domain.categories import CategoryState, decide_category, evolve_category
from shared.domain.fulfilment import SagaState, decide_saga, evolve_saga
from shared.domain.orders import OrderState, decide_order, evolve_order
from shared.domain.payments import PaymentState, decide_payment, evolve_payment
from shared.domain.products import ProductState, decide_product, evolve_product
from shared.domain.shipments import ShipmentState, decide_shipment, evolve_shipment
from shared.eventstore.model import LoadedStream, Snapshot
from shared.eventstore.store import EventStore
from shared.messages.catalogue import CATEGORY_EVENTS, PRODUCT_EVENTS
from shared.messages.envelope import Envelope
from shared.messages.fulfilment import SAGA_EVENTS
from shared.messages.orders import ORDER_EVENTS, PAYMENT_EVENTS, RESERVATION_EVENTS, SHIPMENT_EVENTS
from shared.observability.metrics import EVENTS_NOT_IN_STORE
from shared.observability.tracing import continued_trace

logger = logging.getLogger(__name__)

State = TypeVar("State")


@dataclass(frozen=True)
class AggregateKind(Generic[State]):
    """Everything generic code needs to know about one aggregate type."""

    aggregate_type: str
    initial: State
    decide: Callable[[State, Any, Any], Sequence[BaseModel]]
    evolve: Callable[[State, Any], State]
    events: Mapping[str, type[BaseModel]]
    snapshot_every: int | None  # None: never
    state_schema_version: int = 1

    def stream_id(self, aggregate_id: str) -> str:
        return f"{self.aggregate_type}-{aggregate_id}"

    def parse_event(self, envelope: Envelope) -> BaseModel:
        return self.events[envelope.type].model_validate(envelope.payload)

    def fold(self, loaded: LoadedStream) -> State:
        """The state after the snapshot (if any) and every event after it."""
        adapter: TypeAdapter[State] = TypeAdapter(type(self.initial))
        start = (
            adapter.validate_python(loaded.snapshot.state) if loaded.snapshot is not None else self.initial
        )
        return reduce(self.evolve, (self.parse_event(envelope) for envelope in loaded.events), start)

    def envelopes(
        self,
        cause: Envelope,
        aggregate_id: str,
        version: int,
        decided: Sequence[BaseModel],
        **fields: Any,
    ) -> list[Envelope]:
        """Decided events as envelopes caused by `cause`, numbered on from the stream's `version`."""
        return [
            cause.caused(
                kind="event",
                trace=continued_trace(cause.trace),
                type=type(event).__name__,
                aggregate_type=self.aggregate_type,
                aggregate_id=aggregate_id,
                aggregate_version=version + offset,
                payload=event.model_dump(mode="json"),
                **fields,
            )
            for offset, event in enumerate(decided, start=1)
        ]

    def snapshot(self, stream_id: str, version: int, state: State) -> Snapshot:
        adapter: TypeAdapter[State] = TypeAdapter(type(self.initial))
        return Snapshot(
            stream_id=stream_id,
            aggregate_type=self.aggregate_type,
            version=version,
            state=adapter.dump_python(state, mode="json"),
            schema_version=self.state_schema_version,
        )


CATEGORY: AggregateKind[CategoryState] = AggregateKind(
    aggregate_type="Category",
    initial=CategoryState(),
    decide=decide_category,
    evolve=evolve_category,
    events=CATEGORY_EVENTS,
    snapshot_every=100,
)

# Reservations live on the product's stream: one version decides them and stock adjustments together.
PRODUCT: AggregateKind[ProductState] = AggregateKind(
    aggregate_type="Product",
    initial=ProductState(),
    decide=decide_product,
    evolve=evolve_product,
    events={**PRODUCT_EVENTS, **RESERVATION_EVENTS},
    snapshot_every=50,
)

ORDER: AggregateKind[OrderState] = AggregateKind(
    aggregate_type="Order",
    initial=OrderState(),
    decide=decide_order,
    evolve=evolve_order,
    events=ORDER_EVENTS,
    snapshot_every=100,
)

PAYMENT: AggregateKind[PaymentState] = AggregateKind(
    aggregate_type="Payment",
    initial=PaymentState(),
    decide=decide_payment,
    evolve=evolve_payment,
    events=PAYMENT_EVENTS,
    snapshot_every=100,
)

SHIPMENT: AggregateKind[ShipmentState] = AggregateKind(
    aggregate_type="Shipment",
    initial=ShipmentState(),
    decide=decide_shipment,
    evolve=evolve_shipment,
    events=SHIPMENT_EVENTS,
    snapshot_every=100,
)

# The saga takes events, not commands: its handler decides (shared/application/fulfilment.py). Its stream is
# never snapshotted, so its whole history stays one read away.
SAGA: AggregateKind[SagaState] = AggregateKind(
    aggregate_type="FulfilmentSaga",
    initial=SagaState(),
    decide=decide_saga,
    evolve=evolve_saga,
    events=SAGA_EVENTS,
    snapshot_every=None,
)

KINDS: dict[str, AggregateKind[Any]] = {
    kind.aggregate_type: kind for kind in (CATEGORY, PRODUCT, ORDER, PAYMENT, SHIPMENT, SAGA)
}


def as_recorded(events: EventStore, envelope: Envelope) -> Envelope | None:
    """The event as the store holds it, or None when the store holds no such event (the same id at the
    same version of its aggregate's stream).

    Consumers act on this, never on the payload they were handed: a message that did not come from a
    committed append (one forged by anyone who may publish to the events topic) changes nothing.
    """
    kind = KINDS.get(envelope.aggregate_type)
    version = envelope.aggregate_version
    if kind is None or version is None:
        return None
    stored = events.read_stream(kind.stream_id(envelope.aggregate_id), version, limit=1)
    return stored[0] if ends_with(stored, envelope) else None


def ends_with(stored: Sequence[Envelope], envelope: Envelope) -> bool:
    """Whether events read from the store end with `envelope` (its id at its version)."""
    return bool(stored) and (stored[-1].id, stored[-1].aggregate_version) == (
        envelope.id,
        envelope.aggregate_version,
    )


def ignore_unrecorded(consumer: str, envelope: Envelope) -> None:
    """Count and log a delivered event the store does not hold: the consumer changes nothing for it."""
    EVENTS_NOT_IN_STORE.labels(consumer).inc()
    logger.warning(
        "%s: %s %s v%s is not in the event store; ignored",
        consumer,
        envelope.type,
        envelope.aggregate_id,
        envelope.aggregate_version,
    )
