"""Orders through the whole stack: GraphQL, every command and saga function, the fake gateway, both stores.

The stack's bus duplicates, delays and (for `lost-` orders' shipments) loses deliveries (conftest.py),
so every outcome here is also an outcome under at-least-once, out-of-order delivery.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from emulators.demo import DEMO_USERS
from emulators.fake_gateway import FakeGatewayClient
from shared.domain.fulfilment import CUSTOMER_MESSAGES
from tests.e2e.conftest import (
    BREAKER_RESET_SECONDS,
    CRASH_PREFIX,
    HELD_PREFIX,
    LOST_PREFIX,
    PAYING_DEADLINE_SECONDS,
    REFUNDING_DEADLINE_SECONDS,
    SHIPPING_DEADLINE_SECONDS,
    UNREFUNDED_PREFIX,
    GraphQL,
    Stack,
    until,
)

ORDER_FIELDS = """
    id status total currency cancelReason cancelDetail customerId
    lines { productId quantity unitPrice }
    statusHistory { status reason }
    saga { status step failure history { event step detail causationId commands } }
"""
PLACE = f"""
mutation Place($input: PlaceOrderInput!, $wait: Boolean!, $commandId: ID) {{
  placeOrder(input: $input, wait: $wait, commandId: $commandId) {{
    commandId status aggregateId error {{ code message field }} order {{ {ORDER_FIELDS} }}
  }}
}}"""
SETTLE_SECONDS = 90


@pytest.fixture
def writer(stack: Stack) -> GraphQL:
    return stack.signed_in(*DEMO_USERS["writer"])


def _stock(stack: Stack, product_id: str) -> dict[str, Any]:
    product: dict[str, Any] = stack.admin.data(f'{{ product(id: "{product_id}") {{ stock inStock }} }}')[
        "product"
    ]
    return product


def _place(
    api: GraphQL,
    lines: list[tuple[str, int]],
    token: str = "tok_ok",  # noqa: S107 - the fake gateway's card that pays
    address: str = "1 Market Street, Springfield",
    order_id: str | None = None,
    wait: bool = True,
    command_id: str | None = None,
) -> dict[str, Any]:
    variables = {
        "commandId": command_id,
        "input": {
            "id": order_id,
            "lines": [{"productId": product, "quantity": quantity} for product, quantity in lines],
            "paymentToken": token,
            "shippingAddress": address,
        },
        "wait": wait,
    }
    result: dict[str, Any] = api.data(PLACE, variables)["placeOrder"]
    return result


def _settled(api: GraphQL, order_id: str, within: float = SETTLE_SECONDS) -> dict[str, Any]:
    """The order once it and its saga have both ended."""
    deadline = time.monotonic() + within
    while True:
        order: dict[str, Any] | None = api.data(f'{{ order(id: "{order_id}") {{ {ORDER_FIELDS} }} }}')[
            "order"
        ]
        ended = (
            order is not None
            and order["status"] in ("COMPLETED", "CANCELLED")
            and order["saga"]["status"] == order["status"]
        )
        if ended or time.monotonic() > deadline:
            assert ended, order
            assert order is not None
            return order
        time.sleep(0.25)


def _payment(stack: Stack, order_id: str) -> dict[str, Any]:
    response = requests.get(f"{stack.gateway_url}/payments/{order_id}", timeout=10)
    if response.status_code == 404:
        return {"charges": 0, "refunded": False, "capture_requests": 0}
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def _statuses(order: dict[str, Any]) -> list[str]:
    return [change["status"] for change in order["statusHistory"]]


def test_an_order_completes_with_stock_taken_and_one_charge(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=5)
    placed = _place(writer, [(product_id, 2)])
    assert placed["status"] == "ACCEPTED", placed
    order = _settled(writer, placed["aggregateId"])
    assert order["status"] == "COMPLETED", order
    assert order["total"] == "25.00"
    assert order["currency"] == "EUR"
    assert order["lines"] == [{"productId": product_id, "quantity": 2, "unitPrice": "12.50"}]
    statuses = _statuses(order)
    assert statuses[0] == "PLACED"
    # Paid and shipping are one step; RESERVED shows on the way, unless its command came late.
    assert statuses[-2:] == ["SHIPPING", "COMPLETED"]
    assert _stock(stack, product_id) == {"stock": 3, "inStock": True}
    payment = _payment(stack, order["id"])
    assert payment["charges"] == 1
    assert not payment["refunded"]
    events = [entry["event"] for entry in order["saga"]["history"]]
    assert events[0] == "SagaStarted"
    assert events[-1] == "SagaEnded"
    assert all(entry["causationId"] for entry in order["saga"]["history"])


def test_a_declined_payment_cancels_and_restores_stock(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=4)
    placed = _place(writer, [(product_id, 3)], token="tok_decline_insufficient_funds")
    order = _settled(writer, placed["aggregateId"])
    assert order["status"] == "CANCELLED"
    assert order["cancelReason"] == "PAYMENT_DECLINED"
    # The customer is told a stable message; the admin sees what the gateway said.
    assert order["cancelDetail"] == CUSTOMER_MESSAGES["PAYMENT_DECLINED"], order
    assert order["saga"]["history"]
    assert not any(entry["detail"] for entry in order["saga"]["history"])
    saga = stack.admin.data(f'{{ saga(orderId: "{order["id"]}") {{ failureDetail }} }}')["saga"]
    assert "HTTP 402" in saga["failureDetail"], saga
    assert _stock(stack, product_id) == {"stock": 4, "inStock": True}
    assert _payment(stack, order["id"])["charges"] == 0


def test_a_payment_that_fails_twice_then_succeeds_completes(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=2)
    placed = _place(writer, [(product_id, 1)], token="tok_flaky")
    order = _settled(writer, placed["aggregateId"])
    assert order["status"] == "COMPLETED", order
    payment = _payment(stack, order["id"])
    assert payment["charges"] == 1
    # Two refusals, then the capture; a duplicated delivery of the command may ask once more (the e2e
    # bus duplicates), and the gateway's idempotency key still makes it one charge.
    assert payment["capture_requests"] >= 3
    # The saga commits the reservation as it completes the order: the product's read model may show it
    # a moment after the order.
    until(lambda: _stock(stack, product_id)["stock"] == 1, timeout=30)


def test_a_failed_shipment_refunds_and_restores_stock(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=3)
    placed = _place(writer, [(product_id, 3)], address="UNDELIVERABLE, Nowhere")
    order = _settled(writer, placed["aggregateId"])
    assert order["status"] == "CANCELLED"
    assert order["cancelReason"] == "SHIPPING_FAILED"
    payment = _payment(stack, order["id"])
    assert payment["charges"] == 1
    assert payment["refunded"]
    assert _stock(stack, product_id) == {"stock": 3, "inStock": True}
    steps = [entry["step"] for entry in order["saga"]["history"] if entry["event"] == "CommandsIssued"]
    assert steps[-3:] == ["REFUNDING", "RELEASING", "CANCELLING"]


def test_a_product_deleted_before_its_reservation_cancels_the_order_as_unavailable(
    stack: Stack, writer: GraphQL
) -> None:
    # The reservation of a held- product arrives HELD_SECONDS late: the admin deletes it in between.
    product_id = stack.product(stock=2, prefix=HELD_PREFIX)
    order_id = _place(writer, [(product_id, 1)], wait=False)["aggregateId"]
    _until(lambda: stack.storage.events.stream_version(f"FulfilmentSaga-{order_id}"), 30, "saga")
    deleted = stack.admin.data(f'mutation {{ deleteProduct(id: "{product_id}") {{ status }} }}')
    assert deleted["deleteProduct"]["status"] == "ACCEPTED"
    order = _settled(writer, order_id)
    assert (order["status"], order["cancelReason"]) == ("CANCELLED", "PRODUCT_UNAVAILABLE"), order
    assert _payment(stack, order_id)["capture_requests"] == 0


def test_a_refund_with_no_answer_is_sent_again_past_its_deadline(
    stack: Stack, writer: GraphQL, caplog: pytest.LogCaptureFixture
) -> None:
    # The shipment is refused, so the payment is refunded; the first RefundPayment never arrives. The
    # compensating step cannot give up: its deadline sends the refund again, which is applied once.
    product_id = stack.product(stock=1)
    order_id = f"{UNREFUNDED_PREFIX}{uuid.uuid4().hex[:10]}"
    with caplog.at_level(logging.WARNING, logger="emulators.runner"):
        _place(writer, [(product_id, 1)], address="UNDELIVERABLE, Nowhere", order_id=order_id, wait=False)
        order = _settled(writer, order_id, within=SETTLE_SECONDS + REFUNDING_DEADLINE_SECONDS)
    assert "fault injection: refund-payment never receives RefundPayment" in caplog.text
    assert (order["status"], order["cancelReason"]) == ("CANCELLED", "SHIPPING_FAILED"), order
    refunds = [
        entry
        for entry in order["saga"]["history"]
        if entry["event"] == "CommandsIssued" and entry["step"] == "REFUNDING"
    ]
    assert len(refunds) >= 2, order["saga"]["history"]  # sent, then sent again by the deadline sweep
    payment = _payment(stack, order["id"])
    assert (payment["charges"], payment["refunded"]) == (1, True), payment
    assert _stock(stack, product_id) == {"stock": 1, "inStock": True}


def test_a_customer_cancel_mid_saga_refunds_a_capture_in_flight(stack: Stack, writer: GraphQL) -> None:
    order_id, product_id = _cancelled_while_paying(stack, writer, writer, 2, "changed my mind")
    order = _settled(writer, order_id)
    assert order["status"] == "CANCELLED"
    assert order["cancelReason"] == "CANCELLED_BY_CUSTOMER"
    assert "CANCELLING" in _statuses(order)
    payment = _payment(stack, order_id)
    # Caught in flight the capture is refunded; one that had not reached the gateway is never taken.
    assert payment["refunded"] if payment["charges"] else payment["capture_requests"] == 0, payment
    assert _stock(stack, product_id) == {"stock": 2, "inStock": True}


def test_an_admin_cancels_a_customers_order_mid_saga(stack: Stack, writer: GraphQL) -> None:
    order_id, product_id = _cancelled_while_paying(stack, writer, stack.admin, 1, "suspected fraud")
    order = _settled(writer, order_id)
    assert (order["status"], order["cancelReason"]) == ("CANCELLED", "CANCELLED_BY_ADMIN"), order
    payment = _payment(stack, order_id)
    assert payment["refunded"] if payment["charges"] else payment["capture_requests"] == 0, payment
    assert _stock(stack, product_id) == {"stock": 1, "inStock": True}


def test_orders_by_status_page_newest_first(stack: Stack) -> None:
    customer = stack.signed_in(f"pages-{uuid.uuid4().hex[:8]}@kiroku.local")
    product_id = stack.product(stock=5)
    placed = [_place(customer, [(product_id, 1)])["aggregateId"] for _ in range(3)]
    declined = _place(customer, [(product_id, 1)], token="tok_declined")["aggregateId"]
    for order_id in [*placed, declined]:
        _settled(customer, order_id)
    page = (
        'query($after: String) { orders(first: 2, status: "COMPLETED", after: $after) '
        "{ nodes { id status } pageInfo { hasNextPage hasPreviousPage endCursor } } }"
    )
    first = customer.data(page, {"after": None})["orders"]
    second = customer.data(page, {"after": first["pageInfo"]["endCursor"]})["orders"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasNextPage"] is False
    assert (first["pageInfo"]["hasPreviousPage"], second["pageInfo"]["hasPreviousPage"]) == (False, True)
    listed = [order["id"] for order in first["nodes"] + second["nodes"]]
    assert listed == placed[::-1]
    assert {order["status"] for order in first["nodes"] + second["nodes"]} == {"COMPLETED"}
    cancelled = customer.data('{ orders(status: "CANCELLED") { nodes { id } } }')["orders"]["nodes"]
    assert [order["id"] for order in cancelled] == [declined]


def test_a_step_without_an_answer_is_compensated_after_its_deadline(stack: Stack, writer: GraphQL) -> None:
    # The order's first ShipOrder is lost: the shipping deadline passes with no answer. The saga cancels the
    # order first (no shipment may leave now), asks again, learns that none left, then refunds.
    product_id = stack.product(stock=2)
    started = time.monotonic()
    placed = _place(writer, [(product_id, 1)], order_id=f"{LOST_PREFIX}{uuid.uuid4().hex[:10]}", wait=False)
    shipping = _at_step(writer, placed["aggregateId"], "SHIPPING", within=SETTLE_SECONDS)
    # The step's deadline, as the API shows it: when the sweep will give up on the lost answer.
    deadline = datetime.fromisoformat(shipping["deadline"])
    left = (deadline - datetime.now(UTC)).total_seconds()
    assert 0 < left <= SHIPPING_DEADLINE_SECONDS, shipping
    order = _settled(writer, placed["aggregateId"])
    assert time.monotonic() - started >= SHIPPING_DEADLINE_SECONDS
    assert order["status"] == "CANCELLED"
    assert order["cancelReason"] == "DEADLINE_EXCEEDED"
    assert _statuses(order)[-2:] == ["CANCELLING", "CANCELLED"]
    history = order["saga"]["history"]
    assert "DeadlineMissed" in [entry["event"] for entry in history]
    assert "AWAITING_SHIPMENT" in [entry["step"] for entry in history]
    payment = _payment(stack, order["id"])
    assert payment["charges"] == 1
    assert payment["refunded"]
    shipment = requests.get(f"{stack.gateway_url}/shipments/{order['id']}", timeout=10).json()
    assert shipment["shipments"] == 0
    assert _stock(stack, product_id) == {"stock": 2, "inStock": True}


WAITING = "status statusDetail waiting { partner command attempts since lastAttemptAt nextAttemptAt reason }"


def _cancelled_while_paying(
    stack: Stack, customer: GraphQL, canceller: GraphQL, quantity: int, reason: str, tries: int = 3
) -> tuple[str, str]:
    """An order of `customer`'s for all of a new product's stock, and that product, which `canceller`
    cancelled while its payment was out: the gateway takes 2 s to answer tok_slow, and the cancel races the
    capture and the start of shipping that follows it. On a loaded machine the capture may win; that order
    must then complete, and another one is tried."""
    for _ in range(tries):
        product_id = stack.product(stock=quantity)
        placed = _place(customer, [(product_id, quantity)], token="tok_slow", wait=False)
        order_id = str(placed["aggregateId"])
        _at_step(customer, order_id, "PAYING")
        answer = canceller.post(
            f'mutation {{ cancelOrder(id: "{order_id}", reason: "{reason}") {{ status }} }}'
        )
        if answer["data"]["cancelOrder"]["status"] == "ACCEPTED":
            return order_id, product_id
        assert [error["extensions"]["reason"] for error in answer["errors"]] == ["ORDER_NOT_CANCELLABLE"], (
            answer
        )
        assert _settled(customer, order_id)["status"] == "COMPLETED"
    raise AssertionError(f"the capture won the race against the cancel {tries} times")


def _at_step(api: GraphQL, order_id: str, step: str, within: float = 30) -> dict[str, Any]:
    """The order's saga (its step and the step's deadline) once it is at `step`, polled closely so that
    a step lasting a moment is seen."""
    deadline = time.monotonic() + within
    while True:
        saga: dict[str, Any] | None = api.data(f'{{ saga(orderId: "{order_id}") {{ step deadline }} }}')[
            "saga"
        ]
        if saga is not None and saga["step"] == step:
            return saga
        assert time.monotonic() < deadline, saga
        time.sleep(0.05)


def _until(read: Any, seconds: float, what: str) -> Any:
    """The first non-empty value `read()` gives within `seconds`."""
    deadline = time.monotonic() + seconds
    while not (value := read()):
        assert time.monotonic() < deadline, f"no {what} within {seconds} s"
        time.sleep(0.25)
    return value


def _order_view(api: GraphQL, order_id: str, fields: str) -> dict[str, Any]:
    """The order's `fields`, or {} while its read model does not show it yet."""
    order: dict[str, Any] | None = api.data(f'{{ order(id: "{order_id}") {{ {fields} }} }}')["order"]
    return order or {}


