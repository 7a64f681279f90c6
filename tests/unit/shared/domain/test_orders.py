"""Order rules, decided without any I/O: placing captures the catalogue's prices and an exact total, only
the owner or an admin may cancel and only before shipping, and the saga's progress commands are
idempotent while a cancel and the start of shipping exclude each other."""

from __future__ import annotations

from decimal import Decimal
from functools import reduce

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.orders import OrderFacts, OrderState, decide_order, evolve_order
from shared.domain.rejection import Rejected
from shared.kernel.money import Money
from shared.messages.orders import (
    CancelOrder,
    CompleteOrder,
    ConfirmOrderCancellation,
    MarkOrderReserved,
    OrderCancellationRequested,
    OrderCancelled,
    OrderCommand,
    OrderCompleted,
    OrderEvent,
    OrderLine,
    OrderPaid,
    OrderPlaced,
    OrderReserved,
    OrderShippingStarted,
    OrderStatus,
    PlaceOrder,
    RequestedLine,
    StartOrderShipping,
)

ORDER = "o-1"
CUSTOMER = "u-1"
PRICES: dict[str, Money | None] = {
    "p-1": Money(amount="4.50", currency="EUR"),
    "p-2": Money(amount="0.10", currency="EUR"),
    "p-usd": Money(amount="3.00", currency="USD"),
    "p-gone": None,
}
AS_CUSTOMER = OrderFacts(prices=PRICES, actor_uid=CUSTOMER)
AS_STRANGER = OrderFacts(prices=PRICES, actor_uid="u-2")
AS_ADMIN = OrderFacts(prices=PRICES, actor_uid="admin-1", actor_is_admin=True)
SYSTEM = OrderFacts(actor_uid="system", actor_is_admin=True)


def _eur(amount: str) -> Money:
    return Money(amount=amount, currency="EUR")


def _place(*lines: tuple[str, int], customer_id: str = CUSTOMER) -> PlaceOrder:
    return PlaceOrder(
        order_id=ORDER,
        customer_id=customer_id,
        lines=[RequestedLine(product_id=product, quantity=quantity) for product, quantity in lines],
        payment_token="tok-visa",
        shipping_address="1 Tea Street",
    )


def _apply(state: OrderState, command: OrderCommand, facts: OrderFacts = SYSTEM) -> OrderState:
    return reduce(evolve_order, decide_order(state, command, facts), state)


def _placed() -> OrderState:
    return _apply(OrderState(), _place(("p-1", 3), ("p-2", 7)), AS_CUSTOMER)


PROGRESS: dict[OrderStatus, list[OrderCommand]] = {
    "PLACED": [],
    "RESERVED": [MarkOrderReserved(order_id=ORDER)],
    "SHIPPING": [MarkOrderReserved(order_id=ORDER), StartOrderShipping(order_id=ORDER, charge_id="ch-1")],
    "COMPLETED": [
        MarkOrderReserved(order_id=ORDER),
        StartOrderShipping(order_id=ORDER, charge_id="ch-1"),
        CompleteOrder(order_id=ORDER, shipment_id="sh-1"),
    ],
    "CANCELLING": [CancelOrder(order_id=ORDER)],
    "CANCELLED": [
        CancelOrder(order_id=ORDER),
        ConfirmOrderCancellation(order_id=ORDER, reason="CANCELLED_BY_CUSTOMER", detail="changed my mind"),
    ],
}


def _at(status: OrderStatus) -> OrderState:
    if status == "PAID":  # only an order paid before paying and shipping were one step is PAID
        return evolve_order(_at("RESERVED"), OrderPaid(charge_id="ch-1"))
    state = _placed()
    for command in PROGRESS[status]:
        state = _apply(state, command, AS_CUSTOMER if isinstance(command, CancelOrder) else SYSTEM)
    assert state.status == status
    return state


def _refusal(state: OrderState, command: OrderCommand, facts: OrderFacts = SYSTEM) -> Rejected:
    with pytest.raises(Rejected) as raised:
        decide_order(state, command, facts)
    return raised.value


# Placing ---------------------------------------------------------------------------------------------


