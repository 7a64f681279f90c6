"""Read models in this process's memory: for fast service-layer tests of the real handler classes.

Why it exists: with the in-memory event store (shared/eventstore/memory.py) it lets the command handler,
the saga runner and the projectors be tested given events, when a command, then an outcome or a record,
in milliseconds. It passes the same contract suite as PostgreSQL and Firestore (tests/contract):
version-guarded upserts and tombstones, equality filters, ordering, cursors.

What it never proves: anything an integration test is for (queries and indexes on a real database,
concurrency across processes, what a deployed function reads). Never select it in a deployment.

Records are kept as the JSON text they were written as, and every read parses a fresh copy, so nothing a
caller holds shares state with the store, as over a network. Where the other backends' orders differ
(values of mixed types in one ordered field, which store.py tells callers to avoid) this one follows
Firestore's: null < booleans < numbers < strings < arrays < maps. One `threading.Lock` guards it all.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import JsonValue

from shared.kernel.storable import encode_json
from shared.readmodels.changes import Change, Watch, Watchers, status_of
from shared.readmodels.store import InvalidReadModelInput, ListQuery, ReadModelStore, ReadRecord


@dataclass(frozen=True, slots=True)
class _Stored:
    """One key's last write: its record (None for a tombstone), parsed for queries and as written."""

    version: int
    data: dict[str, JsonValue] | None
    data_json: bytes | None

    def record(self, key: str) -> ReadRecord:
        assert self.data_json is not None
        return ReadRecord(key, self.version, orjson.loads(self.data_json))


class MemoryReadModelStore(ReadModelStore):
    """Read models in a dict per model; share one instance wherever one database would be shared."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[str, dict[str, _Stored]] = {}
        self._watchers = Watchers()

    def item_count(self) -> int:
        """Records and tombstones of every model (for tests asserting that nothing was written)."""
        with self._lock:
            return sum(len(records) for records in self._models.values())

    def _get_many(self, model: str, keys: list[str]) -> dict[str, ReadRecord]:
        with self._lock:
            records = self._models.get(model, {})
            found = {key: records[key] for key in keys if key in records}
        return {key: stored.record(key) for key, stored in found.items() if stored.data is not None}

    def _write(self, model: str, key: str, stored: _Stored) -> bool:
        with self._lock:
            records = self._models.setdefault(model, {})
            kept = records.get(key)
            if kept is not None and kept.version >= stored.version:
                return False
            records[key] = stored
        self._watchers.dispatch(Change(model, key, stored.version, status_of(stored.data)))
        return True

    def _start_watching(self, watch: Watch) -> None:
        self._watchers.add(watch)

    def _stop_watching(self, watch: Watch) -> None:
        self._watchers.remove(watch)

    def _upsert(self, model: str, key: str, data: dict[str, JsonValue], version: int) -> bool:
        # Parsed back from its JSON: the store keeps no object the caller could still change.
        data_json = encode_json(data, f"record {key!r}", InvalidReadModelInput)
        return self._write(model, key, _Stored(version, orjson.loads(data_json), data_json))

    def _delete(self, model: str, key: str, version: int) -> bool:
        return self._write(model, key, _Stored(version, None, None))

    def _list(self, query: ListQuery, fetch: int) -> list[ReadRecord]:
        order_by = query.order_by
        with self._lock:
            stored_now = list(self._models.get(query.model, {}).items())
        # Sorted by (value, key), or by key alone: () is the value's place when nothing is ordered.
        ranked: list[tuple[tuple[Any, ...], str, _Stored]] = []
        for key, stored in stored_now:
            data = stored.data
            if data is None or not all(
                field in data and _equal(data[field], value) for field, value in query.where.items()
            ):
                continue
            if not _contains(data, query.contains) or not all(
                _within(data.get(field), low, high) for field, low, high in query.ranges
            ):
                continue
            # As Firestore orders: ties on the ordered field by the range fields, then by key.
            ranged = tuple(_rank(data[field]) for field, _, _ in query.ranges if field != order_by)
            if order_by is None:
                ranked.append((((), key), key, stored))
            # Records without the ordered field are left out of an ordered list, as on Firestore.
            elif order_by in data:
                ranked.append(((_rank(data[order_by]), *ranged, key), key, stored))
        ranked.sort(key=lambda item: item[0], reverse=query.descending)
        if query.after is not None:
            value, last_key = query.after
            after_ranges = query.after_ranges or {}
            ranged_after = tuple(
                _rank(after_ranges.get(field)) for field, _, _ in query.ranges if field != order_by
            )
            after = (_rank(value), *ranged_after, last_key) if order_by is not None else ((), last_key)
            ranked = [item for item in ranked if (item[0] < after if query.descending else item[0] > after)]
        return [stored.record(key) for _, key, stored in ranked[:fetch]]

    def _drop(self, model: str) -> None:
        with self._lock:
            self._models.pop(model, None)


def _contains(data: dict[str, JsonValue], contains: tuple[str, str] | None) -> bool:
    if contains is None:
        return True
    field, value = contains
    held = data.get(field)
    return isinstance(held, list) and value in held


def _within(value: JsonValue, low: int | None, high: int | None) -> bool:
    """An integer (or other number) within the bounds; anything else is out, as on Firestore."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _equal(stored: JsonValue, wanted: JsonValue) -> bool:
    """JSON equality, as both other backends filter: 1 equals 1.0, but true is not 1."""
    return _rank(stored) == _rank(wanted)


def _rank(value: JsonValue) -> tuple[Any, ...]:
    """A sort key giving every JSON value a place in one total order (Firestore's order of types)."""
    if value is None:
        return (0,)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, int | float):
        return (2, value)
    if isinstance(value, str):
        # Code-point order is UTF-8 byte order, which Firestore sorts strings by.
        return (3, value)
    if isinstance(value, list):
        return (4, tuple(_rank(item) for item in value))
    return (5, tuple(sorted((name, _rank(item)) for name, item in value.items())))