def test_orders_placed_during_a_gateway_outage_complete_once_it_ends(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=3)
    with FakeGatewayClient(stack.gateway_url).outage():
        placed = [_place(writer, [(product_id, 1)], wait=False) for _ in range(3)]
        order_ids = [order["aggregateId"] for order in placed]
        seen = _until(
            lambda: _order_view(writer, order_ids[0], WAITING).get("waiting"), 30, "wait for the gateway"
        )
        shown = _order_view(writer, order_ids[0], WAITING)
        admin_view = _order_view(stack.admin, order_ids[0], WAITING)
    assert (seen["partner"], seen["command"]) == ("payment gateway", "ProcessPayment")
    assert seen["attempts"] >= 1
    # Tried again once the circuit lets a call through: the runner's policy (as the test stack shortened
    # it), which the function reads from the runner's manifest, not the bundle's. Counted from the last
    # attempt: a duplicate delivery of the first (this stack sends a quarter twice) notes it again later.
    waited = datetime.fromisoformat(seen["nextAttemptAt"]) - datetime.fromisoformat(seen["lastAttemptAt"])
    if seen["attempts"] == 1:
        assert waited.total_seconds() == BREAKER_RESET_SECONDS, seen
    else:
        assert waited.total_seconds() >= 2 * BREAKER_RESET_SECONDS, seen
    assert seen["since"] <= seen["lastAttemptAt"]
    assert seen["reason"] is None  # the gateway's own words are for admins
    assert shown["status"] not in ("CANCELLING", "CANCELLED")
    assert shown["statusDetail"].startswith("waiting for the payment gateway (attempt ")
    assert "payment gateway" in admin_view["waiting"]["reason"]  # unavailable, or its circuit open
    for order_id in order_ids:
        order = _settled(writer, order_id)
        assert order["status"] == "COMPLETED", order
        assert _payment(stack, order_id)["charges"] == 1
        assert _order_view(writer, order_id, WAITING)["waiting"] is None
    assert _stock(stack, product_id) == {"stock": 0, "inStock": False}


