"""Input that can never be stored gets a clear, typed error, and nothing at all is written."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.eventstore import ANY, EventStore, EventTooLarge, InvalidAppend, Snapshot
from shared.readmodels.store import InvalidReadModelInput, ReadModelStore
from tests.contract.factories import AGGREGATE_TYPE, event
from tests.contract.harness import Harness

TWO_MB = "x" * (2 * 1024 * 1024)

BAD_APPENDS: dict[str, tuple[Callable[[EventStore], object], type[Exception]]] = {
    "empty stream id": (lambda s: s.append("", [event("a")], ANY), InvalidAppend),
    "stream id with a slash": (lambda s: s.append("a/b", [event("a")], ANY), InvalidAppend),
    "negative expected version": (lambda s: s.append("counter-a", [event("a")], -1), InvalidAppend),
    "no events": (lambda s: s.append("counter-a", [], ANY), InvalidAppend),
    "a command, not an event": (
        lambda s: s.append("counter-a", [event("a").model_copy(update={"kind": "command"})], ANY),
        InvalidAppend,
    ),
    "payload with a set": (
        lambda s: s.append("counter-a", [event("a").model_copy(update={"payload": {"tags": {"a"}}})], ANY),
        InvalidAppend,
    ),
    "payload with NaN": (
        lambda s: s.append("counter-a", [event("a", payload={"x": float("nan")})], ANY),
        InvalidAppend,
    ),
    "payload with a NUL character": (
        lambda s: s.append("counter-a", [event("a"), event("a", payload={"note": "x\x00y"})], ANY),
        InvalidAppend,
    ),
    "2 MB event after a good one": (
        lambda s: s.append("counter-a", [event("a"), event("a", payload={"blob": TWO_MB})], ANY),
        EventTooLarge,
    ),
    "events of two aggregates": (
        lambda s: s.append("counter-a", [event("a"), event("b")], ANY),
        InvalidAppend,
    ),
    "2 MB snapshot": (
        lambda s: s.write_snapshot(Snapshot("counter-a", AGGREGATE_TYPE, 1, {"blob": TWO_MB})),
        EventTooLarge,
    ),
}


@pytest.mark.parametrize("case", BAD_APPENDS, ids=list(BAD_APPENDS))
def test_a_bad_append_is_refused_and_writes_nothing(backend: Harness, case: str) -> None:
    attempt, error = BAD_APPENDS[case]
    with pytest.raises(error):
        attempt(backend.event_store())
    assert backend.stored_items() == 0


BAD_WRITES: dict[str, Callable[[ReadModelStore], object]] = {
    "2 MB record": lambda s: s.upsert("products", "p-1", {"blob": TWO_MB}, 1),
    "empty key": lambda s: s.upsert("products", "", {"name": "Tea"}, 1),
    "bad model name": lambda s: s.upsert("Products!", "p-1", {"name": "Tea"}, 1),
    "version zero": lambda s: s.upsert("products", "p-1", {"name": "Tea"}, 0),
    "nested arrays": lambda s: s.upsert("products", "p-1", {"grid": [[1, 2]]}, 1),
    "integer beyond 64 bits": lambda s: s.upsert("products", "p-1", {"n": 2**64}, 1),
    "NUL character": lambda s: s.upsert("products", "p-1", {"name": "Te\x00a"}, 1),
    "not JSON": lambda s: s.upsert("products", "p-1", {"when": object()}, 1),  # type: ignore[dict-item]
}


@pytest.mark.parametrize("case", BAD_WRITES, ids=list(BAD_WRITES))
def test_a_bad_read_model_write_is_refused_and_writes_nothing(backend: Harness, case: str) -> None:
    with pytest.raises(InvalidReadModelInput):
        BAD_WRITES[case](backend.read_models())
    assert backend.stored_items() == 0


def test_the_nothing_written_check_sees_every_kind_of_write(backend: Harness) -> None:
    events = backend.event_store()
    events.append("counter-a", [event("a")], ANY, command_id="cmd-1")
    # An event, its outbox entry and the command record.
    written = backend.stored_items()
    assert written >= 3
    events.write_snapshot(Snapshot("counter-a", AGGREGATE_TYPE, 1, {"total": 1}))
    backend.read_models().upsert("products", "p-1", {"name": "Tea"}, 1)
    assert backend.stored_items() >= written + 2
