"""The event store contract, run against the real PostgreSQL and the official Firestore emulator."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from shared.eventstore import (
    ANY,
    NO_STREAM,
    AppendResult,
    ConcurrencyConflict,
    EventStore,
    EventStoreError,
    ImportRefused,
    Snapshot,
    SnapshotPolicy,
    Upcasters,
)
from shared.eventstore.integrity import check_integrity, export_log, import_log
from shared.eventstore.upcasting import Payload
from tests.contract.factories import AGGREGATE_TYPE, event, events, fold
from tests.contract.harness import Harness

WRITERS = 16


def test_appended_events_read_back_with_their_versions(backend: Harness) -> None:
    store = backend.event_store()
    written = events("a", 3)
    result = store.append("counter-a", written, NO_STREAM)
    assert (result.first_version, result.last_version, result.replayed) == (1, 3, False)
    read = store.read_stream("counter-a")
    assert [e.aggregate_version for e in read] == [1, 2, 3]
    assert [e.model_copy(update={"aggregate_version": None}) for e in read] == written
    assert store.read_stream("counter-a", from_version=2, limit=1) == read[1:2]
    assert store.stream_version("counter-a") == 3
    assert store.stream_version("counter-none") == 0


def test_expected_versions_exact_any_and_no_stream(backend: Harness) -> None:
    store = backend.event_store()
    store.append("counter-b", events("b", 2), NO_STREAM)
    with pytest.raises(ConcurrencyConflict) as no_stream:
        store.append("counter-b", events("b", 1), NO_STREAM)
    assert (no_stream.value.stream_id, no_stream.value.expected, no_stream.value.actual) == (
        "counter-b",
        0,
        2,
    )
    with pytest.raises(ConcurrencyConflict) as stale:
        store.append("counter-b", events("b", 1), 1)
    assert (stale.value.expected, stale.value.actual) == (1, 2)
    assert store.append("counter-b", events("b", 1), 2).last_version == 3
    assert store.append("counter-b", events("b", 2), ANY).last_version == 5
    assert store.append("counter-c", events("c", 1), ANY).last_version == 1
    assert store.stream_version("counter-b") == 5


def test_events_carrying_versions_must_match_the_stream(backend: Harness) -> None:
    store = backend.event_store()
    store.append("counter-d", [event("d", aggregate_version=1)], ANY)
    with pytest.raises(ConcurrencyConflict):
        store.append("counter-d", [event("d", aggregate_version=1)], ANY)
    assert store.append("counter-d", [event("d", aggregate_version=2)], ANY).last_version == 2


def test_racing_writers_exactly_one_wins_each_version(backend: Harness) -> None:
    store = backend.event_store()
    rounds = 4
    barrier = threading.Barrier(WRITERS, timeout=120)

    def writer(number: int) -> list[AppendResult | ConcurrencyConflict]:
        outcomes: list[AppendResult | ConcurrencyConflict] = []
        for round_number in range(rounds):
            barrier.wait()
            # Everyone expects the same version, so every round is a real race for it.
            try:
                outcomes.append(
                    store.append("counter-race", [event("race", payload={"w": number})], round_number)
                )
            except ConcurrencyConflict as conflict:
                outcomes.append(conflict)
            barrier.wait()
        return outcomes

    with ThreadPoolExecutor(WRITERS) as pool:
        outcomes = [outcome for per_writer in pool.map(writer, range(WRITERS)) for outcome in per_writer]
    results = [outcome for outcome in outcomes if isinstance(outcome, AppendResult)]
    conflicts = [outcome for outcome in outcomes if isinstance(outcome, ConcurrencyConflict)]
    assert sorted(r.first_version for r in results) == list(range(1, rounds + 1))
    assert len(conflicts) == (WRITERS - 1) * rounds
    assert all(
        conflict.actual == conflict.expected + 1 for conflict in conflicts if conflict.expected is not None
    )
    stored = store.read_stream("counter-race")
    assert [e.aggregate_version for e in stored] == list(range(1, rounds + 1))
    assert len({e.id for e in stored}) == rounds


def test_racing_writers_with_retries_lose_nothing(backend: Harness) -> None:
    store = backend.event_store()
    per_writer = 3

    def writer(number: int) -> None:
        for item in range(per_writer):
            while True:
                try:
                    current = store.stream_version("counter-retry")
                    store.append("counter-retry", [event("retry", payload={"w": number, "i": item})], current)
                    break
                except ConcurrencyConflict:
                    continue

    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))
    stored = store.read_stream("counter-retry")
    assert [e.aggregate_version for e in stored] == list(range(1, WRITERS * per_writer + 1))
    assert sorted((e.payload["w"], e.payload["i"]) for e in stored) == [
        (w, i) for w in range(WRITERS) for i in range(per_writer)
    ]


def test_a_command_id_applies_once_and_replays_its_first_result(backend: Harness) -> None:
    store = backend.event_store()
    first = store.append("counter-e", events("e", 2), NO_STREAM, command_id="cmd-1")
    again = store.append("counter-e", events("e", 5), NO_STREAM, command_id="cmd-1")
    assert again.replayed
    assert (again.first_version, again.last_version) == (first.first_version, first.last_version)
    assert (again.first_position, again.last_position) == (first.first_position, first.last_position)
    assert len(store.read_stream("counter-e")) == 2
    assert len(store.pending_outbox()) == 2


def test_concurrent_retries_of_one_command_append_once(backend: Harness) -> None:
    store = backend.event_store()
    barrier = threading.Barrier(8, timeout=120)

    def retry(_: int) -> AppendResult:
        barrier.wait()
        return store.append("counter-f", events("f", 1), ANY, command_id="cmd-race")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(retry, range(8)))
    assert sum(not r.replayed for r in results) == 1
    assert {(r.first_version, r.last_version) for r in results} == {(1, 1)}
    assert len(store.read_stream("counter-f")) == 1


def test_snapshot_plus_tail_reads_equal_full_reads(backend: Harness) -> None:
    store = backend.event_store(snapshot_policy=SnapshotPolicy({AGGREGATE_TYPE: 4}))
    snapshots_written = []
    for batch in range(7):
        result = store.append("counter-g", events("g", 2, start=batch * 2), ANY)
        if store.snapshot_due(AGGREGATE_TYPE, result):
            loaded = store.load("counter-g")
            state = fold(loaded.snapshot.state if loaded.snapshot else {}, loaded.events)
            store.write_snapshot(Snapshot("counter-g", AGGREGATE_TYPE, result.last_version, state))
            snapshots_written.append(result.last_version)
    assert snapshots_written == [4, 8, 12]
    loaded = store.load("counter-g")
    assert loaded.snapshot is not None
    assert loaded.snapshot.version == 12
    assert [e.aggregate_version for e in loaded.events] == [13, 14]
    assert loaded.version == 14
    assert fold(loaded.snapshot.state, loaded.events) == fold({}, store.read_stream("counter-g"))


def test_an_older_snapshot_never_replaces_a_newer_one_and_other_shapes_are_ignored(backend: Harness) -> None:
    store = backend.event_store()
    store.append("counter-h", events("h", 6), NO_STREAM)
    store.write_snapshot(Snapshot("counter-h", AGGREGATE_TYPE, 5, {"total": 10, "seen": 5}))
    store.write_snapshot(Snapshot("counter-h", AGGREGATE_TYPE, 3, {"total": 3, "seen": 3}))
    assert store.read_snapshot("counter-h") == Snapshot(
        "counter-h", AGGREGATE_TYPE, 5, {"total": 10, "seen": 5}
    )
    assert store.load("counter-h").version == 6
    reshaped = store.load("counter-h", snapshot_schema_version=2)
    assert reshaped.snapshot is None
    assert len(reshaped.events) == 6


def _upcasters() -> Upcasters:
    upcasters = Upcasters()

    @upcasters.register("Renamed", 1)
    def split_name(payload: Payload) -> Payload:
        first, _, last = str(payload["name"]).partition(" ")
        return {"first": first, "last": last}

    @upcasters.register("Renamed", 2)
    def add_locale(payload: Payload) -> Payload:
        return {**payload, "locale": "ja-JP"}

    return upcasters


def test_old_schema_versions_read_upcast_everywhere_and_stay_stored_as_written(backend: Harness) -> None:
    writer = backend.event_store()
    writer.append("person-1", [event("1", "Renamed", payload={"name": "Aoi Sato"})], NO_STREAM)
    writer.append("person-1", [event("1", "Renamed", schema_version=3, payload={"first": "A"})], 1)
    store = backend.event_store(upcasters=_upcasters())
    read = store.read_stream("person-1")
    assert [(e.schema_version, e.payload) for e in read] == [
        (3, {"first": "Aoi", "last": "Sato", "locale": "ja-JP"}),
        (3, {"first": "A"}),
    ]
    assert [e.envelope for e in store.pending_outbox()] == read
    assert [stored.schema_version for stored in store.iter_log()] == [1, 3]


def test_the_outbox_holds_each_appended_event_until_published(backend: Harness) -> None:
    store = backend.event_store()
    store.append("counter-i", events("i", 3), NO_STREAM)
    store.append("counter-j", events("j", 1), NO_STREAM)
    pending = store.pending_outbox()
    assert [(p.stream_id, p.envelope.aggregate_version) for p in pending] == [
        ("counter-i", 1),
        ("counter-i", 2),
        ("counter-i", 3),
        ("counter-j", 1),
    ]
    assert store.pending_outbox(limit=2) == pending[:2]
    store.mark_published([p.id for p in pending[:2]])
    assert store.pending_outbox() == pending[2:]
    published_by_handler = store.append("counter-j", events("j", 2), 1)
    store.mark_append_published(published_by_handler)
    assert store.pending_outbox() == pending[2:]


def test_publishing_some_events_of_an_append_keeps_the_others_in_order(backend: Harness) -> None:
    store = backend.event_store()
    store.append("counter-m", events("m", 5), NO_STREAM)
    pending = store.pending_outbox()
    store.mark_published([pending[1].id, pending[3].id])
    assert [p.envelope.aggregate_version for p in store.pending_outbox()] == [1, 3, 5]
    store.mark_published([p.id for p in store.pending_outbox()])
    assert store.pending_outbox() == []


def test_a_failed_append_leaves_no_event_and_no_outbox_entry(backend: Harness) -> None:
    store = backend.event_store()
    store.append("counter-k", events("k", 1), NO_STREAM)
    with pytest.raises(ConcurrencyConflict):
        store.append("counter-k", events("k", 2), NO_STREAM)
    backend.sabotage_next_append("counter-k")
    # The first event is written inside the append before the second one fails: all of it must roll back.
    with pytest.raises(EventStoreError):
        store.append("counter-k", events("k", 3), 1, command_id="cmd-k")
    assert store.stream_version("counter-k") == 1
    assert [(p.stream_id, p.envelope.aggregate_version) for p in store.pending_outbox()] == [("counter-k", 1)]
    assert len([e for e in store.iter_log() if e.stream_id == "counter-k"]) == 1
    assert not store.append("counter-l", events("l", 1), ANY, command_id="cmd-k").replayed


def _populate(store: EventStore) -> None:
    store.append("order-1", events("1", 3), NO_STREAM)
    store.append(
        "product-é-ü",
        [
            event(
                "p", payload={"price": {"amount": "4.50", "currency": "JPY"}, "tags": ["茶", "🍵"], "x": 0.1}
            )
        ],
        NO_STREAM,
    )
    store.append("order-1", events("1", 2, start=3), 3)
    store.append("order-2", [event("2", payload={"nested": [[1, 2], {"deep": None}], "big": 2**70})], ANY)
    # The store checks one append at a time: a stream may hold events of two aggregates.
    store.append("order-2", events("2b", 1), 1)


def _exported(source: EventStore) -> str:
    """The export of `_populate`'s eight events."""
    _populate(source)
    exported = io.StringIO()
    assert export_log(source, exported) == 8
    return exported.getvalue()