def test_an_outage_longer_than_the_payment_deadline_cancels_the_order_and_charges_nothing(
    stack: Stack, writer: GraphQL
) -> None:
    product_id = stack.product(stock=1)
    gateway = FakeGatewayClient(stack.gateway_url)
    with gateway.outage():
        started = time.monotonic()
        order_id = _place(writer, [(product_id, 1)], wait=False)["aggregateId"]
        order = _settled(writer, order_id, within=PAYING_DEADLINE_SECONDS + 60)
        assert time.monotonic() - started >= PAYING_DEADLINE_SECONDS  # it waited the whole deadline
    assert order["status"] == "CANCELLED"
    assert order["cancelReason"] == "DEADLINE_EXCEEDED"
    assert _stock(stack, product_id) == {"stock": 1, "inStock": True}
    # The payment command still waiting is delivered again once the gateway is back: the order is
    # cancelled, so it asks what the gateway holds and takes nothing.
    recorded = _until(
        lambda: [event.type for event in stack.storage.events.read_stream(f"Payment-{order_id}")],
        60,
        "the waiting payment's outcome",
    )
    assert recorded == ["PaymentFailed"]
    assert _payment(stack, order_id)["charges"] == 0


def test_good_cards_complete_while_other_customers_cards_time_out(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=6)
    other = stack.signed_in(f"slow-{uuid.uuid4().hex[:8]}@kiroku.local")
    # tok_timeout makes the gateway hang past our timeout: those calls open the circuit for everyone.
    with ThreadPoolExecutor(max_workers=1) as pool:
        # One customer waits for an order that cannot settle within the order wait (PAYING outlasts it).
        waited = pool.submit(_place, other, [(product_id, 1)], token="tok_timeout", wait=True)
        hanging = [_place(other, [(product_id, 1)], token="tok_timeout", wait=False) for _ in range(2)]
        good = [_place(writer, [(product_id, 1)], wait=False)["aggregateId"] for _ in range(3)]
        answered = waited.result()
    # The order wait ran out: the command was accepted, and the order is shown as it stands, waiting.
    assert (answered["status"], answered["error"]) == ("ACCEPTED", None), answered
    assert answered["order"]["status"] not in ("COMPLETED", "CANCELLED"), answered["order"]
    hanging.append(answered)
    assert [order["error"] for order in hanging] == [None] * len(hanging), hanging
    for order_id in good:
        order = _settled(writer, order_id, within=PAYING_DEADLINE_SECONDS + 60)
        assert order["status"] == "COMPLETED", order
        assert _payment(stack, order_id)["charges"] == 1
    for placed in hanging:
        order = _settled(other, placed["aggregateId"], within=PAYING_DEADLINE_SECONDS + 60)
        assert (order["status"], order["cancelReason"]) == ("CANCELLED", "DEADLINE_EXCEEDED"), order
        assert _payment(stack, order["id"])["charges"] == 0


