"""Stock reservations on the Product aggregate, decided without any I/O: available stock (stock on hand
minus what is reserved) never goes negative whatever the commands, each order gets one answer per
product ever (so duplicates and a release that overtakes its reserve are harmless), and reserved stock
can be neither adjusted away nor deleted."""

from __future__ import annotations

from collections.abc import Callable
from functools import reduce
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.products import (
    AnyProductCommand,
    ProductFacts,
    ProductState,
    decide_product,
    evolve_product,
)
from shared.domain.rejection import Rejected
from shared.kernel.money import Money
from shared.messages.catalogue import AdjustStock, CreateProduct, DeleteProduct, RestockProduct, StockAdjusted
from shared.messages.orders import (
    CommitReservation,
    ReleaseReservation,
    ReservationCommitted,
    ReservationReleased,
    ReserveStock,
    StockReservationFailed,
    StockReserved,
)

PRODUCT = "p-1"
NO_FACTS = ProductFacts()


def _product(stock: int = 5) -> ProductState:
    create = CreateProduct(
        product_id=PRODUCT,
        name="Tea",
        price=Money(amount="4.50", currency="EUR"),
        category_id="c-1",
        initial_stock=stock,
    )
    return _apply(ProductState(), create, ProductFacts(category_exists=True))


def _apply(state: ProductState, command: AnyProductCommand, facts: ProductFacts = NO_FACTS) -> ProductState:
    return reduce(evolve_product, decide_product(state, command, facts), state)


def _reserve(order: str, quantity: int) -> ReserveStock:
    return ReserveStock(product_id=PRODUCT, order_id=order, quantity=quantity)


def _release(order: str) -> ReleaseReservation:
    return ReleaseReservation(product_id=PRODUCT, order_id=order)


def _commit(order: str) -> CommitReservation:
    return CommitReservation(product_id=PRODUCT, order_id=order)


def _rejection(decision: Callable[[], Any]) -> Rejected:
    with pytest.raises(Rejected) as raised:
        decision()
    return raised.value


def test_a_reservation_holds_stock_without_taking_it() -> None:
    state = _product(5)
    assert decide_product(state, _reserve("o-1", 3)) == [
        StockReserved(order_id="o-1", quantity=3, available=2)
    ]
    state = _apply(state, _reserve("o-1", 3))
    assert (state.stock, state.available, state.reservation("o-1")) == (5, 2, 3)
    assert decide_product(state, _reserve("o-2", 2)) == [
        StockReserved(order_id="o-2", quantity=2, available=0)
    ]


def test_a_repeated_reserve_changes_nothing_and_a_different_quantity_is_refused() -> None:
    state = _apply(_product(5), _reserve("o-1", 3))
    assert decide_product(state, _reserve("o-1", 3)) == []
    rejection = _rejection(lambda: decide_product(state, _reserve("o-1", 2)))
    assert (rejection.code, rejection.field, rejection.category) == (
        "ALREADY_RESERVED",
        "quantity",
        "CONFLICT",
    )


def test_not_enough_stock_is_a_failure_event_that_settles_the_order() -> None:
    state = _apply(_product(5), _reserve("o-1", 3))
    failed = StockReservationFailed(order_id="o-2", quantity=3, available=2, reason="OUT_OF_STOCK")
    assert decide_product(state, _reserve("o-2", 3)) == [failed]
    state = evolve_product(state, failed)
    assert (state.available, state.reservation("o-2")) == (2, None)
    # The order had its answer: even once stock is back, a redelivered reserve changes nothing.
    state = _apply(state, RestockProduct(product_id=PRODUCT, quantity=10))
    assert decide_product(state, _reserve("o-2", 3)) == []
    assert decide_product(state, _release("o-2")) == []


def test_a_deleted_product_cannot_be_reserved() -> None:
    deleted = _apply(_product(5), DeleteProduct(product_id=PRODUCT))
    assert decide_product(deleted, _reserve("o-1", 1)) == [
        StockReservationFailed(order_id="o-1", quantity=1, available=5, reason="PRODUCT_UNAVAILABLE")
    ]
    never_created = _rejection(lambda: decide_product(ProductState(), _reserve("o-1", 1)))
    assert never_created.code == "NOT_FOUND"


def test_a_release_gives_the_stock_back_once() -> None:
    state = _apply(_product(5), _reserve("o-1", 3))
    assert decide_product(state, _release("o-1")) == [ReservationReleased(order_id="o-1", quantity=3)]
    state = _apply(state, _release("o-1"))
    assert (state.stock, state.available, state.reserved) == (5, 5, ())
    assert decide_product(state, _release("o-1")) == []
    assert decide_product(state, _reserve("o-1", 3)) == []
    assert _rejection(lambda: decide_product(state, _commit("o-1"))).code == "NO_RESERVATION"


def test_a_release_that_overtakes_its_reserve_means_the_reserve_never_happens() -> None:
    state = _product(5)
    assert decide_product(state, _release("o-1")) == [ReservationReleased(order_id="o-1", quantity=0)]
    state = _apply(state, _release("o-1"))
    assert decide_product(state, _reserve("o-1", 3)) == []
    assert decide_product(state, _release("o-1")) == []
    assert state.available == 5


