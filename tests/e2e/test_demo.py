"""The demo data `make run` loads, on each backend: the catalogue and the demo writer's orders, which end
in the states they are meant to show, and which loading again does not place twice."""

from __future__ import annotations

from typing import Any

from emulators.demo import DEMO_ORDERS, DEMO_USERS, load_demo_catalogue, place_demo_orders
from tests.e2e.conftest import Stack, until

SETTLED = ("COMPLETED", "CANCELLED")
ORDERS = "{ orders(first: 100) { edges { node { id status cancelReason waiting { partner } } } } }"


def test_the_demo_writer_has_orders_in_different_states_once(stack: Stack) -> None:
    load_demo_catalogue(stack.admin.url, stack.admin.token or "")
    writer = stack.signed_in(*DEMO_USERS["writer"])
    assert writer.token is not None

    placed = place_demo_orders(writer.url, writer.token)

    assert placed == [order.order_id for order in DEMO_ORDERS]

    def shown() -> dict[str, Any] | None:
        """The demo orders once the first three have ended and the last waits on the bank."""
        nodes = [edge["node"] for edge in writer.data(ORDERS)["orders"]["edges"]]
        orders = {node["id"]: node for node in nodes if node["id"] in placed}
        ended = [
            orders.get(order_id, {}).get("status") in ("COMPLETED", "CANCELLED") for order_id in placed[:3]
        ]
        return orders if all(ended) and orders.get("demo-waiting", {}).get("waiting") else None

    orders = until(shown, timeout=60)
    assert {order_id: (order["status"], order["cancelReason"]) for order_id, order in orders.items()} == {
        "demo-completed": ("COMPLETED", None),
        "demo-declined": ("CANCELLED", "PAYMENT_DECLINED"),
        "demo-cancelled": ("CANCELLED", "CANCELLED_BY_CUSTOMER"),
        "demo-waiting": (orders["demo-waiting"]["status"], None),
    }
    assert orders["demo-waiting"]["waiting"] == {"partner": "payment gateway"}
    assert orders["demo-waiting"]["status"] not in ("COMPLETED", "CANCELLING", "CANCELLED")

    assert place_demo_orders(writer.url, writer.token) == []
    listed = [edge["node"]["id"] for edge in writer.data(ORDERS)["orders"]["edges"]]
    assert sorted(order_id for order_id in listed if order_id.startswith("demo-")) == sorted(placed)
