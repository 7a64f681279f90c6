"""Read models kept from events: applied idempotently and in version order, rebuildable at any time.

A projection is a pure fold of one aggregate's events into one record. The projector around it makes
delivery safe: an event at or below the record's version is a duplicate and changes nothing; otherwise
the events from the record's next version up to the delivered one are read from the event store and
applied, so a gap (events not delivered yet) is caught up, and what is applied is what the store holds,
never the payload handed in: an event the store does not hold changes nothing. The read-model store's
version guard settles races between instances.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, JsonValue

from shared.application.aggregates import (
    CATEGORY,
    ORDER,
    PRODUCT,
    AggregateKind,
    ends_with,
    ignore_unrecorded,
)
from shared.application.product_search import NAME_GRAMS, PRICE_UNITS, name_grams, price_units
from shared.messages.catalogue import (
    CategoryCreated,
    CategoryUpdated,
    ProductCreated,
    ProductDeleted,
    ProductPriceChanged,
    ProductUpdated,
    StockAdjusted,
)
from shared.messages.envelope import Envelope
from shared.messages.orders import (
    OrderCancellationRequested,
    OrderCancelled,
    OrderCompleted,
    OrderPaid,
    OrderPlaced,
    OrderReserved,
    OrderShippingStarted,
    ReservationCommitted,
    ReservationReleased,
    StockReservationFailed,
    StockReserved,
)
from shared.storage import Storage

logger = logging.getLogger(__name__)

Record = dict[str, JsonValue]
# A fold step: the record so far (None before the first event), the parsed event and its envelope;
# returns the next record, or None when the aggregate is gone.
Apply = Callable[[Record | None, Any, Envelope], Record | None]


@dataclass(frozen=True)
class Projection:
    model: str
    aggregate: AggregateKind[Any]
    apply: Apply


def _stamped(record: Record | None, envelope: Envelope, **fields: JsonValue) -> Record:
    at = envelope.occurred_at.isoformat()
    base: Record = dict(record) if record is not None else {"id": envelope.aggregate_id, "created_at": at}
    return {**base, **fields, "updated_at": at}


def _category(record: Record | None, event: BaseModel, envelope: Envelope) -> Record | None:
    if isinstance(event, CategoryCreated | CategoryUpdated):
        return _stamped(record, envelope, name=event.name, description=event.description)
    return None


def _product(record: Record | None, event: BaseModel, envelope: Envelope) -> Record | None:
    if isinstance(event, ProductCreated):
        return _stamped(
            record,
            envelope,
            name=event.name,
            description=event.description,
            price=event.price.model_dump(mode="json")["amount"],
            currency=event.price.currency,
            category_id=event.category_id,
            stock=event.stock,
            available=event.stock,
            in_stock=event.stock > 0,
            **_searchable(event.name, event.price.amount),
        )
    if record is None or isinstance(event, ProductDeleted):
        return None
    if isinstance(event, ProductUpdated):
        return _stamped(
            record,
            envelope,
            name=event.name,
            description=event.description,
            category_id=event.category_id,
            **{NAME_GRAMS: list[JsonValue](name_grams(event.name))},
        )
    if isinstance(event, ProductPriceChanged):
        return _stamped(
            record,
            envelope,
            price=event.price.model_dump(mode="json")["amount"],
            currency=event.price.currency,
            **{PRICE_UNITS: price_units(event.price.amount)},
        )
    if isinstance(event, StockAdjusted):
        return _with_stock(record, envelope, event.stock, _available(record) + event.delta)
    if isinstance(event, StockReserved):
        return _with_stock(record, envelope, _stock(record), event.available)
    if isinstance(event, ReservationReleased):
        return _with_stock(record, envelope, _stock(record), _available(record) + event.quantity)
    if isinstance(event, ReservationCommitted):
        return _with_stock(record, envelope, event.stock, _available(record))
    if isinstance(event, StockReservationFailed):
        return _stamped(record, envelope)
    raise TypeError(f"the products projection does not know {type(event).__name__}")


def _searchable(name: str, price: Decimal) -> Record:
    """The forms a catalogue search filters on in the store (shared/application/product_search.py)."""
    return {NAME_GRAMS: list[JsonValue](name_grams(name)), PRICE_UNITS: price_units(price)}


def _stock(record: Record) -> int:
    stock = record["stock"]
    assert isinstance(stock, int)
    return stock


def _available(record: Record) -> int:
    """Stock not held by reservations; records written before reservations existed hold none."""
    available = record.get("available", record["stock"])
    assert isinstance(available, int)
    return available


def _with_stock(record: Record, envelope: Envelope, stock: int, available: int) -> Record:
    return _stamped(record, envelope, stock=stock, available=available, in_stock=available > 0)


_ORDER_STATUS: dict[type[BaseModel], str] = {
    OrderReserved: "RESERVED",
    OrderPaid: "PAID",
    OrderShippingStarted: "SHIPPING",
    OrderCompleted: "COMPLETED",
    OrderCancellationRequested: "CANCELLING",
    OrderCancelled: "CANCELLED",
}


def _order(record: Record | None, event: BaseModel, envelope: Envelope) -> Record | None:
    at = envelope.occurred_at.isoformat()
    if isinstance(event, OrderPlaced):
        return _stamped(
            record,
            envelope,
            customer_id=event.customer_id,
            status="PLACED",
            lines=[
                {
                    "product_id": line.product_id,
                    "quantity": line.quantity,
                    "unit_price": line.unit_price.model_dump(mode="json")["amount"],
                }
                for line in event.lines
            ],
            total=event.total.model_dump(mode="json")["amount"],
            currency=event.total.currency,
            status_history=[{"status": "PLACED", "at": at, "reason": None}],
            cancel_reason=None,
            cancel_detail=None,
        )
    if record is None:
        raise ValueError(f"order {envelope.aggregate_id}: {type(event).__name__} before OrderPlaced")
    status = _ORDER_STATUS[type(event)]
    reason = getattr(event, "reason", None)
    history = record.get("status_history")
    assert isinstance(history, list)
    fields: dict[str, JsonValue] = {
        "status": status,
        "status_history": [*history, {"status": status, "at": at, "reason": reason}],
    }
    if isinstance(event, OrderCancelled):
        fields |= {"cancel_reason": event.reason, "cancel_detail": event.detail}
    return _stamped(record, envelope, **fields)


CATEGORIES = Projection("categories", CATEGORY, _category)
PRODUCTS = Projection("products", PRODUCT, _product)
ORDERS = Projection("orders", ORDER, _order)
PROJECTIONS = {projection.model: projection for projection in (CATEGORIES, PRODUCTS, ORDERS)}


def _fold(projection: Projection, record: Record | None, events: Iterable[Envelope]) -> Record | None:
    for envelope in events:
        record = projection.apply(record, projection.aggregate.parse_event(envelope), envelope)
    return record


class Projector:
    """Applies one aggregate type's events to one read model."""

    def __init__(self, projection: Projection, storage: Storage) -> None:
        self.projection = projection
        self._events = storage.events
        self._read_models = storage.read_models

    def handle(self, envelope: Envelope) -> bool:
        """Apply `envelope` (and any earlier events not yet applied); False if it changed nothing."""
        projection = self.projection
        version = envelope.aggregate_version
        if envelope.aggregate_type != projection.aggregate.aggregate_type or version is None:
            return False
        key = envelope.aggregate_id
        current = self._read_models.get(projection.model, key)
        known = current.version if current is not None else 0
        if version <= known:
            return False
        stream_id = projection.aggregate.stream_id(key)
        events = self._events.read_stream(stream_id, known + 1, limit=version - known)
        if not ends_with(events, envelope):
            ignore_unrecorded(projection.model, envelope)
            return False
        if len(events) != version - known:
            raise RuntimeError(
                f"{stream_id} has {len(events)} events after {known}, expected {version - known}"
            )
        if version > known + 1:
            logger.info(
                "%s %s: caught up versions %d..%d from the store", projection.model, key, known + 1, version
            )
        record = _fold(projection, current.data if current is not None else None, events)
        if record is None:
            return self._read_models.delete(projection.model, key, version)
        return self._read_models.upsert(projection.model, key, record, version)


