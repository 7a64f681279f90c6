"""firestore.indexes.json: Firebase's format, and the index the event store's log walk needs."""

from __future__ import annotations

import json
from pathlib import Path

INDEXES = Path(__file__).resolve().parents[3] / "firestore.indexes.json"


def test_the_index_file_is_in_firebase_format_and_covers_the_log_walk() -> None:
    document = json.loads(INDEXES.read_text())
    assert set(document) == {"indexes", "fieldOverrides"}
    for index in document["indexes"]:
        assert set(index) == {"collectionGroup", "queryScope", "fields"}
        assert index["queryScope"] in {"COLLECTION", "COLLECTION_GROUP"}
        assert all(field["order"] in {"ASCENDING", "DESCENDING"} for field in index["fields"])
    # FirestoreEventStore.iter_log orders the `events` collection group by stream id, then version.
    assert {
        "collectionGroup": "events",
        "queryScope": "COLLECTION_GROUP",
        "fields": [
            {"fieldPath": "stream_id", "order": "ASCENDING"},
            {"fieldPath": "version", "order": "ASCENDING"},
        ],
    } in document["indexes"]


def test_every_products_listing_the_api_makes_has_its_composite_index() -> None:
    document = json.loads(INDEXES.read_text())
    indexed = {
        tuple(field["fieldPath"] for field in index["fields"])
        for index in document["indexes"]
        if index["collectionGroup"] == "rm-products"
    }
    # functions/graphql/schema.py lists products by name, filtered by category and/or stock.
    for equality in (("category_id",), ("in_stock",), ("category_id", "in_stock")):
        assert tuple(f"data.{field}" for field in (*equality, "name")) in indexed
