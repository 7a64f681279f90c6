"""The read-model store interface: what projectors write and GraphQL reads, on either backend.

A read model is a named set of records, one per aggregate, each carrying the version of the last event
applied to it. An upsert or delete with a version not above the stored one changes nothing, so
redelivered and out-of-order events are harmless; a delete leaves a tombstone with its version, so an
older upsert arriving after it cannot bring the record back. Rebuilding a read model means `drop` and
replay, since tombstones and versions would otherwise ignore the replay.

Records must fit both backends: JSON, at most 900 KB, no arrays inside arrays and integers within 64
bits (Firestore's limits). Filters are equality on top-level fields, one "this array holds this string"
(`contains`), and inclusive ranges on top-level integer fields (`ranges`, only in a list ordered by a
field); each runs in the store, on an index, so a filtered page reads what it returns and little more.
Ordering is by one top-level field, then key, or by key alone; with ranges, Firestore orders records
that tie on the ordered field by the range fields before the key (PostgreSQL by the key alone), and the
cursor carries what either needs. Records without the ordered, contained or ranged field are left out
(that is Firestore's rule; PostgreSQL is made to follow it). Mixed value types in one ordered field order
differently per backend: keep a field to one type.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from pydantic import JsonValue

from shared.kernel.storable import check_id, check_no_nul_character, check_size, dump_json
from shared.observability.metrics import count_store_operation
from shared.readmodels.changes import Watch

MAX_PAGE_SIZE = 500
_MODEL = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
_INT64 = (-(2**63), 2**63 - 1)

Scalar = str | int | float | bool | None


class InvalidReadModelInput(ValueError):
    """A model name, key, record, filter or cursor that cannot be used; nothing was written."""


class RecordContended(RuntimeError):
    """Firestore: a record's write lost its optimistic commit to other writers every time it was tried."""


class InvalidCursor(InvalidReadModelInput):
    """A cursor this store did not hand out, or one of a list in another order: the one input of a read
    that comes from a client as it is, so callers tell it from their own mistakes."""


@dataclass(frozen=True, slots=True)
class ReadRecord:
    key: str
    version: int
    data: dict[str, JsonValue]


@dataclass(frozen=True, slots=True)
class Page:
    records: list[ReadRecord]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A validated list request; `after` is the (order value, key) of the last record already returned,
    `after_ranges` that record's values of the range fields."""

    model: str
    where: dict[str, Scalar]
    order_by: str | None
    descending: bool
    limit: int
    after: tuple[JsonValue, str] | None
    contains: tuple[str, str] | None = None  # (array field, the string it holds)
    ranges: tuple[tuple[str, int | None, int | None], ...] = ()  # (field, low, high), by field
    after_ranges: dict[str, JsonValue] | None = None


