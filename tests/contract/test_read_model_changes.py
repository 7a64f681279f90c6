"""The read-model store's change notices (shared/readmodels/changes.py) on every backend: a watch hears of
the writes of its records, as they stand after each, and never of another record."""

from __future__ import annotations

import time

from shared.readmodels.changes import Change, Watch
from tests.contract.harness import FirestoreHarness, Harness

WAIT_SECONDS = 30.0  # a ceiling, not a wait: a Firestore listener beside a busy test suite can lag


def _heard(watch: Watch, until: dict[tuple[str, str], Change]) -> list[Change]:
    """Every notice until the last one of each record is the one in `until` (or the wait ran out)."""
    heard: list[Change] = []
    latest: dict[tuple[str, str], Change] = {}
    deadline = time.monotonic() + WAIT_SECONDS
    while latest != until and time.monotonic() < deadline:
        change = watch.next(deadline - time.monotonic())
        if change is not None:
            heard.append(change)
            latest[change.model, change.key] = change
    return heard


def test_a_watch_hears_each_write_of_its_records_and_nothing_else(backend: Harness) -> None:
    models = backend.read_models()
    with models.watch([("orders", "o-1"), ("sagas", "o-1")]) as watch:
        models.upsert("orders", "o-2", {"status": "PLACED"}, 1)  # not watched
        models.upsert("orders", "o-1", {"status": "PLACED", "lines": 2}, 1)
        models.upsert("orders", "o-1", {"status": "CANCELLED"}, 1)  # not newer: changes nothing
        models.upsert("sagas", "o-1", {"status": "COMPENSATING", "step": "RELEASING"}, 3)
        models.upsert("orders", "o-1", {"total": "4.20"}, 2)
        models.delete("sagas", "o-1", 4)
        final = {
            ("orders", "o-1"): Change("orders", "o-1", 2, None),
            ("sagas", "o-1"): Change("sagas", "o-1", 0 if isinstance(backend, FirestoreHarness) else 4, None),
        }
        heard = _heard(watch, final)
    assert {(change.model, change.key): change for change in heard} == final
    if isinstance(backend, FirestoreHarness):
        # A listener hears each document as it stands (first as it stood when the watch opened; a gone
        # one as version 0), and may skip a state that was soon overwritten.
        assert {(c.model, c.version, c.status) for c in heard} <= {
            ("orders", 0, None),
            ("orders", 1, "PLACED"),
            ("orders", 2, None),
            ("sagas", 0, None),
            ("sagas", 3, "COMPENSATING"),
        }
    else:
        assert heard == [
            Change("orders", "o-1", 1, "PLACED"),
            Change("sagas", "o-1", 3, "COMPENSATING"),
            Change("orders", "o-1", 2, None),
            Change("sagas", "o-1", 4, None),
        ]


def test_a_closed_watch_hears_no_more(backend: Harness) -> None:
    models = backend.read_models()
    with models.watch([("orders", "o-3")]) as watch:
        models.upsert("orders", "o-3", {"status": "PLACED"}, 1)
        _heard(watch, {("orders", "o-3"): Change("orders", "o-3", 1, "PLACED")})
    models.upsert("orders", "o-3", {"status": "PAID"}, 2)
    time.sleep(0.5)
    assert watch.next(0.5) is None


def test_a_watch_of_a_model_hears_each_record_of_it_written_after_it_opened(backend: Harness) -> None:
    models = backend.read_models()
    models.upsert("sagas", "before", {"status": "RUNNING"}, 1)
    time.sleep(6 if isinstance(backend, FirestoreHarness) else 0)  # past the watch's allowance for skew
    with models.watch(models=["sagas"]) as watch:
        models.upsert("orders", "o-4", {"status": "PLACED"}, 1)  # another model
        models.upsert("sagas", "s-1", {"status": "RUNNING"}, 1)
        models.upsert("sagas", "s-2", {"status": "RUNNING"}, 1)
        models.upsert("sagas", "s-1", {"status": "COMPLETED"}, 2)
        final = {
            ("sagas", "s-1"): Change("sagas", "s-1", 2, "COMPLETED"),
            ("sagas", "s-2"): Change("sagas", "s-2", 1, "RUNNING"),
        }
        heard = _heard(watch, final)
        assert watch.next(0.5) is None
    assert {(change.model, change.key): change for change in heard} == final
    if not isinstance(backend, FirestoreHarness):  # a listener may skip a state soon overwritten
        assert heard == [
            Change("sagas", "s-1", 1, "RUNNING"),
            Change("sagas", "s-2", 1, "RUNNING"),
            Change("sagas", "s-1", 2, "COMPLETED"),
        ]
