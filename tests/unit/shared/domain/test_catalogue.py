"""Category and Product rules, decided without any I/O."""

from __future__ import annotations

from functools import reduce
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.categories import CategoryFacts, CategoryState, decide_category, evolve_category
from shared.domain.products import ProductFacts, ProductState, decide_product, evolve_product
from shared.domain.rejection import Rejected
from shared.kernel.money import Money
from shared.messages.catalogue import (
    AdjustStock,
    CategoryDeleted,
    CategoryUpdated,
    ChangePrice,
    CreateCategory,
    CreateProduct,
    DeleteCategory,
    DeleteProduct,
    ProductCommand,
    ProductCreated,
    ProductPriceChanged,
    RestockProduct,
    StockAdjusted,
    UpdateCategory,
    UpdateProduct,
)

EUR = "EUR"


def _price(amount: str) -> Money:
    return Money(amount=amount, currency=EUR)


def _product(**overrides: Any) -> ProductState:
    create = CreateProduct(
        product_id="p-1", name="Tea", price=_price("4.50"), category_id="c-1", initial_stock=5, **overrides
    )
    events = decide_product(ProductState(), create, ProductFacts(category_exists=True))
    return reduce(evolve_product, events, ProductState())


def _category() -> CategoryState:
    events = decide_category(CategoryState(), CreateCategory(category_id="c-1", name="Drinks"))
    return reduce(evolve_category, events, CategoryState())


def _rejection(decision: Any) -> Rejected:
    with pytest.raises(Rejected) as raised:
        decision()
    return raised.value


def test_a_category_is_created_renamed_and_deleted() -> None:
    state = _category()
    assert (state.version, state.name, state.live) == (1, "Drinks", True)
    [renamed] = decide_category(state, UpdateCategory(category_id="c-1", name="Beverages"))
    assert renamed == CategoryUpdated(name="Beverages", description="")
    state = evolve_category(state, renamed)
    assert decide_category(state, DeleteCategory(category_id="c-1")) == [CategoryDeleted()]


def test_an_update_that_changes_nothing_has_no_event() -> None:
    assert decide_category(_category(), UpdateCategory(category_id="c-1", name="Drinks")) == []
    assert decide_product(_product(), ChangePrice(product_id="p-1", price=_price("4.5"))) == []


def test_a_category_in_use_cannot_be_deleted() -> None:
    rejection = _rejection(
        lambda: decide_category(_category(), DeleteCategory(category_id="c-1"), CategoryFacts(in_use=True))
    )
    assert rejection.code == "CATEGORY_IN_USE"
    assert rejection.category == "CONFLICT"


def test_creating_twice_or_touching_what_does_not_exist_is_refused() -> None:
    assert _rejection(
        lambda: decide_category(_category(), CreateCategory(category_id="c-1", name="x"))
    ).code == ("ALREADY_EXISTS")
    assert (
        _rejection(lambda: decide_category(CategoryState(), DeleteCategory(category_id="c-9"))).code
        == "NOT_FOUND"
    )
    deleted = evolve_product(_product(), *decide_product(_product(), DeleteProduct(product_id="p-1")))
    assert (
        _rejection(lambda: decide_product(deleted, RestockProduct(product_id="p-1", quantity=1))).code
        == "NOT_FOUND"
    )


def test_a_product_needs_an_existing_category_and_a_positive_price() -> None:
    unknown = CreateProduct(product_id="p-2", name="x", price=_price("1"), category_id="c-9")
    assert _rejection(
        lambda: decide_product(ProductState(), unknown, ProductFacts(category_exists=False))
    ).code == ("UNKNOWN_CATEGORY")
    free = CreateProduct(product_id="p-2", name="x", price=_price("0"), category_id="c-1")
    rejection = _rejection(lambda: decide_product(ProductState(), free, ProductFacts(category_exists=True)))
    assert (rejection.code, rejection.field) == ("INVALID_PRICE", "price")
    moved = UpdateProduct(product_id="p-1", category_id="c-9")
    assert _rejection(
        lambda: decide_product(_product(), moved, ProductFacts(category_exists=False))
    ).code == ("UNKNOWN_CATEGORY")


def test_a_price_change_records_the_previous_price() -> None:
    [event] = decide_product(_product(), ChangePrice(product_id="p-1", price=_price("5.00")))
    assert event == ProductPriceChanged(price=_price("5.00"), previous_price=_price("4.50"))
    assert evolve_product(_product(), event).price == _price("5")


def test_a_stale_update_is_refused() -> None:
    stale = ChangePrice(product_id="p-1", price=_price("6"), expected_version=0)
    rejection = _rejection(lambda: decide_product(_product(), stale))
    assert (rejection.code, rejection.category) == ("STALE_VERSION", "CONFLICT")
    current = ChangePrice(product_id="p-1", price=_price("6"), expected_version=1)
    assert len(decide_product(_product(), current)) == 1


def test_the_created_event_carries_everything_the_read_model_needs() -> None:
    [created] = decide_product(
        ProductState(),
        CreateProduct(
            product_id="p-1", name=" Tea ", price=_price("4.50"), category_id="c-1", initial_stock=5
        ),
        ProductFacts(category_exists=True),
    )
    assert created == ProductCreated(
        name="Tea", description="", price=_price("4.50"), category_id="c-1", stock=5
    )


stock_commands = st.one_of(
    st.builds(RestockProduct, product_id=st.just("p-1"), quantity=st.integers(1, 50), reason=st.just("in")),
    st.builds(AdjustStock, product_id=st.just("p-1"), delta=st.integers(-60, 60), reason=st.just("count")),
)


@given(st.lists(stock_commands, max_size=40))
def test_stock_never_goes_negative_whatever_the_commands(commands: list[ProductCommand]) -> None:
    state = _product()
    applied = 0
    for command in commands:
        refused: str | None = None
        try:
            events = decide_product(state, command)
        except Rejected as rejection:
            refused = rejection.code
        if refused is not None:
            assert refused in ("INSUFFICIENT_STOCK", "INVALID_QUANTITY")
            continue
        for event in events:
            assert isinstance(event, StockAdjusted)
            state = evolve_product(state, event)
            applied += 1
        assert state.stock >= 0
    assert state.version == 1 + applied


def test_events_fold_in_order_into_the_same_state_as_deciding_them() -> None:
    state = _product()
    history: list[Any] = [
        ProductCreated(name="Tea", description="", price=_price("4.50"), category_id="c-1", stock=5),
        *decide_product(state, RestockProduct(product_id="p-1", quantity=3)),
    ]
    rebuilt = reduce(evolve_product, history, ProductState())
    assert rebuilt.stock == 8
    assert rebuilt.version == 2
