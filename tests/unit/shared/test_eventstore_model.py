"""The pure parts of the event store: validation, versions, export lines, snapshot policy, upcasting."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.eventstore import (
    ANY,
    NO_STREAM,
    AppendResult,
    InvalidAppend,
    SnapshotPolicy,
    StoredEvent,
    Upcasters,
)
from shared.eventstore.errors import ImportRefused
from shared.eventstore.model import MAX_EVENTS_PER_APPEND, prepare_append
from shared.eventstore.upcasting import Payload
from shared.messages.envelope import Envelope, TraceContext


def _event(version: int | None = None, **payload: object) -> Envelope:
    return Envelope.originate(
        kind="event",
        type="Renamed",
        aggregate_type="Person",
        aggregate_id="p-1",
        aggregate_version=version,
        payload=payload or {"name": "Aoi"},
    )


def test_expected_versions_become_ints() -> None:
    assert prepare_append("person-1", [_event()], ANY, None).expected is None
    assert prepare_append("person-1", [_event()], NO_STREAM, None).expected == 0
    assert prepare_append("person-1", [_event()], 4, None).expected == 4
    with pytest.raises(InvalidAppend):
        prepare_append("person-1", [_event()], True, None)


def test_versions_carried_by_events_set_or_must_match_the_expected_version() -> None:
    assert prepare_append("person-1", [_event(3), _event(4)], ANY, None).expected == 2
    with pytest.raises(InvalidAppend):
        prepare_append("person-1", [_event(3), _event(5)], ANY, None)
    with pytest.raises(InvalidAppend):
        prepare_append("person-1", [_event(3)], 1, None)


def _rows(events_json: str) -> list[dict[str, object]]:
    """The columns as PostgreSQL reads them: timestamps as instants, absent keys as NULL."""
    columns = ("event_id", "occurred_at", "traceparent", "tracestate", "actor_uid", "payload")
    return [
        {**{c: row.get(c) for c in columns}, "occurred_at": datetime.fromisoformat(row["occurred_at"])}
        for row in json.loads(events_json)
    ]


def test_the_one_call_encoding_and_the_event_by_event_one_give_the_same_rows() -> None:
    trace = TraceContext(traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01", tracestate="k=v")
    plain = [_event(name="Aoi"), _event(name="Ren").model_copy(update={"trace": trace})]
    # A null anywhere sends the append down the event by event path: the same events, one with a null.
    with_null = [*plain, _event(name="Mei", nickname=None)]
    fast = _rows(prepare_append("person-1", plain, ANY, None).events_json)
    checked = _rows(prepare_append("person-1", with_null, ANY, None).events_json)
    assert fast == checked[:2]
    assert fast[1]["traceparent"] == trace.traceparent
    assert fast[0]["traceparent"] is None
    assert checked[2]["payload"] == {"name": "Mei", "nickname": None}


def test_a_payload_refused_among_good_ones_is_named() -> None:
    bad = _event(name="Ren").model_copy(update={"payload": {"at": datetime.now(UTC)}})
    with pytest.raises(InvalidAppend, match=bad.id):
        prepare_append("person-1", [_event(), bad], ANY, None)


def test_times_are_stored_in_utc_and_one_utc_cannot_hold_is_refused() -> None:
    tokyo = timezone(timedelta(hours=9))
    evening = _event().model_copy(update={"occurred_at": datetime(2026, 11, 24, 21, 0, tzinfo=tokyo)})
    (row,) = json.loads(prepare_append("person-1", [evening], ANY, None).events_json)
    assert row["occurred_at"] == "2026-11-24T12:00:00+00:00"
    dawn_of_time = datetime(1, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    with pytest.raises(InvalidAppend, match="UTC"):
        prepare_append("person-1", [_event().model_copy(update={"occurred_at": dawn_of_time})], ANY, None)


def test_a_backslash_before_u0000_is_text_not_the_nul_character() -> None:
    prepare_append("person-1", [_event(note="\\u0000", path="C:\\\\u0000")], ANY, None)
    with pytest.raises(InvalidAppend, match="U\\+0000"):
        prepare_append("person-1", [_event(note="\\\x00")], ANY, None)


def test_an_append_is_limited_to_what_one_firestore_commit_holds() -> None:
    with pytest.raises(InvalidAppend):
        prepare_append("person-1", [_event() for _ in range(MAX_EVENTS_PER_APPEND + 1)], ANY, None)


def test_an_export_line_parses_back_to_the_same_event_and_line() -> None:
    stored = prepare_append("person-1", [_event(nested={"ü": [1.5, None]})], ANY, None).stored_events()[0]
    line = stored.to_json_line()
    assert StoredEvent.from_json_line(line) == stored
    assert StoredEvent.from_json_line(line).to_json_line() == line
    with pytest.raises(ImportRefused):
        StoredEvent.from_json_line(line.replace('"actor_role":"system"', '"actor_role":"king"'))


@pytest.mark.parametrize(
    ("first", "last", "due"), [(1, 3, False), (1, 4, True), (4, 4, True), (5, 7, False), (7, 9, True)]
)
def test_snapshots_are_due_when_an_append_crosses_a_multiple(first: int, last: int, due: bool) -> None:
    policy = SnapshotPolicy({"Person": 4})
    assert policy.due("Person", AppendResult("person-1", first, last)) is due
    assert not policy.due("Order", AppendResult("order-1", first, last))


def test_upcasters_chain_and_refuse_a_second_registration() -> None:
    upcasters = Upcasters()

    @upcasters.register("Renamed", 1)
    def to_v2(payload: Payload) -> Payload:
        return {"full_name": payload["name"]}

    @upcasters.register("Renamed", 2)
    def to_v3(payload: Payload) -> Payload:
        return {**payload, "v3": True}

    upcast = upcasters.upcast(_event())
    assert (upcast.schema_version, upcast.payload) == (3, {"full_name": "Aoi", "v3": True})
    assert upcasters.upcast(upcast) is upcast
    with pytest.raises(ValueError, match="already registered"):
        upcasters.register("Renamed", 1)(to_v2)