def test_placing_captures_the_catalogue_prices_and_the_exact_total() -> None:
    [placed] = decide_order(OrderState(), _place(("p-1", 3), ("p-2", 7)), AS_CUSTOMER)
    assert placed == OrderPlaced(
        customer_id=CUSTOMER,
        lines=[
            OrderLine(product_id="p-1", quantity=3, unit_price=_eur("4.50")),
            OrderLine(product_id="p-2", quantity=7, unit_price=_eur("0.10")),
        ],
        total=_eur("14.20"),
        payment_token="tok-visa",
        shipping_address="1 Tea Street",
    )
    assert isinstance(placed, OrderPlaced)
    assert isinstance(placed.total.amount, Decimal)
    assert (placed.total.amount, placed.total.currency) == (Decimal("14.20"), "EUR")
    assert placed.total.model_dump(mode="json") == {"amount": "14.20", "currency": "EUR"}
    state = evolve_order(OrderState(), placed)
    assert (state.version, state.status, state.customer_id, state.total) == (
        1,
        "PLACED",
        CUSTOMER,
        placed.total,
    )
    assert state.lines == tuple(placed.lines)


@settings(deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 99_999), st.integers(1, 1_000)), min_size=1, max_size=8),
    st.sampled_from([("EUR", 2), ("JPY", 0), ("BHD", 3)]),
)
def test_the_total_is_the_exact_sum_of_the_lines(
    lines: list[tuple[int, int]], currency: tuple[str, int]
) -> None:
    code, decimals = currency
    prices: dict[str, Money | None] = {
        f"p-{index}": Money(amount=Decimal(minor).scaleb(-decimals), currency=code)
        for index, (minor, _) in enumerate(lines)
    }
    command = _place(*((f"p-{index}", quantity) for index, (_, quantity) in enumerate(lines)))
    [placed] = decide_order(OrderState(), command, OrderFacts(prices=prices, actor_uid=CUSTOMER))
    assert isinstance(placed, OrderPlaced)
    expected = sum((Decimal(minor) * quantity for minor, quantity in lines), Decimal(0)).scaleb(-decimals)
    assert placed.total == Money(amount=expected, currency=code)
    assert [line.unit_price for line in placed.lines] == list(prices.values())


def test_a_product_that_is_not_for_sale_is_refused() -> None:
    for missing in ("p-gone", "p-unknown"):
        rejection = _refusal(OrderState(), _place(("p-1", 1), (missing, 1)), AS_CUSTOMER)
        assert (rejection.code, rejection.field, rejection.category) == (
            "UNKNOWN_PRODUCT",
            "lines.1.productId",
            "BAD_USER_INPUT",
        )


def test_a_product_on_two_lines_is_refused() -> None:
    rejection = _refusal(OrderState(), _place(("p-1", 1), ("p-2", 1), ("p-1", 2)), AS_CUSTOMER)
    assert (rejection.code, rejection.field) == ("INVALID_INPUT", "lines.2.productId")


def test_one_order_is_in_one_currency() -> None:
    rejection = _refusal(OrderState(), _place(("p-1", 1), ("p-usd", 1)), AS_CUSTOMER)
    assert (rejection.code, rejection.field) == ("CURRENCY_MISMATCH", "lines.1.productId")


def test_a_total_beyond_what_money_can_hold_is_refused_not_crashed() -> None:
    prices: dict[str, Money | None] = {"p-gold": _eur("999999.99")}
    big = _place(("p-gold", 1_000_000))
    facts = OrderFacts(prices=prices, actor_uid=CUSTOMER)
    rejection = _refusal(OrderState(), big, facts)
    assert (rejection.code, rejection.field, rejection.category) == (
        "INVALID_QUANTITY",
        "lines",
        "BAD_USER_INPUT",
    )
    [placed] = decide_order(OrderState(), _place(("p-gold", 1_000)), facts)
    assert isinstance(placed, OrderPlaced)
    assert placed.total == _eur("999999990.00")


def test_an_order_is_placed_for_the_actor_unless_an_admin_places_it() -> None:
    for_someone_else = _place(("p-1", 1), customer_id="u-2")
    rejection = _refusal(OrderState(), for_someone_else, AS_CUSTOMER)
    assert (rejection.code, rejection.category) == ("FORBIDDEN", "FORBIDDEN")
    [placed] = decide_order(OrderState(), for_someone_else, AS_ADMIN)
    assert isinstance(placed, OrderPlaced)
    assert placed.customer_id == "u-2"


def test_an_order_is_placed_once() -> None:
    rejection = _refusal(_placed(), _place(("p-1", 1)), AS_CUSTOMER)
    assert (rejection.code, rejection.category) == ("ALREADY_EXISTS", "CONFLICT")


