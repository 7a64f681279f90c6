"""The runner delivers as Pub/Sub push would: through the real emulator to real function servers."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from google.cloud.pubsub_v1 import SubscriberClient
from google.cloud.pubsub_v1.types import ReceivedMessage

from emulators.stack import LocalCloud
from shared.bus.manifest import Manifest, RetryPolicy
from shared.bus.publisher import Publisher
from shared.messages.envelope import Envelope
from tests.integration.conftest import BUS_MANIFEST

Record = dict[str, Any]


def _envelope(message_type: str, aggregate_id: str, **payload: Any) -> Envelope:
    return Envelope.originate(
        kind="event", type=message_type, aggregate_type="Test", aggregate_id=aggregate_id, payload=payload
    )


def _records(
    records_dir: Path, function: str, where: Callable[[Record], bool] = lambda _: True
) -> list[Record]:
    path = records_dir / f"{function}.jsonl"
    if not path.exists():
        return []
    return [record for line in path.read_text().splitlines() if where(record := json.loads(line))]


def _wait_for(
    records_dir: Path, function: str, count: int, where: Callable[[Record], bool], timeout: float = 30.0
) -> list[Record]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _records(records_dir, function, where)
        if len(found) >= count:
            return found
        time.sleep(0.05)
    raise AssertionError(
        f"{function}: expected {count} records, got {len(_records(records_dir, function, where))}"
    )


def _retry_policy(function: str) -> RetryPolicy:
    return Manifest.load(BUS_MANIFEST).function(function).retry


def _tagged(tag: str) -> Callable[[Record], bool]:
    return lambda record: record.get("payload", {}).get("tag") == tag


def test_a_published_envelope_reaches_its_function_as_a_push_request(
    publisher: Publisher, records_dir: Path, bus_cloud: LocalCloud
) -> None:
    tag = str(uuid.uuid4())
    envelope = _envelope("Pinged", "agg-1", tag=tag)
    message_id = publisher.publish("plain", envelope)

    [record] = _wait_for(records_dir, "echo", 1, _tagged(tag))

    assert record["envelope_id"] == envelope.id
    assert record["message_id"] == message_id
    assert record["attempt"] == 1
    assert record["ordering_key"] == "agg-1"
    assert record["subscription"] == f"projects/{bus_cloud.options.project_id}/subscriptions/echo-push"


def test_messages_of_one_ordering_key_arrive_in_publish_order(
    publisher: Publisher, records_dir: Path
) -> None:
    tag = str(uuid.uuid4())
    keys = [f"{tag}-{n}" for n in range(3)]
    envelopes = [_envelope("Step", key, tag=tag, seq=seq) for seq in range(40) for key in keys]
    publisher.publish_many("sequence", envelopes)

    received = _wait_for(records_dir, "ordered", len(envelopes), _tagged(tag))

    for key in keys:
        sequence = [record["payload"]["seq"] for record in received if record["ordering_key"] == key]
        assert sequence == list(range(40)), key


def test_a_failing_handler_is_retried_with_backoff_until_it_succeeds(
    publisher: Publisher, records_dir: Path
) -> None:
    tag = str(uuid.uuid4())
    publisher.publish("retries", _envelope("Flaky", tag, tag=tag, fail_times=2))

    attempts = _wait_for(records_dir, "flaky", 3, _tagged(tag))
    # A success must end the redeliveries: a fourth would come at most the longest backoff later.
    time.sleep(_retry_policy("flaky").maximum_backoff_seconds + 1.0)
    attempts = _records(records_dir, "flaky", _tagged(tag))

    assert [record["attempt"] for record in attempts] == [1, 2, 3]
    assert len({record["message_id"] for record in attempts}) == 1
    # The subscription's retry policy: 1 s after the first failure, twice that after the second.
    assert attempts[1]["at"] - attempts[0]["at"] >= 0.9
    assert attempts[2]["at"] - attempts[1]["at"] >= 1.9


def test_a_keys_later_messages_wait_for_the_redelivery_of_one_that_failed(
    publisher: Publisher, records_dir: Path
) -> None:
    tag = str(uuid.uuid4())
    envelopes = [_envelope("Step", tag, tag=tag, seq=0, fail_times=1)]
    envelopes += [_envelope("Step", tag, tag=tag, seq=seq) for seq in range(1, 4)]
    publisher.publish_many("ordered-retries", envelopes)

    received = _wait_for(records_dir, "ordered_flaky", 5, _tagged(tag))

    # The first push of seq 0 fails; an ordered subscription holds the key's later messages back until
    # its redelivery is handled, so they come after it.
    assert [record["payload"]["seq"] for record in received] == [0, 0, 1, 2, 3]
    assert [record["attempt"] for record in received[:2]] == [1, 2]
    assert received[1]["at"] - received[0]["at"] >= 0.9  # after the retry policy's backoff


def test_a_poison_message_lands_on_the_dead_letter_topic_with_its_attributes(
    publisher: Publisher, records_dir: Path, subscriber: SubscriberClient, bus_cloud: LocalCloud
) -> None:
    tag = str(uuid.uuid4())
    envelope = _envelope("Poison", tag, tag=tag)
    publisher.publish("poison", envelope)

    attempts = _wait_for(records_dir, "poison", 5, _tagged(tag), timeout=60)
    kept = f"projects/{bus_cloud.options.project_id}/subscriptions/poison-dead-letter-kept"
    dead: list[ReceivedMessage] = []
    deadline = time.monotonic() + 30
    while not dead and time.monotonic() < deadline:
        response = subscriber.pull(request={"subscription": kept, "max_messages": 10}, timeout=5)
        dead = [m for m in response.received_messages if m.message.attributes.get("id") == envelope.id]
    assert dead, "the poison message never reached the dead-letter topic"

    message = dead[0].message
    assert Envelope.from_data(message.data) == envelope
    for name, value in envelope.attributes().items():
        assert message.attributes[name] == value
    assert message.attributes["CloudPubSubDeadLetterSourceSubscription"].endswith("poison-push")
    assert [record["attempt"] for record in attempts][:5] == [1, 2, 3, 4, 5]
    assert len(_records(records_dir, "poison", _tagged(tag))) == 5


def test_a_filter_keeps_non_matching_messages_away(publisher: Publisher, records_dir: Path) -> None:
    tag = str(uuid.uuid4())
    for message_type in ("Unwanted", "Wanted", "AlsoWantedToo", "NotWanted"):
        publisher.publish("mixed", _envelope(message_type, tag, tag=tag))
    sentinel = _envelope("Wanted", tag, tag=tag, last=True)
    publisher.publish("mixed", sentinel)

    # The subscription is ordered and all five share a key: once the last has come, any message let
    # through wrongly would have come before it.
    _wait_for(
        records_dir, "filtered", 1, lambda record: _tagged(tag)(record) and record["payload"].get("last")
    )

    assert sorted(record["type"] for record in _records(records_dir, "filtered", _tagged(tag))) == [
        "AlsoWantedToo",
        "Wanted",
        "Wanted",
    ]


def test_a_concurrent_duplicate_delivery_carries_the_same_message_id_at_the_same_time(
    publisher: Publisher, records_dir: Path
) -> None:
    tag = str(uuid.uuid4())
    message_id = publisher.publish("duplicates", _envelope("Twice", tag, tag=tag))

    deliveries = _wait_for(records_dir, "duplicated", 2, _tagged(tag))

    assert [record["message_id"] for record in deliveries] == [message_id, message_id]
    first, second = sorted(deliveries, key=lambda record: record["started"])
    assert second["started"] < first["at"], "the twin was handled after the first, not beside it"


def test_a_scheduled_function_is_called_on_its_local_timer(records_dir: Path, bus_cloud: LocalCloud) -> None:
    started = time.time()
    ticks = _wait_for(records_dir, "ticker", 3, lambda tick: tick["at"] >= started, timeout=10)
    assert all(tick["method"] == "POST" for tick in ticks)
    gaps = [later["at"] - earlier["at"] for earlier, later in itertools.pairwise(ticks)]
    schedule = Manifest.load(BUS_MANIFEST).function("ticker").schedule
    assert schedule is not None
    interval = schedule.local_interval_seconds
    assert all(gap >= interval * 0.8 for gap in gaps), gaps  # on its timer, not in a burst