def test_a_commit_takes_the_reserved_stock_out_once() -> None:
    state = _apply(_apply(_product(5), _reserve("o-1", 3)), _reserve("o-2", 1))
    assert decide_product(state, _commit("o-1")) == [
        ReservationCommitted(order_id="o-1", quantity=3, stock=2)
    ]
    state = _apply(state, _commit("o-1"))
    assert (state.stock, state.available, state.reserved) == (2, 1, (("o-2", 1),))
    assert decide_product(state, _commit("o-1")) == []
    assert decide_product(state, _release("o-1")) == []
    assert decide_product(state, _reserve("o-1", 3)) == []


def test_nothing_to_commit_without_a_reservation() -> None:
    rejection = _rejection(lambda: decide_product(_product(5), _commit("o-1")))
    assert (rejection.code, rejection.field, rejection.category) == ("NO_RESERVATION", "orderId", "CONFLICT")


def test_a_product_with_reserved_stock_cannot_be_deleted() -> None:
    state = _apply(_product(5), _reserve("o-1", 1))
    rejection = _rejection(lambda: decide_product(state, DeleteProduct(product_id=PRODUCT)))
    assert (rejection.code, rejection.category) == ("STOCK_RESERVED", "CONFLICT")
    released = _apply(state, _release("o-1"))
    assert len(decide_product(released, DeleteProduct(product_id=PRODUCT))) == 1


def test_an_adjustment_cannot_take_reserved_stock() -> None:
    state = _apply(_product(5), _reserve("o-1", 3))
    rejection = _rejection(
        lambda: decide_product(state, AdjustStock(product_id=PRODUCT, delta=-3, reason="shrinkage"))
    )
    assert (rejection.code, rejection.category) == ("INSUFFICIENT_STOCK", "CONFLICT")
    [adjusted] = decide_product(state, AdjustStock(product_id=PRODUCT, delta=-2, reason="shrinkage"))
    assert adjusted == StockAdjusted(delta=-2, stock=3, reason="shrinkage")
    assert evolve_product(state, adjusted).available == 0


# Whatever the commands -------------------------------------------------------------------------------

ORDERS = st.sampled_from(["o-1", "o-2", "o-3", "o-4"])
reservation_commands = st.one_of(
    st.builds(ReserveStock, product_id=st.just(PRODUCT), order_id=ORDERS, quantity=st.integers(1, 4)),
    st.builds(ReleaseReservation, product_id=st.just(PRODUCT), order_id=ORDERS),
    st.builds(CommitReservation, product_id=st.just(PRODUCT), order_id=ORDERS),
    st.builds(AdjustStock, product_id=st.just(PRODUCT), delta=st.integers(-6, 6), reason=st.just("count")),
    st.builds(RestockProduct, product_id=st.just(PRODUCT), quantity=st.integers(1, 3), reason=st.just("in")),
)
ALLOWED_REJECTIONS = {"ALREADY_RESERVED", "NO_RESERVATION", "INSUFFICIENT_STOCK", "INVALID_QUANTITY"}


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 8), st.lists(reservation_commands, max_size=50), st.booleans())
def test_available_stock_never_goes_negative_and_each_order_is_answered_once(
    initial_stock: int, commands: list[AnyProductCommand], delete_midway: bool
) -> None:
    state = _product(initial_stock)
    if delete_midway:
        commands.insert(len(commands) // 2, DeleteProduct(product_id=PRODUCT))
    stock = initial_stock  # what the events say the stock is, kept independently of the state
    held: dict[str, int] = {}
    reserved_ever: set[str] = set()
    answered: set[str] = set()  # orders that had their one settling answer (refused, released, committed)
    released_first: set[str] = set()
    for command in commands:
        refused: str | None = None
        try:
            events = decide_product(state, command)
        except Rejected as rejection:
            refused = rejection.code
        if refused is not None:
            assert refused in ALLOWED_REJECTIONS | {"STOCK_RESERVED", "NOT_FOUND"}
            assert refused != "STOCK_RESERVED" or held
            assert refused != "NOT_FOUND" or state.deleted
            continue
        if isinstance(command, ReserveStock) and command.order_id in released_first:
            assert events == []
        for event in events:
            if isinstance(event, StockReserved):
                assert event.order_id not in reserved_ever, "an order reserves here at most once, ever"
                assert event.order_id not in answered
                reserved_ever.add(event.order_id)
                held[event.order_id] = event.quantity
            elif isinstance(event, StockReservationFailed | ReservationReleased | ReservationCommitted):
                assert event.order_id not in answered, "an order's reservation is settled once"
                answered.add(event.order_id)
                quantity = held.pop(event.order_id, 0)
                if not isinstance(event, StockReservationFailed):
                    assert event.quantity == quantity, "what is released or committed is what was held"
                if isinstance(event, ReservationReleased) and event.order_id not in reserved_ever:
                    assert event.quantity == 0
                    released_first.add(event.order_id)
                if isinstance(event, ReservationCommitted):
                    stock -= event.quantity
                    assert event.stock == stock
            elif isinstance(event, StockAdjusted):
                stock += event.delta
                assert event.stock == stock
            state = evolve_product(state, event)
        assert state.stock == stock >= 0
        assert state.available == stock - sum(held.values()) >= 0
        assert dict(state.reserved) == held
