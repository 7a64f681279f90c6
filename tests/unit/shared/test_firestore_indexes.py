"""firestore.indexes.json: Firebase's format, and the index the event store's log walk needs. The read
models' queries are checked against it by the end-to-end run on Firestore (emulators/query_shapes.py)."""

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
        for field in index["fields"]:
            assert field.get("order") in {"ASCENDING", "DESCENDING"} or field.get("arrayConfig") == "CONTAINS"
            assert len(field) == 2, field
    # FirestoreEventStore.iter_log orders the `events` collection group by stream id, then version.
    assert {
        "collectionGroup": "events",
        "queryScope": "COLLECTION_GROUP",
        "fields": [
            {"fieldPath": "stream_id", "order": "ASCENDING"},
            {"fieldPath": "version", "order": "ASCENDING"},
        ],
    } in document["indexes"]