@pytest.mark.parametrize(
    "command",
    [
        CancelOrder(order_id=ORDER),
        MarkOrderReserved(order_id=ORDER),
        StartOrderShipping(order_id=ORDER, charge_id="ch-1"),
        ConfirmOrderCancellation(order_id=ORDER, reason="OUT_OF_STOCK", detail="none left"),
    ],
)
def test_commands_to_an_order_that_does_not_exist_are_refused(command: OrderCommand) -> None:
    assert _refusal(OrderState(), command, AS_ADMIN).code == "NOT_FOUND"


# Cancelling ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["PLACED", "RESERVED", "PAID"])
@pytest.mark.parametrize(("facts", "by_admin"), [(AS_CUSTOMER, False), (AS_ADMIN, True)])
def test_the_owner_or_an_admin_may_cancel_before_shipping(
    status: OrderStatus, facts: OrderFacts, by_admin: bool
) -> None:
    events = decide_order(_at(status), CancelOrder(order_id=ORDER, reason="changed my mind"), facts)
    assert events == [
        OrderCancellationRequested(reason="changed my mind", requested_by=facts.actor_uid, by_admin=by_admin)
    ]
    assert evolve_order(_at(status), events[0]).status == "CANCELLING"


@pytest.mark.parametrize("status", ["PLACED", "PAID", "SHIPPING", "CANCELLED"])
def test_someone_elses_order_is_reported_missing(status: OrderStatus) -> None:
    rejection = _refusal(_at(status), CancelOrder(order_id=ORDER), AS_STRANGER)
    assert (rejection.code, rejection.category) == ("NOT_FOUND", "NOT_FOUND")


@pytest.mark.parametrize("status", ["CANCELLING", "CANCELLED"])
def test_cancelling_again_changes_nothing(status: OrderStatus) -> None:
    assert decide_order(_at(status), CancelOrder(order_id=ORDER), AS_CUSTOMER) == []
    assert decide_order(_at(status), CancelOrder(order_id=ORDER), AS_ADMIN) == []


@pytest.mark.parametrize("status", ["SHIPPING", "COMPLETED"])
def test_an_order_on_its_way_can_no_longer_be_cancelled(status: OrderStatus) -> None:
    for facts in (AS_CUSTOMER, AS_ADMIN):
        rejection = _refusal(_at(status), CancelOrder(order_id=ORDER), facts)
        assert (rejection.code, rejection.category) == ("ORDER_NOT_CANCELLABLE", "CONFLICT")


# Progress --------------------------------------------------------------------------------------------


def test_the_saga_moves_the_order_forward_one_status_at_a_time() -> None:
    state = _placed()
    expected: list[tuple[OrderCommand, OrderEvent, OrderStatus]] = [
        (MarkOrderReserved(order_id=ORDER), OrderReserved(), "RESERVED"),
        (
            StartOrderShipping(order_id=ORDER, charge_id="ch-1"),
            OrderShippingStarted(charge_id="ch-1"),
            "SHIPPING",
        ),
        (CompleteOrder(order_id=ORDER, shipment_id="sh-1"), OrderCompleted(shipment_id="sh-1"), "COMPLETED"),
    ]
    for command, event, status in expected:
        assert decide_order(state, command) == [event]
        state = evolve_order(state, event)
        assert state.status == status
    assert state.version == 4


@pytest.mark.parametrize("status", ["PLACED", "RESERVED", "PAID"])
def test_the_captured_payment_starts_shipping_from_any_status_before_it(status: OrderStatus) -> None:
    [started] = decide_order(_at(status), StartOrderShipping(order_id=ORDER, charge_id="ch-2"))
    assert started == OrderShippingStarted(charge_id="ch-2")
    assert evolve_order(_at(status), started).status == "SHIPPING"


def test_an_order_shipping_recorded_before_it_held_its_charge_still_reads() -> None:
    assert OrderShippingStarted.model_validate({}) == OrderShippingStarted(charge_id="")


@pytest.mark.parametrize(
    ("status", "command"),
    [
        ("RESERVED", MarkOrderReserved(order_id=ORDER)),
        ("PAID", MarkOrderReserved(order_id=ORDER)),
        ("SHIPPING", MarkOrderReserved(order_id=ORDER)),
        ("SHIPPING", StartOrderShipping(order_id=ORDER, charge_id="ch-1")),
        ("COMPLETED", CompleteOrder(order_id=ORDER, shipment_id="sh-1")),
        ("COMPLETED", MarkOrderReserved(order_id=ORDER)),
        ("CANCELLED", ConfirmOrderCancellation(order_id=ORDER, reason="OUT_OF_STOCK", detail="again")),
    ],
)
def test_a_progress_command_the_order_is_past_changes_nothing(
    status: OrderStatus, command: OrderCommand
) -> None:
    assert decide_order(_at(status), command) == []