def test_fifty_concurrent_orders_never_oversell(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=10)
    with ThreadPoolExecutor(max_workers=25) as pool:
        placed = list(pool.map(lambda _: _place(writer, [(product_id, 1)], wait=False), range(50)))
    order_ids = [result["aggregateId"] for result in placed]
    query = (
        "{ "
        + " ".join(
            f'o{i}: order(id: "{oid}") {{ id status cancelReason }}' for i, oid in enumerate(order_ids)
        )
        + " }"
    )
    deadline = time.monotonic() + 180
    while True:
        orders = list(stack.admin.data(query).values())
        if all(order is not None and order["status"] in ("COMPLETED", "CANCELLED") for order in orders):
            break
        assert time.monotonic() < deadline, orders
        time.sleep(1)
    completed = [order for order in orders if order["status"] == "COMPLETED"]
    cancelled = [order for order in orders if order["status"] == "CANCELLED"]
    assert len(completed) == 10, Counter((order["status"], order["cancelReason"]) for order in orders)
    assert len(cancelled) == 40
    assert {order["cancelReason"] for order in cancelled} == {"OUT_OF_STOCK"}
    assert _stock(stack, product_id) == {"stock": 0, "inStock": False}
    assert [_payment(stack, order["id"])["charges"] for order in completed] == [1] * 10
    assert sum(_payment(stack, order["id"])["charges"] for order in cancelled) == 0


