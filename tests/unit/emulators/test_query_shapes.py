"""Which recorded Firestore query shapes need a composite index, and which index of the file serves one."""

from __future__ import annotations

from typing import Any

from emulators.query_shapes import QueryShape, index_for, needs_index


def _shape(
    equality: list[str],
    order_by: str | None,
    descending: bool = False,
    contains: str | None = None,
    ranges: tuple[str, ...] = (),
) -> QueryShape:
    return QueryShape(
        collection="rm-orders",
        equality=equality,
        order_by=order_by,
        descending=descending,
        contains=contains,
        ranges=list(ranges),
    )


def _index(*fields: tuple[str, str], collection: str = "rm-orders") -> dict[str, Any]:
    """Fields as (path, ASCENDING or DESCENDING), or (path, CONTAINS) for an array-contains field."""
    return {
        "collectionGroup": collection,
        "queryScope": "COLLECTION",
        "fields": [
            {"fieldPath": path, "arrayConfig": order}
            if order == "CONTAINS"
            else {"fieldPath": path, "order": order}
            for path, order in fields
        ],
    }


def test_only_filters_with_an_order_on_a_field_need_a_composite_index() -> None:
    assert needs_index(_shape(["data.status"], "data.created_at"))
    assert not needs_index(_shape(["data.status", "data.customer_id"], None))
    assert not needs_index(_shape([], "data.created_at", descending=True))
    assert needs_index(_shape([], "data.name", contains="data.name_grams"))
    assert needs_index(_shape([], "data.name", ranges=("data.price_units",)))
    assert not needs_index(_shape([], None, contains="data.name_grams"))


def test_an_index_serves_its_equality_fields_in_any_order_then_the_order_in_its_direction() -> None:
    shape = _shape(["data.customer_id", "data.status"], "data.created_at", descending=True)
    serving = _index(
        ("data.status", "ASCENDING"), ("data.customer_id", "ASCENDING"), ("data.created_at", "DESCENDING")
    )
    assert index_for(shape, [serving]) == serving
    wrong_direction = _index(
        ("data.customer_id", "ASCENDING"), ("data.status", "ASCENDING"), ("data.created_at", "ASCENDING")
    )
    fewer_fields = _index(("data.status", "ASCENDING"), ("data.created_at", "DESCENDING"))
    other_collection = {**serving, "collectionGroup": "rm-sagas"}
    assert index_for(shape, [wrong_direction, fewer_fields, other_collection]) is None


def test_an_index_serves_a_search_with_its_array_field_first_and_its_range_after_the_order() -> None:
    shape = _shape(["data.in_stock"], "data.name", contains="data.name_grams", ranges=("data.price_units",))
    serving = _index(
        ("data.name_grams", "CONTAINS"),
        ("data.in_stock", "ASCENDING"),
        ("data.name", "ASCENDING"),
        ("data.price_units", "ASCENDING"),
    )
    assert index_for(shape, [serving]) == serving
    range_first = _index(
        ("data.name_grams", "CONTAINS"),
        ("data.in_stock", "ASCENDING"),
        ("data.price_units", "ASCENDING"),
        ("data.name", "ASCENDING"),
    )
    no_array = _index(
        ("data.in_stock", "ASCENDING"), ("data.name", "ASCENDING"), ("data.price_units", "ASCENDING")
    )
    assert index_for(shape, [range_first, no_array]) is None
