"""The shapes of the read-model queries the local cloud's functions send to Firestore, kept for a check.

The Firestore emulator answers every query, while Firestore in the cloud refuses one that needs a
composite index `firestore.indexes.json` does not define: a missing index would first show in
production. So the local cloud can record, from inside each function, the shape of every list query
(collection, equality filters, order) to a file; the end-to-end suite then checks each recorded shape
against the index file (`needs_index`, `index_for`). Like the crash fault, it is installed by the function
host (`RECORD_VARIABLE` in a function's environment); nothing in the production code reads it.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypedDict

from shared.readmodels.store import ListQuery

RECORD_VARIABLE = "LOCAL_CLOUD_QUERY_SHAPES"
_LOCK = threading.Lock()


class QueryShape(TypedDict):
    collection: str
    equality: list[str]  # the fields compared with ==, sorted
    order_by: str | None
    descending: bool
    contains: str | None  # the array field an array-contains filter reads
    ranges: list[str]  # the fields a range bounds, sorted


def record_query_shapes(path: Path) -> None:
    """Append the shape of every list query this process's Firestore read-model store sends to `path`."""
    from shared.readmodels.firestore import FirestoreReadModelStore, records_collection

    listing = FirestoreReadModelStore._list

    @functools.wraps(listing)
    def recorded(self: FirestoreReadModelStore, query: ListQuery, fetch: int) -> Any:
        shape = QueryShape(
            collection=records_collection(query.model),
            equality=sorted(f"data.{field}" for field in query.where),
            order_by=f"data.{query.order_by}" if query.order_by is not None else None,
            descending=query.descending,
            contains=f"data.{query.contains[0]}" if query.contains is not None else None,
            ranges=[f"data.{field}" for field, _, _ in query.ranges],
        )
        with _LOCK, path.open("a") as shapes:
            shapes.write(json.dumps(shape, sort_keys=True) + "\n")
        return listing(self, query, fetch)

    FirestoreReadModelStore._list = recorded  # type: ignore[method-assign]


def recorded_shapes(path: Path) -> list[QueryShape]:
    """Each distinct shape recorded in `path` (none if nothing was recorded)."""
    if not path.exists():
        return []
    distinct = {line for line in path.read_text().splitlines() if line}
    return [json.loads(line) for line in sorted(distinct)]


def needs_index(shape: QueryShape) -> bool:
    """Whether Firestore needs a composite index for it: filters (equality, array-contains or a range)
    and an order on a field.

    Filters alone are served by merging the automatic single-field indexes, and an order alone by the
    automatic index of that field, in either direction.
    """
    filtered = bool(shape["equality"]) or shape["contains"] is not None or bool(shape["ranges"])
    return filtered and shape["order_by"] is not None


def index_for(shape: QueryShape, indexes: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The composite index of `firestore.indexes.json` that serves the shape, if there is one: its
    equality fields and array-contains field first (in any order), then the order field and the range
    fields (the order Firestore sorts a ranged query by), in the query's direction."""
    direction = "DESCENDING" if shape["descending"] else "ASCENDING"
    ordered = [shape["order_by"], *(field for field in shape["ranges"] if field != shape["order_by"])]
    for index in indexes:
        if index["collectionGroup"] != shape["collection"] or index["queryScope"] != "COLLECTION":
            continue
        fields = index["fields"]
        leading, trailing = fields[: -len(ordered)], fields[-len(ordered) :]
        if [(field["fieldPath"], field.get("order")) for field in trailing] != [
            (path, direction) for path in ordered
        ]:
            continue
        equality = sorted(field["fieldPath"] for field in leading if "order" in field)
        contains = [field["fieldPath"] for field in leading if field.get("arrayConfig") == "CONTAINS"]
        if equality == shape["equality"] and contains == ([shape["contains"]] if shape["contains"] else []):
            return index
    return None