def test_a_writer_cannot_see_or_cancel_another_writers_order(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=1)
    order_id = _place(writer, [(product_id, 1)])["aggregateId"]
    other = stack.signed_in(f"other-{uuid.uuid4().hex[:6]}@kiroku.local")
    assert other.data(f'{{ order(id: "{order_id}") {{ id }} }}')["order"] is None
    assert other.data(f'{{ saga(orderId: "{order_id}") {{ status }} }}')["saga"] is None
    listed = other.data("{ orders(first: 100) { nodes { id } } }")["orders"]["nodes"]
    assert order_id not in [order["id"] for order in listed]
    body = other.post(f'mutation {{ cancelOrder(id: "{order_id}") {{ status error {{ code }} }} }}')
    assert body["data"]["cancelOrder"] == {"status": "REJECTED", "error": {"code": "NOT_FOUND"}}
    assert _settled(writer, order_id)["status"] == "COMPLETED"
    again = writer.post(f'mutation {{ cancelOrder(id: "{order_id}") {{ status error {{ code }} }} }}')
    assert again["data"]["cancelOrder"] == {"status": "REJECTED", "error": {"code": "ORDER_NOT_CANCELLABLE"}}
    owner = writer.data(f'{{ order(id: "{order_id}") {{ customerId }} }}')["order"]["customerId"]
    mine = writer.data("{ orders(first: 100) { nodes { id customerId } } }")["orders"]["nodes"]
    assert order_id in [order["id"] for order in mine]
    assert {order["customerId"] for order in mine} == {owner}