class ReadModelStore(ABC):
    """Versioned records per read model, with equality filters, ordering and cursor pagination."""

    def get(self, model: str, key: str) -> ReadRecord | None:
        return self.get_many(model, [key]).get(key)

    def get_many(self, model: str, keys: Sequence[str]) -> dict[str, ReadRecord]:
        """The live records among `keys` (for DataLoaders): missing and deleted keys are absent."""
        _check_model(model)
        for key in keys:
            _check_key(key)
        if not keys:
            return {}
        count_store_operation("read_models", "read")
        return self._get_many(model, list(dict.fromkeys(keys)))

    def upsert(self, model: str, key: str, data: Mapping[str, JsonValue], version: int) -> bool:
        """Store `data` as of `version`; returns False (and changes nothing) unless `version` is newer."""
        _check_model(model)
        _check_key(key)
        _check_version(version)
        if not isinstance(data, Mapping):
            raise InvalidReadModelInput(f"a record must be a mapping, got {type(data).__name__}")
        record = dict(data)
        record_json = dump_json(record, f"record {key!r}", InvalidReadModelInput)
        check_size(record_json, f"record {key!r}", InvalidReadModelInput)
        check_no_nul_character(record_json, f"record {key!r}", InvalidReadModelInput)
        _check_storable(record, f"record {key!r}")
        count_store_operation("read_models", "write")
        return self._upsert(model, key, record, version)

    def delete(self, model: str, key: str, version: int) -> bool:
        """Delete as of `version`, leaving a tombstone; False (no change) unless `version` is newer."""
        _check_model(model)
        _check_key(key)
        _check_version(version)
        count_store_operation("read_models", "write")
        return self._delete(model, key, version)

    def find(
        self,
        model: str,
        where: Mapping[str, Scalar] | None = None,
        order_by: str | None = None,
        *,
        descending: bool = False,
        limit: int = 50,
        cursor: str | None = None,
        contains: tuple[str, str] | None = None,
        ranges: Mapping[str, tuple[int | None, int | None]] | None = None,
    ) -> Page:
        """One page of live records; pass `next_cursor` back, with the same query, for the next page.
        `contains`: only records whose array field holds this string; `ranges`: only records whose
        integer field is within these inclusive bounds (None: unbounded), in a list ordered by a field."""
        _check_model(model)
        filters = dict(where or {})
        for field, value in filters.items():
            _check_field(field)
            if not isinstance(value, Scalar):
                raise InvalidReadModelInput(f"filter {field!r} must be a scalar, got {type(value).__name__}")
            _check_storable(value, f"filter {field!r}")
        if order_by is not None:
            _check_field(order_by)
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
            raise InvalidReadModelInput(f"limit must be between 1 and {MAX_PAGE_SIZE}, got {limit!r}")
        if contains is not None:
            _check_contains(contains, filters)
        bounded = _check_ranges(ranges or {}, filters, order_by)
        range_fields = [field for field, _, _ in bounded]
        after, after_ranges = (
            _decode_cursor(cursor, order_by, descending, range_fields) if cursor is not None else (None, None)
        )
        query = ListQuery(
            model, filters, order_by, bool(descending), limit, after, contains, bounded, after_ranges
        )
        count_store_operation("read_models", "read")
        records = self._list(query, limit + 1)
        if len(records) <= limit:
            return Page(records, None)
        return Page(records[:limit], cursor_after(records[limit - 1], order_by, descending, range_fields))

    def drop(self, model: str) -> None:
        """Remove every record and tombstone of the model (before a rebuild)."""
        self._drop(_check_model(model))

    @contextmanager
    def watch(self, records: Iterable[tuple[str, str]] = (), models: Iterable[str] = ()) -> Iterator[Watch]:
        """Notices of the changes of these (model, key) records, and of every record of these models,
        while the block runs (changes.py). Read the records after opening it: a change between that read
        and the watch would otherwise be lost."""
        watch = Watch(
            ((_check_model(model), _check_key(key)) for model, key in records),
            (_check_model(model) for model in models),
        )
        self._start_watching(watch)
        try:
            yield watch
        finally:
            self._stop_watching(watch)

    @abstractmethod
    def _start_watching(self, watch: Watch) -> None:
        """Begin telling `watch` of every change of its records (committed after this returns)."""

    @abstractmethod
    def _stop_watching(self, watch: Watch) -> None: ...

    @abstractmethod
    def _get_many(self, model: str, keys: list[str]) -> dict[str, ReadRecord]: ...

    @abstractmethod
    def _upsert(self, model: str, key: str, data: dict[str, JsonValue], version: int) -> bool: ...

    @abstractmethod
    def _delete(self, model: str, key: str, version: int) -> bool: ...

    @abstractmethod
    def _list(self, query: ListQuery, fetch: int) -> list[ReadRecord]:
        """Up to `fetch` records matching the query, in its order, after `query.after`."""

    @abstractmethod
    def _drop(self, model: str) -> None: ...


def _check_model(model: object) -> str:
    if not isinstance(model, str) or not _MODEL.match(model):
        raise InvalidReadModelInput(f"a read-model name is lower_snake_case (at most 63), got {model!r}")
    return model


