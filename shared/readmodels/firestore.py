"""Read models on Firestore: a collection per model for live records, and one of versions beside it.

`rm-{model}/{key}` holds live records as `{version, data}`, so every list query runs over live records
only and needs no "not deleted" filter (which would put an extra field in front of every composite
index). `rm-{model}-versions/{key}` holds `{version, deleted}` for every key ever written: each upsert or
delete reads it and commits with a precondition on it, so it serialises the writers of one key without
locks (see the event store's Firestore module for why not read-write transactions), and after a delete
it is the tombstone an older upsert runs into. Model names cannot contain '-', so the collection names
never collide. A read model that lists by a field with filters declares the composite index over
`data.<field>` in firestore.indexes.json.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1 import WriteBatch
from google.cloud.firestore_v1.base_query import FieldFilter
from google.cloud.firestore_v1.collection import CollectionReference
from pydantic import JsonValue

from shared.firestore_commits import commit_optimistically, write_if_unchanged
from shared.observability.metrics import count_documents
from shared.readmodels.changes import Change, Watch, status_of
from shared.readmodels.store import ListQuery, ReadModelStore, ReadRecord, RecordContended

# How far this host's clock may run ahead of Firestore's, for a watch of a whole model.
_CLOCK_SKEW = timedelta(seconds=5)
# How long a watch of a whole model waits for its listener's first snapshot.
_FIRST_SNAPSHOT_SECONDS = 10.0


def records_collection(model: str) -> str:
    return f"rm-{model}"


class FirestoreReadModelStore(ReadModelStore):
    def __init__(self, client: firestore.Client) -> None:
        self._client = client
        self._listeners_lock = threading.Lock()
        self._listeners: dict[int, list[Any]] = {}  # id(watch) -> its documents' listeners

    def _records(self, model: str) -> CollectionReference:
        records: CollectionReference = self._client.collection(records_collection(model))
        return records

    def _versions(self, model: str) -> CollectionReference:
        versions: CollectionReference = self._client.collection(f"{records_collection(model)}-versions")
        return versions

    def _get_many(self, model: str, keys: list[str]) -> dict[str, ReadRecord]:
        refs = [self._records(model).document(key) for key in keys]
        found = {
            snapshot.id: ReadRecord(snapshot.id, snapshot.get("version"), snapshot.get("data"))
            for snapshot in self._client.get_all(refs)
            if snapshot.exists
        }
        count_documents("read", len(refs))
        return found

    def _write(self, model: str, key: str, data: dict[str, JsonValue] | None, version: int) -> bool:
        record_ref = self._records(model).document(key)
        version_ref = self._versions(model).document(key)

        def step() -> tuple[WriteBatch | None, bool]:
            stored = version_ref.get()
            count_documents("read", 1)
            if stored.exists and int(stored.get("version")) >= version:
                return None, False
            batch = self._client.batch()
            write_if_unchanged(self._client, batch, stored, {"version": version, "deleted": data is None})
            if data is None:
                batch.delete(record_ref)
            else:
                # When it was written, by Firestore's clock: what a watch of the whole model listens by.
                batch.set(
                    record_ref, {"version": version, "data": data, "written_at": firestore.SERVER_TIMESTAMP}
                )
            return batch, True

        return commit_optimistically(step, f"write of {model}/{key}", RecordContended)

    def _upsert(self, model: str, key: str, data: dict[str, JsonValue], version: int) -> bool:
        return self._write(model, key, data, version)

    def _delete(self, model: str, key: str, version: int) -> bool:
        return self._write(model, key, None, version)

    def _list(self, query: ListQuery, fetch: int) -> list[ReadRecord]:
        direction = firestore.Query.DESCENDING if query.descending else firestore.Query.ASCENDING
        request: Any = self._records(query.model)
        for field, value in query.where.items():
            request = request.where(filter=FieldFilter(f"data.{field}", "==", value))
        if query.contains is not None:
            field, value = query.contains
            request = request.where(filter=FieldFilter(f"data.{field}", "array_contains", value))
        for field, low, high in query.ranges:
            for bound, operator in ((low, ">="), (high, "<=")):
                if bound is not None:
                    request = request.where(filter=FieldFilter(f"data.{field}", operator, bound))
        cursor: dict[str, Any] = {}
        if query.order_by is not None:
            request = request.order_by(f"data.{query.order_by}", direction=direction)
            if query.after is not None:
                cursor[f"data.{query.order_by}"] = query.after[0]
        # Firestore orders by every field a range bounds, before the key: after the ordered field, then.
        for field, _, _ in query.ranges:
            if field != query.order_by:
                request = request.order_by(f"data.{field}", direction=direction)
                if query.after is not None:
                    cursor[f"data.{field}"] = (query.after_ranges or {}).get(field)
        request = request.order_by("__name__", direction=direction)
        if query.after is not None:
            cursor["__name__"] = query.after[1]
            request = request.start_after(cursor)
        records = [
            ReadRecord(snapshot.id, snapshot.get("version"), snapshot.get("data"))
            for snapshot in request.limit(fetch).stream()
        ]
        count_documents("read", max(len(records), 1))
        return records

    def _start_watching(self, watch: Watch) -> None:
        listeners = []
        for model, key in watch.records:

            def tell(
                snapshots: list[Any], _changes: object, _read_at: object, model: str = model, key: str = key
            ) -> None:
                # A listener gets the document as it now stands, or no document once it is deleted; each
                # time is billed one read.
                count_documents("read", 1)
                stored = (snapshots[0].to_dict() if snapshots and snapshots[0].exists else None) or {}
                watch.notify(Change(model, key, int(stored.get("version", 0)), status_of(stored.get("data"))))

            listeners.append(self._records(model).document(key).on_snapshot(tell))
        # A whole model: its records written since a little before now (the clocks of this host and
        # Firestore may differ), so opening costs a read per recent write, not one per record. A record
        # deleted without being written meanwhile is not heard of: models followed whole are not deleted
        # from, but on a rebuild. The watch opens once the listener's first snapshot came, so no write
        # made after it opened can come before the listener.
        since = datetime.now(UTC) - _CLOCK_SKEW
        for model in watch.models:
            listening = threading.Event()

            def tell_each(
                _snapshots: list[Any],
                changes: list[Any],
                _read_at: object,
                model: str = model,
                listening: threading.Event = listening,
            ) -> None:
                count_documents("read", len(changes))
                for change in changes:
                    stored = change.document.to_dict() or {}
                    version = 0 if change.type.name == "REMOVED" else int(stored.get("version", 0))
                    watch.notify(Change(model, change.document.id, version, status_of(stored.get("data"))))
                listening.set()

            written = self._records(model).where(filter=FieldFilter("written_at", ">", since))
            listeners.append(written.on_snapshot(tell_each))
            listening.wait(timeout=_FIRST_SNAPSHOT_SECONDS)
        with self._listeners_lock:
            self._listeners[id(watch)] = listeners

    def _stop_watching(self, watch: Watch) -> None:
        with self._listeners_lock:
            listeners = self._listeners.pop(id(watch), [])
        for listener in listeners:
            listener.unsubscribe()

    def _drop(self, model: str) -> None:
        for collection in (self._records(model), self._versions(model)):
            self._client.recursive_delete(collection)