def test_placing_an_order_for_an_unknown_product_changes_nothing(stack: Stack, writer: GraphQL) -> None:
    body = writer.post(
        PLACE,
        {
            "input": {
                "lines": [{"productId": "no-such-product", "quantity": 1}],
                "paymentToken": "tok_ok",
                "shippingAddress": "1 Main St",
            },
            "wait": True,
        },
    )
    result = body["data"]["placeOrder"]
    assert result["status"] == "REJECTED"
    assert result["error"]["code"] == "UNKNOWN_PRODUCT"
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"]
    assert writer.data(f'{{ order(id: "{result["aggregateId"]}") {{ id }} }}')["order"] is None


CANCEL_WITH_ID = """
mutation($id: ID!, $c: ID!) { cancelOrder(id: $id, commandId: $c) { status aggregateId error { code } } }
"""


def test_a_command_id_is_bound_to_its_first_use(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=2)
    command_id = f"checkout-{uuid.uuid4().hex}"
    placed = _place(writer, [(product_id, 1)], command_id=command_id)
    assert (placed["status"], placed["commandId"]) == ("ACCEPTED", command_id), placed
    order_id = placed["aggregateId"]
    other = stack.signed_in(f"other-{uuid.uuid4().hex[:6]}@kiroku.local")
    for client, target in ((other, "anything"), (writer, order_id)):
        body = client.post(CANCEL_WITH_ID, {"id": target, "c": command_id})
        assert body["data"] is None, body
        assert [error["extensions"]["code"] for error in body["errors"]] == ["CONFLICT"], body
        assert order_id not in str(body)
    again = _place(writer, [(product_id, 1)], command_id=command_id)
    assert (again["status"], again["aggregateId"]) == ("ACCEPTED", order_id)
    assert _settled(writer, order_id)["status"] == "COMPLETED"
    assert _payment(stack, order_id)["charges"] == 1
    assert _stock(stack, product_id)["stock"] == 1


