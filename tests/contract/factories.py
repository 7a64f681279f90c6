"""Messages for the contract tests: events of one aggregate type with payloads that exercise JSON's corners,
and Kiroku's commands as their senders would send them."""

from __future__ import annotations

from typing import Any

from shared.application.registry import COMMAND_ROUTES
from shared.messages.envelope import Actor, Envelope

AGGREGATE_TYPE = "Counter"


def event(aggregate_id: str, event_type: str = "Incremented", **fields: Any) -> Envelope:
    payload = fields.pop("payload", {"by": 1})
    return Envelope.originate(
        kind="event",
        type=event_type,
        aggregate_type=AGGREGATE_TYPE,
        aggregate_id=aggregate_id,
        payload=payload,
        **fields,
    )


def events(aggregate_id: str, count: int, start: int = 0) -> list[Envelope]:
    return [event(aggregate_id, payload={"by": start + i, "note": f"n°{start + i} ✓"}) for i in range(count)]


def fold(state: dict[str, Any], history: list[Envelope]) -> dict[str, Any]:
    """A tiny aggregate: a running total and count, so snapshot + tail can be compared with a full fold."""
    total, seen = int(state.get("total", 0)), int(state.get("seen", 0))
    for item in history:
        total += int(item.payload["by"])  # type: ignore[arg-type]
        seen += 1
    return {"total": total, "seen": seen}


def command(command_type: str, actor: Actor, **payload: Any) -> Envelope:
    """A command envelope addressed to the aggregate its payload names, as the API or the saga sends it."""
    route = COMMAND_ROUTES[command_type]
    return Envelope.originate(
        kind="command",
        type=command_type,
        aggregate_type=route.aggregate.aggregate_type,
        aggregate_id=route.aggregate_id(payload),
        actor=actor,
        payload=payload,
    )


def create_product(
    actor: Actor, product_id: str = "p-1", name: str = "Sencha", price: str = "4.50", **fields: Any
) -> Envelope:
    """A CreateProduct of a tea in category c-1, priced in EUR."""
    return command(
        "CreateProduct",
        actor,
        product_id=product_id,
        name=name,
        price={"amount": price, "currency": "EUR"},
        category_id="c-1",
        **fields,
    )