def _check_key(key: object) -> str:
    return check_id(key, "read-model key", InvalidReadModelInput)


def _check_field(field: object) -> str:
    if not isinstance(field, str) or not _FIELD.match(field):
        raise InvalidReadModelInput(f"a field name is an identifier (letters, digits, _), got {field!r}")
    return field


def _check_contains(contains: object, filters: Mapping[str, Scalar]) -> None:
    if not isinstance(contains, tuple) or len(contains) != 2:
        raise InvalidReadModelInput(f"contains is (array field, string), got {contains!r}")
    field, value = contains
    _check_field(field)
    if not isinstance(value, str) or field in filters:
        raise InvalidReadModelInput(f"contains {field!r} takes one string, on a field no filter compares")
    _check_storable(value, f"contains {field!r}")


def _check_ranges(
    ranges: Mapping[str, tuple[int | None, int | None]], filters: Mapping[str, Scalar], order_by: str | None
) -> tuple[tuple[str, int | None, int | None], ...]:
    """The ranges that bound something, by field; a range needs a list ordered by a field (Firestore
    cannot keep key order beside one)."""
    bounded = []
    for field, bounds in sorted(ranges.items()):
        _check_field(field)
        if not isinstance(bounds, tuple) or len(bounds) != 2:
            raise InvalidReadModelInput(f"range {field!r} is (low, high), got {bounds!r}")
        for bound in bounds:
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, int)):
                raise InvalidReadModelInput(f"range {field!r} takes integers or None, got {bound!r}")
            if bound is not None:
                _check_storable(bound, f"range {field!r}")
        if field in filters:
            raise InvalidReadModelInput(f"range {field!r} is on a field a filter already compares")
        if bounds != (None, None):
            bounded.append((field, *bounds))
    if bounded and order_by is None:
        raise InvalidReadModelInput("a range needs a list ordered by a field")
    return tuple(bounded)


def _check_version(version: object) -> None:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidReadModelInput(f"a version must be an integer >= 1, got {version!r}")


def _check_storable(value: object, what: str, inside_array: bool = False) -> None:
    """What Firestore cannot hold, refused on both backends so they accept the same records."""
    if isinstance(value, bool) or value is None or isinstance(value, str | float):
        return
    if isinstance(value, int):
        if not _INT64[0] <= value <= _INT64[1]:
            raise InvalidReadModelInput(f"{what}: integer {value} does not fit in 64 bits")
    elif isinstance(value, list):
        if inside_array:
            raise InvalidReadModelInput(f"{what}: arrays inside arrays cannot be stored")
        for item in value:
            _check_storable(item, what, inside_array=True)
    elif isinstance(value, dict):
        for item in value.values():
            _check_storable(item, what)
    else:
        raise InvalidReadModelInput(f"{what}: {type(value).__name__} is not JSON")


def cursor_after(
    record: ReadRecord, order_by: str | None, descending: bool = False, range_fields: Sequence[str] = ()
) -> str:
    """The cursor that continues a list (same order, same range fields) right after `record`: for callers
    that filter a page further and stop inside it."""
    value = record.data.get(order_by) if order_by else None
    ranged = {field: record.data.get(field) for field in sorted(range_fields)}
    raw = json.dumps([order_by, descending, value, record.key, ranged], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(
    cursor: str, order_by: str | None, descending: bool, range_fields: Sequence[str]
) -> tuple[tuple[JsonValue, str], dict[str, JsonValue]]:
    try:
        cursor_order, cursor_descending, value, key, ranged = json.loads(
            base64.urlsafe_b64decode(cursor.encode())
        )
    except (ValueError, TypeError, binascii.Error) as error:
        raise InvalidCursor("not a cursor this store returned") from error
    if (
        (cursor_order, cursor_descending) != (order_by, descending)
        or not isinstance(key, str)
        or not isinstance(ranged, dict)
        or sorted(ranged) != sorted(range_fields)
    ):
        raise InvalidCursor("the cursor belongs to a list with another order")
    return (value, key), ranged
