"""The read-model store contract, run against the real PostgreSQL and the official Firestore emulator."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import JsonValue

from shared.readmodels.store import InvalidReadModelInput, ReadModelStore
from tests.contract.harness import Harness

RECORDS = 1000


def test_duplicate_and_older_upserts_change_nothing(backend: Harness) -> None:
    store = backend.read_models()
    assert store.upsert("products", "p-1", {"name": "Tea", "v": 1}, 1)
    assert not store.upsert("products", "p-1", {"name": "Tea (again)", "v": 1}, 1)
    assert store.upsert("products", "p-1", {"name": "Green tea", "v": 3}, 3)
    assert not store.upsert("products", "p-1", {"name": "Old", "v": 2}, 2)
    record = store.get("products", "p-1")
    assert record is not None
    assert (record.version, record.data) == (3, {"name": "Green tea", "v": 3})


def test_a_delete_is_version_guarded_and_nothing_older_resurrects(backend: Harness) -> None:
    store = backend.read_models()
    store.upsert("products", "p-2", {"name": "Tea"}, 3)
    assert not store.delete("products", "p-2", 2)
    assert store.get("products", "p-2") is not None
    assert store.delete("products", "p-2", 4)
    assert store.get("products", "p-2") is None
    assert not store.delete("products", "p-2", 4)
    assert not store.upsert("products", "p-2", {"name": "Stale"}, 3)
    assert store.get("products", "p-2") is None
    assert store.find("products").records == []
    assert store.upsert("products", "p-2", {"name": "Back"}, 5)
    assert store.get_many("products", ["p-2", "p-missing"]).keys() == {"p-2"}


def test_concurrent_out_of_order_upserts_settle_on_the_newest(backend: Harness) -> None:
    store = backend.read_models()
    versions = [v for v in range(1, 9) for _ in range(2)]
    random.Random(7).shuffle(versions)
    barrier = threading.Barrier(len(versions), timeout=120)

    def write(version: int) -> bool:
        barrier.wait()
        return store.upsert("orders", "o-1", {"status": f"v{version}"}, version)

    with ThreadPoolExecutor(len(versions)) as pool:
        applied = list(pool.map(write, versions))
    record = store.get("orders", "o-1")
    assert record is not None
    assert (record.version, record.data) == (8, {"status": "v8"})
    # Each duplicate pair applied at most once: the second of a pair always meets an equal version.
    assert sum(applied) <= 8


def _fill(store: ReadModelStore) -> None:
    def put(i: int) -> None:
        store.upsert(
            "items", f"k-{i:04d}", {"n": i, "group": i % 3, "name": f"item {(i * 7) % RECORDS:04d}"}, 1
        )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, range(RECORDS)))


def _walk(store: ReadModelStore, limit: int, **query: object) -> list[str]:
    keys: list[str] = []
    cursor = None
    while True:
        page = store.find("items", limit=limit, cursor=cursor, **query)  # type: ignore[arg-type]
        assert len(page.records) <= limit
        keys.extend(record.key for record in page.records)
        if page.next_cursor is None:
            return keys
        cursor = page.next_cursor


def test_cursor_pagination_over_a_thousand_records(backend: Harness) -> None:
    store = backend.read_models()
    _fill(store)
    assert _walk(store, 97) == [f"k-{i:04d}" for i in range(RECORDS)]
    by_name = _walk(store, 100, order_by="name")
    assert by_name == sorted(by_name, key=lambda key: f"{(int(key[2:]) * 7) % RECORDS:04d}")
    assert len(by_name) == RECORDS
    group_one_newest_first = _walk(store, 50, where={"group": 1}, order_by="n", descending=True)
    assert group_one_newest_first == [f"k-{i:04d}" for i in reversed(range(RECORDS)) if i % 3 == 1]
    assert _walk(store, 500, where={"group": 2, "n": 5}) == ["k-0005"]
    assert _walk(store, 10, where={"group": 7}) == []


def test_a_cursor_only_continues_the_list_it_came_from(backend: Harness) -> None:
    store = backend.read_models()
    for i in range(3):
        store.upsert("items", f"k-{i}", {"n": i}, 1)
    page = store.find("items", order_by="n", limit=1)
    assert page.next_cursor is not None
    with pytest.raises(InvalidReadModelInput):
        store.find("items", order_by="n", descending=True, limit=1, cursor=page.next_cursor)
    with pytest.raises(InvalidReadModelInput):
        store.find("items", limit=1, cursor="not a cursor")
    with pytest.raises(InvalidReadModelInput):
        store.find("items", limit=501)


def test_records_without_the_ordered_field_are_left_out_and_drop_empties_a_model(backend: Harness) -> None:
    store = backend.read_models()
    store.upsert("items", "a", {"n": 2}, 1)
    store.upsert("items", "b", {"other": True}, 1)
    store.upsert("items", "c", {"n": 1}, 1)
    store.upsert("others", "a", {"n": 9}, 1)
    assert [r.key for r in store.find("items", order_by="n").records] == ["c", "a"]
    assert [r.key for r in store.find("items").records] == ["a", "b", "c"]
    store.drop("items")
    assert store.find("items").records == []
    assert store.upsert("items", "a", {"n": 2}, 1)
    assert [r.key for r in store.find("others").records] == ["a"]


def _name(i: int) -> str:
    """Sixty distinct names in another order than the keys (7 and 60 share no factor)."""
    return f"n-{(i * 7) % 60:02d}"


def test_contains_and_ranges_filter_in_the_store_and_page_in_order(backend: Harness) -> None:
    store = backend.read_models()
    for i in range(60):
        grams: list[JsonValue] = ["a", "b"] if i % 2 else ["c"]
        store.upsert("items", f"k-{i:02d}", {"name": _name(i), "price": i * 10, "grams": grams}, 1)
    # Out of every range: a price held as text, a flag; out of every `contains`: no array.
    store.upsert("items", "as-text", {"name": "n-text", "price": "100", "grams": ["a"]}, 1)
    store.upsert("items", "as-flag", {"name": "n-flag", "price": True, "grams": "a"}, 1)

    def by_name(keep: Callable[[int], bool]) -> list[str]:
        return [key for _, key in sorted((_name(i), f"k-{i:02d}") for i in range(60) if keep(i))]

    both = _walk(store, 4, order_by="name", contains=("grams", "a"), ranges={"price": (100, 400)})
    assert both == by_name(lambda i: i % 2 == 1 and 100 <= i * 10 <= 400)
    assert _walk(store, 7, order_by="name", ranges={"price": (None, 50)}) == by_name(lambda i: i <= 5)
    assert _walk(store, 9, order_by="name", ranges={"price": (550, None)}) == by_name(lambda i: i >= 55)
    assert _walk(store, 50, contains=("grams", "c")) == [f"k-{i:02d}" for i in range(0, 60, 2)]
    assert _walk(store, 50, order_by="name", ranges={"price": (None, None)})[-2:] == ["as-flag", "as-text"]
    descending = _walk(store, 3, order_by="name", descending=True, ranges={"price": (0, 90)})
    assert descending == list(reversed(by_name(lambda i: i < 10)))


@pytest.mark.parametrize(
    "query",
    [
        {"ranges": {"price": (1, 2)}},  # no order: Firestore cannot keep key order beside a range
        {"order_by": "name", "ranges": {"price": (True, 2)}},
        {"order_by": "name", "ranges": {"price": (1.5, 2)}},
        {"order_by": "name", "where": {"price": 1}, "ranges": {"price": (1, 2)}},
        {"contains": ("grams", 1)},
        {"contains": ("grams",)},
        {"where": {"grams": "a"}, "contains": ("grams", "a")},
    ],
)
def test_a_bad_contains_or_range_is_refused(backend: Harness, query: dict[str, object]) -> None:
    with pytest.raises(InvalidReadModelInput):
        backend.read_models().find("items", **query)  # type: ignore[arg-type]


def test_a_cursor_of_a_list_without_the_range_does_not_continue_one_with_it(backend: Harness) -> None:
    store = backend.read_models()
    for i in range(3):
        store.upsert("items", f"k-{i}", {"name": f"n-{i}", "price": i}, 1)
    page = store.find("items", order_by="name", limit=1)
    assert page.next_cursor is not None
    with pytest.raises(InvalidReadModelInput):
        store.find("items", order_by="name", limit=1, cursor=page.next_cursor, ranges={"price": (0, 5)})