def test_export_then_import_into_an_empty_store_exports_the_same_bytes(
    backend: Harness, other_backend: Harness
) -> None:
    source = backend.event_store()
    exported = _exported(source)
    target = other_backend.event_store()
    assert import_log(target, io.StringIO(exported)) == 8
    again = io.StringIO()
    export_log(target, again)
    assert again.getvalue().encode() == exported.encode()
    assert target.read_stream("order-1") == source.read_stream("order-1")
    assert target.pending_outbox() == []
    assert check_integrity(target).ok
    with pytest.raises(ImportRefused):
        import_log(target, io.StringIO(exported))


def test_an_import_with_a_version_gap_is_refused(backend: Harness, other_backend: Harness) -> None:
    source = backend.event_store()
    store_lines = io.StringIO()
    source.append("order-9", events("9", 3), NO_STREAM)
    export_log(source, store_lines)
    lines = store_lines.getvalue().splitlines()
    target = other_backend.event_store()
    with pytest.raises(ImportRefused, match="version 3 where 2 was due"):
        import_log(target, [lines[0], lines[2]])
    assert target.is_empty()


def test_an_import_refused_partway_leaves_the_store_empty_for_the_corrected_file(
    backend: Harness, other_backend: Harness
) -> None:
    lines = _exported(backend.event_store()).splitlines()
    target = other_backend.event_store()
    # The last line again: refused only once the streams before it were stored.
    with pytest.raises(ImportRefused, match=r"version \d+ where \d+ was due"):
        import_log(target, [*lines, lines[-1]])
    assert target.is_empty()
    assert target.stream_version("order-1") == 0
    assert import_log(target, lines) == 8
    assert check_integrity(target).ok


def test_integrity_check_passes_a_sound_store_and_finds_damage(backend: Harness) -> None:
    store = backend.event_store()
    _populate(store)
    report = check_integrity(store)
    assert report.ok, report.problems
    assert (report.events, report.streams) == (8, 3)
    backend.remove_event("order-1", 2)
    problems = check_integrity(store).problems
    assert [(p.kind, p.stream_id) for p in problems if p.kind == "version_gap"] == [
        ("version_gap", "order-1")
    ]
    assert [p.kind for p in problems if p.kind == "outbox_orphan"] == ["outbox_orphan"]
    if backend.name == "postgres":
        assert [p.kind for p in problems if p.kind == "position_gap"] == ["position_gap"]
