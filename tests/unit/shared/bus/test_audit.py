"""The local audit record: rows as the cloud's BigQuery subscription writes them, read back by
conversation (each message once, in publish order), and the same question for the cloud's table."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shared.bus.audit import AUDIT_FILE, AuditFile, audit_subscription, bigquery_command, conversation
from shared.messages.envelope import Actor, Envelope

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


def _command(aggregate_id: str) -> Envelope:
    return Envelope.originate(
        kind="command",
        type="PlaceOrder",
        aggregate_type="Order",
        aggregate_id=aggregate_id,
        actor=Actor(uid="u-1", role="writer"),
        payload={},
    )


def _keep(record: AuditFile, topic: str, message_id: str, at: datetime, envelope: Envelope) -> None:
    record.keep(topic, message_id, at, envelope.to_data(), envelope.attributes())


def test_a_kept_message_reads_back_as_the_tables_row(tmp_path: Path) -> None:
    record = AuditFile(tmp_path)
    command = _command("o-1")
    _keep(record, "commands", "m-1", T0, command)

    [row] = record.rows()

    assert row.subscription_name == audit_subscription("commands") == "commands-audit"
    assert (row.topic, row.message_id, row.publish_time) == ("commands", "m-1", T0)
    assert row.attributes == command.attributes()
    assert row.envelope() == command


def test_a_conversation_is_its_messages_once_each_in_publish_order(tmp_path: Path) -> None:
    record = AuditFile(tmp_path)
    command = _command("o-1")
    event = command.caused(kind="event", type="OrderPlaced", aggregate_type="Order", aggregate_id="o-1")
    other = _command("o-2")
    _keep(record, "events", "m-2", T0 + timedelta(seconds=1), event)  # routed before its cause's row
    _keep(record, "commands", "m-1", T0, command)
    _keep(record, "commands", "m-3", T0, other)
    _keep(record, "events", "m-2", T0 + timedelta(seconds=1), event)  # delivered twice
    record.keep("events", "m-4", T0, b"not an envelope", {"type": "Poison"})

    found = conversation(record.rows(), command.correlation_id)

    assert [(row.message_id, envelope.type) for row, envelope in found] == [
        ("m-1", "PlaceOrder"),
        ("m-2", "OrderPlaced"),
    ]
    assert [row.data for row in record.rows()][-1] == "not an envelope"  # kept, though no conversation's


def test_a_line_cut_short_is_skipped_and_routers_write_whole_lines(tmp_path: Path) -> None:
    record = AuditFile(tmp_path)
    envelopes = [_command(f"o-{index}") for index in range(200)]

    def write(part: list[Envelope], topic: str) -> None:
        for index, envelope in enumerate(part):
            _keep(record, topic, f"{topic}-{index}", T0, envelope)

    routers = [
        threading.Thread(target=write, args=(envelopes[:100], "commands")),
        threading.Thread(target=write, args=(envelopes[100:], "events")),
    ]
    for router in routers:
        router.start()
    for router in routers:
        router.join()
    with (tmp_path / AUDIT_FILE).open("a") as out:
        out.write('{"subscription_name": "events-au')  # the runner died mid-line

    rows = record.rows()

    assert len(rows) == 200
    assert sorted(row.data for row in rows) == sorted(envelope.to_data().decode() for envelope in envelopes)


def test_an_empty_record_has_no_rows(tmp_path: Path) -> None:
    assert AuditFile(tmp_path).rows() == []


def test_the_clouds_question_passes_the_id_as_a_parameter() -> None:
    hostile = "x' OR '1'='1"
    command = bigquery_command("acme-prod", hostile)

    assert command[:2] == ["bq", "query"]
    assert f"--parameter=correlation_id:STRING:{hostile}" in command
    assert "`acme-prod.kiroku_audit.bus_messages`" in command[-1]
    assert hostile not in command[-1]