def test_a_repeated_progress_command_changes_nothing() -> None:
    state = _placed()
    for command in PROGRESS["COMPLETED"]:
        state = _apply(state, command)
        assert decide_order(state, command) == []


@pytest.mark.parametrize("status", ["CANCELLING", "CANCELLED"])
def test_a_cancelled_order_does_not_move_forward(status: OrderStatus) -> None:
    state = _at(status)
    assert decide_order(state, MarkOrderReserved(order_id=ORDER)) == []
    refused = [StartOrderShipping(order_id=ORDER, charge_id="ch-1")]
    if status == "CANCELLED":
        refused.append(CompleteOrder(order_id=ORDER, shipment_id="sh-1"))  # type: ignore[arg-type]
    for command in refused:
        rejection = _refusal(state, command)
        assert (rejection.code, rejection.category) == ("ILLEGAL_TRANSITION", "CONFLICT")


def test_a_shipment_the_carrier_confirmed_completes_an_order_being_cancelled() -> None:
    # The carrier call was in flight when the saga began to cancel: the goods are gone.
    completed = decide_order(_at("CANCELLING"), CompleteOrder(order_id=ORDER, shipment_id="sh-1"))
    assert completed == [OrderCompleted(shipment_id="sh-1")]


def test_the_saga_cancels_an_order_even_once_shipping_started() -> None:
    saga = OrderFacts(actor_uid="fulfilment-saga", actor_is_admin=True, actor_is_system=True)
    [requested] = decide_order(_at("SHIPPING"), CancelOrder(order_id=ORDER, reason="too late"), saga)
    assert requested == OrderCancellationRequested(
        reason="too late", requested_by="fulfilment-saga", by_admin=True
    )
    assert evolve_order(_at("SHIPPING"), requested).status == "CANCELLING"
    # A shipment in flight may still complete it: a customer's cancel now is not promised.
    cancelling = evolve_order(_at("SHIPPING"), requested)
    assert _refusal(cancelling, CancelOrder(order_id=ORDER), AS_CUSTOMER).code == "ORDER_NOT_CANCELLABLE"
    assert decide_order(_at("CANCELLING"), CancelOrder(order_id=ORDER), AS_CUSTOMER) == []


@pytest.mark.parametrize("status", ["PLACED", "RESERVED"])
def test_an_order_completes_only_once_shipping(status: OrderStatus) -> None:
    assert _refusal(_at(status), CompleteOrder(order_id=ORDER, shipment_id="sh-1")).code == (
        "ILLEGAL_TRANSITION"
    )


def test_a_cancel_and_the_start_of_shipping_exclude_each_other() -> None:
    start = StartOrderShipping(order_id=ORDER, charge_id="ch-1")
    cancelled_first = _apply(_at("RESERVED"), CancelOrder(order_id=ORDER), AS_CUSTOMER)
    assert _refusal(cancelled_first, start).code == "ILLEGAL_TRANSITION"
    shipped_first = _apply(_at("RESERVED"), start)
    assert _refusal(shipped_first, CancelOrder(order_id=ORDER), AS_CUSTOMER).code == "ORDER_NOT_CANCELLABLE"


@pytest.mark.parametrize("status", ["PLACED", "RESERVED", "PAID", "SHIPPING", "CANCELLING"])
def test_the_saga_closes_an_order_as_cancelled_even_once_shipping(status: OrderStatus) -> None:
    confirm = ConfirmOrderCancellation(order_id=ORDER, reason="SHIPPING_FAILED", detail="carrier refused")
    events = decide_order(_at(status), confirm)
    assert events == [OrderCancelled(reason="SHIPPING_FAILED", detail="carrier refused")]
    assert evolve_order(_at(status), events[0]).status == "CANCELLED"


def test_a_completed_order_cannot_be_closed_as_cancelled() -> None:
    confirm = ConfirmOrderCancellation(order_id=ORDER, reason="DEADLINE_EXCEEDED", detail="late")
    rejection = _refusal(_at("COMPLETED"), confirm)
    assert (rejection.code, rejection.category) == ("ILLEGAL_TRANSITION", "CONFLICT")
