"""What each store operation adds to the counters `make bench-cost` prices, on every backend: one count
per operation asked of a store, and on Firestore each document as Firestore bills it."""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import REGISTRY

from shared.eventstore import NO_STREAM
from tests.contract.factories import events
from tests.contract.harness import FirestoreHarness, Harness

FUNCTION = "local"  # the function label of a process that is no function


def _counted(action: Callable[[], object], backend: Harness) -> dict[tuple[str, str], float]:
    """How much each (store, operation) and each Firestore (documents, operation) counter moved."""

    def read() -> dict[tuple[str, str], float]:
        figures = {}
        for store in ("event_store", "read_models"):
            for operation in ("read", "write"):
                labels = {"function": FUNCTION, "store": store, "operation": operation}
                figures[store, operation] = (
                    REGISTRY.get_sample_value("kiroku_store_operations_total", labels) or 0
                )
        for operation in ("read", "write"):
            labels = {"function": FUNCTION, "operation": operation}
            figures["documents", operation] = (
                REGISTRY.get_sample_value("kiroku_firestore_documents_total", labels) or 0
            )
        return figures

    before = read()
    action()
    after = read()
    return {key: after[key] - before[key] for key in after if after[key] != before[key]}


def test_an_append_with_a_command_id_is_one_write_and_on_firestore_six_documents(backend: Harness) -> None:
    store = backend.event_store()
    counted = _counted(
        lambda: store.append("metered-a", events("a", 2), NO_STREAM, command_id="cmd-a"), backend
    )
    expected = {("event_store", "write"): 1}
    if isinstance(backend, FirestoreHarness):
        # It reads the stream's head and the command's record, then writes two events, their two outbox
        # entries, the head and the command's record in one batch.
        expected |= {("documents", "read"): 2, ("documents", "write"): 6}
    assert counted == expected


def test_a_load_counts_its_snapshot_and_its_stream_and_an_empty_read_one_document(backend: Harness) -> None:
    store = backend.event_store()
    store.append("metered-b", events("b", 3), NO_STREAM)
    counted = _counted(lambda: store.load("metered-b"), backend)
    expected = {("event_store", "read"): 2}
    if isinstance(backend, FirestoreHarness):
        expected |= {("documents", "read"): 1 + 3}  # the snapshot looked up, the three events returned
    assert counted == expected
    empty = _counted(lambda: store.read_stream("metered-none"), backend)
    assert empty == {("event_store", "read"): 1} | (
        {("documents", "read"): 1} if isinstance(backend, FirestoreHarness) else {}
    )


def test_read_model_reads_and_writes(backend: Harness) -> None:
    models = backend.read_models()
    write = _counted(lambda: models.upsert("metered", "k1", {"n": 1}, 1), backend)
    stale = _counted(lambda: models.upsert("metered", "k1", {"n": 0}, 1), backend)
    lookup = _counted(lambda: models.get_many("metered", ["k1", "k2"]), backend)
    page = _counted(lambda: models.find("metered", limit=10), backend)
    firestore = isinstance(backend, FirestoreHarness)
    # A write reads the key's version, then (when newer) writes it and the record in one batch.
    assert write == {("read_models", "write"): 1} | (
        {("documents", "read"): 1, ("documents", "write"): 2} if firestore else {}
    )
    assert stale == {("read_models", "write"): 1} | ({("documents", "read"): 1} if firestore else {})
    assert lookup == {("read_models", "read"): 1} | ({("documents", "read"): 2} if firestore else {})
    assert page == {("read_models", "read"): 1} | ({("documents", "read"): 1} if firestore else {})
