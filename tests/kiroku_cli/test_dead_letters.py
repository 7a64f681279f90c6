"""Poison messages on the local cloud, as in the cloud: a command whose function keeps failing on an
ordered subscription (which the Pub/Sub emulator never dead-letters) is dead-lettered by the runner after
its subscription's maximum attempts, with the attributes Pub/Sub adds; `kiroku dead-letters` lists and
shows it with the function's last error; once the cause is fixed, a replay applies it exactly once; a
discard removes one for good."""

from __future__ import annotations

import uuid
from typing import Any

from shared.bus.manifest import Manifest
from tests.e2e.conftest import until
from tests.kiroku_cli.conftest import Cloud

FUNCTION = "update-category"


def poison_update(cloud: Cloud, name: str) -> tuple[str, str, str]:
    """A category whose first event was damaged by hand, and an UpdateCategory of it sent without waiting:
    its function fails on every delivery (the stream no longer folds). (category, command id, the
    original payload to repair it with)."""
    category = f"dl-{uuid.uuid4().hex[:8]}"
    cloud.admin.created("createCategory", f'input: {{id: "{category}", name: "Poisoned"}}')
    stream = f"Category-{category}"
    original = cloud.event_field(stream, 1, "payload")
    cloud.set_event_field(stream, 1, "payload", "{}")  # CategoryCreated without its name
    command_id = f"cmd-{uuid.uuid4().hex}"
    sent = cloud.admin.data(
        f'mutation {{ updateCategory(input: {{id: "{category}", name: "{name}"}}, wait: false, '
        f'commandId: "{command_id}") {{ status }} }}'
    )
    assert sent["updateCategory"]["status"] == "PENDING"
    return category, command_id, original


def dead_letter_of(cloud: Cloud, command_id: str) -> dict[str, Any] | None:
    letters = cloud.kiroku_json("dead-letters", "list", FUNCTION, code=None)
    return next((letter for letter in letters if letter["attributes"].get("id") == command_id), None)


def test_a_poison_command_is_dead_lettered_locally_and_its_replay_applies_it_once(cloud: Cloud) -> None:
    spec = Manifest.load().function(FUNCTION)
    assert spec.ordering  # the case the emulator does not dead-letter
    category, command_id, original = poison_update(cloud, "Antidote")
    stream = f"Category-{category}"

    letter = until(lambda: dead_letter_of(cloud, command_id), timeout=120, every=2)

    assert letter["attributes"]["type"] == "UpdateCategory"
    assert letter["attributes"]["aggregate_id"] == category
    assert letter["delivery_attempts"] == spec.dead_letter.max_delivery_attempts
    assert letter["dead_letter_attributes"]["CloudPubSubDeadLetterSourceSubscription"] == spec.subscription
    assert letter["dead_letter_attributes"]["CloudPubSubDeadLetterSourceSubscriptionProject"] == "kiroku-cli"
    assert letter["dead_letter_attributes"]["CloudPubSubDeadLetterSourceTopicPublishTime"].endswith("Z")
    assert letter["ordering_key"] == category
    assert not any(key.startswith("kiroku-routed") for key in letter["attributes"])
    assert "ValidationError" in (letter["last_error"] or ""), letter["last_error"]
    assert command_id in letter["data"]
    assert cloud.kiroku("dead-letters", "list", FUNCTION, code=1)  # a dead letter is a problem
    shown = cloud.kiroku_json("dead-letters", "show", FUNCTION, command_id)
    assert [found["message_id"] for found in shown["letters"]] == [letter["message_id"]]
    assert len(cloud.storage.events.read_stream(stream)) == 1  # nothing applied
    cloud.kiroku("dead-letters", "replay", FUNCTION, "no-such-letter", code=1)

    cloud.set_event_field(stream, 1, "payload", original)  # the cause fixed
    replayed = cloud.kiroku_json("dead-letters", "replay", FUNCTION, letter["message_id"])

    assert replayed["replayed"] == [letter["message_id"]]

    def decided() -> dict[str, Any] | None:
        query = f'{{ commandStatus(id: "{command_id}") {{ status version }} }}'
        found: dict[str, Any] = cloud.admin.data(query)["commandStatus"]
        return found if found["status"] != "PENDING" else None

    status = until(decided)
    assert status == {"status": "ACCEPTED", "version": 2}
    until(
        lambda: (
            cloud.admin.data(f'{{ category(id: "{category}") {{ name }} }}')["category"]["name"] == "Antidote"
        )
    )
    events = cloud.storage.events.read_stream(stream)
    assert [event.type for event in events] == ["CategoryCreated", "CategoryUpdated"]  # applied once
    assert dead_letter_of(cloud, command_id) is None  # replayed letters are gone
    cloud.kiroku("dead-letters", "replay", FUNCTION, letter["message_id"], code=1)  # nothing left to replay


def test_a_dead_letter_is_discarded_after_it_is_printed(cloud: Cloud) -> None:
    category, command_id, original = poison_update(cloud, "Never")
    letter = until(lambda: dead_letter_of(cloud, command_id), timeout=120, every=2)
    cloud.set_event_field(f"Category-{category}", 1, "payload", original)
    cloud.kiroku("dead-letters", "discard", FUNCTION, code=2)  # neither ids nor --all

    discarded = cloud.kiroku("dead-letters", "discard", FUNCTION, command_id)

    assert letter["message_id"] in discarded.stdout
    assert "discarded 1 dead letter" in discarded.stdout
    assert dead_letter_of(cloud, command_id) is None
    assert cloud.admin.data(f'{{ category(id: "{category}") {{ name }} }}')["category"]["name"] == "Poisoned"
    cloud.kiroku("dead-letters", "list", "graphql", code=2)  # not a topic-triggered function
