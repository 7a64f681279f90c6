"""Subscriptions end to end: an order followed live over Server-Sent Events, as the web app's graphql-sse
client asks for it (POST, `Accept: text/event-stream`), from the GraphQL function over real HTTP; and
every saga's changes, as the console's saga monitor follows them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests

from emulators.demo import DEMO_USERS
from tests.e2e.conftest import GraphQL, Stack, until

FOLLOW = "subscription($id: ID!) { order(id: $id) { status version saga { status version } } }"
FOLLOW_SAGA = "subscription($id: ID!) { saga(orderId: $id) { status version } }"
SAGA_CHANGES = "subscription { sagaChanges { orderId status version } }"
PLACE = """mutation($input: PlaceOrderInput!) { placeOrder(input: $input, wait: false) { aggregateId } }"""
LIFECYCLE = ["PLACED", "RESERVED", "SHIPPING", "COMPLETED"]
STREAM_SECONDS = 90


@contextmanager
def _opened(api: GraphQL, query: str, variables: dict[str, Any]) -> Iterator[Iterator[tuple[str, str]]]:
    """The stream's (event, data) pairs as they come."""
    headers = {"Accept": "text/event-stream"}
    if api.token:
        headers["Authorization"] = f"Bearer {api.token}"
    with requests.post(
        api.url,
        json={"query": query, "variables": variables},
        headers=headers,
        stream=True,
        timeout=(5, STREAM_SECONDS),
    ) as response:
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"].startswith("text/event-stream")
        yield _events(response.iter_lines(decode_unicode=True))


def _events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    event, data = "", ""
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data:"):
            data = line.removeprefix("data:").strip()
        elif line == "" and event:
            yield event, data
            event, data = "", ""


def _stream(api: GraphQL, query: str, variables: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (event, data) of the stream, until it completes."""
    events: list[tuple[str, str]] = []
    with _opened(api, query, variables) as stream:
        for event in stream:
            events.append(event)
            if event[0] == "complete":
                return events
    raise AssertionError(f"the stream ended without `complete`: {events}")


def _results(events: list[tuple[str, str]]) -> list[dict[str, Any]]:
    assert events[-1] == ("complete", "")
    assert all(event == "next" for event, _ in events[:-1]), events
    return [json.loads(data) for _, data in events[:-1]]


def _place(api: GraphQL, product_id: str) -> str:
    variables = {
        "input": {
            "lines": [{"productId": product_id, "quantity": 1}],
            "paymentToken": "tok_ok",
            "shippingAddress": "1 Market Street, Springfield",
        }
    }
    order_id: str = api.data(PLACE, variables)["placeOrder"]["aggregateId"]
    return order_id


def test_an_order_followed_live_shows_each_move_until_it_completes(stack: Stack) -> None:
    writer = stack.signed_in(*DEMO_USERS["writer"])
    order_id = _place(writer, stack.product(stock=3))
    results = _results(_stream(writer, FOLLOW, {"id": order_id}))
    assert all("errors" not in result for result in results), results
    orders = [result["data"]["order"] for result in results if result["data"]["order"] is not None]
    statuses = [order["status"] for order in orders]
    assert statuses[-1] == "COMPLETED", statuses
    assert len(results) > 1, "the order as it stood, then at least one change"
    # Each result shows something new (the order or its saga moved), in the order's own order.
    assert [LIFECYCLE.index(status) for status in statuses] == sorted(LIFECYCLE.index(s) for s in statuses)
    assert len({json.dumps(order, sort_keys=True) for order in orders}) == len(orders)
    # Its saga, followed once the order completed: the saga as it stands, until it has ended too.
    sagas = [result["data"]["saga"] for result in _results(_stream(writer, FOLLOW_SAGA, {"id": order_id}))]
    assert sagas[-1]["status"] == "COMPLETED", sagas


def test_someone_elses_order_streams_null_and_ends(stack: Stack) -> None:
    writer = stack.signed_in(*DEMO_USERS["writer"])
    order_id = _place(writer, stack.product(stock=3))
    stranger = stack.signed_in("stranger-live@kiroku.local", "stranger-password")
    until(lambda: writer.data("query($id: ID!) { order(id: $id) { id } }", {"id": order_id})["order"])
    assert _results(_stream(stranger, FOLLOW, {"id": order_id})) == [{"data": {"order": None}}]


def test_a_subscription_needs_sign_in_and_an_event_stream(stack: Stack) -> None:
    anonymous = GraphQL(stack.admin.url)
    [refused] = _results(_stream(anonymous, FOLLOW, {"id": "any-order"}))
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", refused
    writer = stack.signed_in(*DEMO_USERS["writer"])
    plain = requests.post(
        writer.url,
        json={"query": FOLLOW, "variables": {"id": "any-order"}},
        headers={"Authorization": f"Bearer {writer.token}"},
        timeout=30,
    )
    assert plain.status_code == 400
    [error] = plain.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert "text/event-stream" in error["message"]


def test_the_saga_monitor_hears_each_sagas_changes_as_they_happen(stack: Stack) -> None:
    writer = stack.signed_in(*DEMO_USERS["writer"])
    heard: list[dict[str, Any]] = []
    with _opened(stack.admin, SAGA_CHANGES, {}) as stream:
        order_id = _place(writer, stack.product(stock=3))
        for event, data in stream:
            assert event == "next", (event, data)
            change = json.loads(data)["data"]["sagaChanges"]
            if change["orderId"] == order_id:
                heard.append(change)
                if change["status"] == "COMPLETED":
                    break
    assert heard[-1]["status"] == "COMPLETED", heard
    assert [change["version"] for change in heard] == sorted({change["version"] for change in heard})
    assert len(heard) > 1, "the saga was heard of before it completed too"


def test_only_an_admin_hears_every_sagas_changes(stack: Stack) -> None:
    writer = stack.signed_in(*DEMO_USERS["writer"])
    [refused] = _results(_stream(writer, SAGA_CHANGES, {}))
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN", refused