@dataclass(frozen=True)
class RebuildReport:
    model: str
    events: int
    records: int


def fold_log(
    projection: Projection, storage: Storage, progress: Callable[[int], None] | None = None
) -> tuple[dict[str, tuple[int, Record | None]], int]:
    """Every record of the read model as the whole event store folds it: key -> (version, record or None
    when the aggregate is gone), and how many events were folded."""
    folded: dict[str, tuple[int, Record | None]] = {}
    seen = 0
    for stored in storage.events.iter_log():
        if stored.aggregate_type != projection.aggregate.aggregate_type:
            continue
        envelope = storage.events.envelope(stored)
        _, record = folded.get(stored.aggregate_id, (0, None))
        folded[stored.aggregate_id] = (stored.version, _fold(projection, record, [envelope]))
        seen += 1
        if progress is not None:
            progress(seen)
    return folded, seen


def rebuild(
    projection: Projection, storage: Storage, progress: Callable[[int], None] | None = None
) -> RebuildReport:
    """Drop the read model and fold every stream of its aggregate type again from the event store."""
    folded, seen = fold_log(projection, storage, progress)
    storage.read_models.drop(projection.model)
    live = 0
    for key, (version, record) in folded.items():
        if record is None:
            storage.read_models.delete(projection.model, key, version)
        else:
            storage.read_models.upsert(projection.model, key, record, version)
            live += 1
    return RebuildReport(projection.model, seen, live)