def test_a_command_id_the_system_derives_cannot_be_chosen(stack: Stack, writer: GraphQL) -> None:
    body = writer.post(CANCEL_WITH_ID, {"id": "anything", "c": f"saga:{uuid.uuid4()}"})
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"], body


def test_an_order_whose_handler_died_after_its_commit_is_placed_once(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=3)
    order_id = f"{CRASH_PREFIX}{uuid.uuid4().hex[:12]}"
    placed = _place(writer, [(product_id, 2)], order_id=order_id)
    assert (placed["status"], placed["error"]) == ("ACCEPTED", None), placed
    assert _settled(writer, order_id)["status"] == "COMPLETED"
    assert _payment(stack, order_id)["charges"] == 1
    assert _stock(stack, product_id)["stock"] == 1
    log = (stack.log_dir / "function-place-order.log").read_text()
    assert f"dying between commit and publish of {placed['commandId']}" in log


@pytest.mark.parametrize(
    ("order_id", "address"),
    [
        ("__x__", "1 Market Street"),
        ("..", "1 Market Street"),
        ("-leading-dash", "1 Market Street"),
        (None, "1 Market\x00 Street"),
        (None, "1 Market\x1b[31m Street"),
    ],
)
def test_input_a_later_hop_cannot_hold_is_refused_at_the_door(
    stack: Stack, writer: GraphQL, order_id: str | None, address: str
) -> None:
    product_id = stack.product(stock=1)
    body = writer.post(
        PLACE,
        {
            "input": {
                "id": order_id,
                "lines": [{"productId": product_id, "quantity": 1}],
                "paymentToken": "tok_ok",
                "shippingAddress": address,
            },
            "wait": True,
        },
    )
    assert body["data"] is None, body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"], body
    if order_id is not None:
        assert stack.storage.events.stream_version(f"Order-{order_id}") == 0
    assert _stock(stack, product_id)["stock"] == 1


def test_a_cancel_reason_a_later_hop_cannot_hold_is_refused_at_the_door(
    stack: Stack, writer: GraphQL
) -> None:
    product_id = stack.product(stock=1)
    order_id = _place(writer, [(product_id, 1)], token="tok_timeout", wait=False)["aggregateId"]
    body = writer.post(
        'mutation($id: ID!) { cancelOrder(id: $id, reason: "no\\u0000thanks") { status } }', {"id": order_id}
    )
    assert [error["extensions"]["code"] for error in body["errors"]] == ["BAD_USER_INPUT"], body
    events = stack.storage.events.read_stream(f"Order-{order_id}")
    assert "OrderCancellationRequested" not in [event.type for event in events]
