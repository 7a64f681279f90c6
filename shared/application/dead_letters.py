"""Dead letters: the messages a function gave up on, and what operators do with them.

Pub/Sub moves a message that a function refused `max_delivery_attempts` times to the function's
dead-letter topic (`<function>-dead-letter`), where the subscription `<function>-dead-letter-kept` keeps
it (locally the runner does the same for ordered subscriptions, which the emulator never dead-letters).
The message keeps its data, attributes and ordering key, and gains Pub/Sub's `CloudPubSubDeadLetter*`
attributes (the source subscription, its delivery count, the original publish time).

- `DeadLetterBox.peek` pulls and releases at once: looking never removes a message.
- `replay` republishes the chosen messages to the function's trigger topic, with their original data,
  attributes and ordering key plus the `kiroku_replay` marker (the dead letter's message id), and acks
  each one once its copy is published. Handlers are idempotent: a replay of something already applied
  changes nothing. Other functions whose filter takes the message get it too, as with any publish.
- `discard` acks the chosen messages: they are gone.

The `kiroku` command and the admins' GraphQL mutations both use these. The GraphQL function may publish
to the commands topic only (its account's least privilege), so through the API only the dead letters of
command functions can be replayed; the command line replays any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.api_core.exceptions import DeadlineExceeded, NotFound
from google.cloud.pubsub_v1 import PublisherClient, SubscriberClient

from shared.bus.manifest import FunctionSpec, Manifest, TopicTrigger

DEAD_LETTER_ATTRIBUTES = "CloudPubSubDeadLetter"  # the prefix of what Pub/Sub adds when dead-lettering
DELIVERY_COUNT = "CloudPubSubDeadLetterSourceDeliveryCount"
SOURCE_SUBSCRIPTION = "CloudPubSubDeadLetterSourceSubscription"
# What the local runner's router adds to the copies it hands each function (emulators/runner.py): a
# message the emulator dead-letters carries them; a replay is routed afresh, so it must not.
LOCAL_ROUTING_ATTRIBUTES = "kiroku-routed-"
REPLAY_ATTRIBUTE = "kiroku_replay"
PULL_SECONDS = 2.0
PULL_BATCH = 100
MAX_HELD = 1000


class UnknownFunction(ValueError):
    """Not a topic-triggered function of the manifest: only those have dead letters."""


def dead_lettering_function(name: str, manifest: Manifest | None = None) -> FunctionSpec:
    """The topic-triggered function called `name`."""
    manifest = manifest or Manifest.load()
    spec = next((spec for spec in manifest.functions if spec.name == name), None)
    if spec is None or not isinstance(spec.trigger, TopicTrigger):
        names = ", ".join(spec.name for spec in manifest.functions if isinstance(spec.trigger, TopicTrigger))
        raise UnknownFunction(f"{name!r} is not a topic-triggered function; those are: {names}")
    return spec


@dataclass(frozen=True)
class DeadLetter:
    """One kept message: its original data, attributes and ordering key, and what Pub/Sub added."""

    message_id: str
    publish_time: datetime
    data: bytes
    attributes: dict[str, str]  # as the message was published (no dead-letter or local routing ones)
    ordering_key: str
    dead_letter_attributes: dict[str, str]
    ack_id: str = field(repr=False, compare=False)

    @property
    def delivery_attempts(self) -> int | None:
        count = self.dead_letter_attributes.get(DELIVERY_COUNT)
        return int(count) if count is not None and count.isdigit() else None

    @property
    def source_subscription(self) -> str | None:
        return self.dead_letter_attributes.get(SOURCE_SUBSCRIPTION)

    @property
    def envelope_id(self) -> str | None:
        """The id of the command or event the message carries (its `id` attribute)."""
        return self.attributes.get("id")

    def text(self) -> str:
        return self.data.decode("utf-8", errors="replace")

    def matches(self, wanted: str) -> bool:
        """Named by its dead-letter message id or by the id of the command or event it carries."""
        return wanted in (self.message_id, self.envelope_id)

    def replay_attributes(self) -> dict[str, str]:
        return {**self.attributes, REPLAY_ATTRIBUTE: self.message_id}

    @classmethod
    def of(cls, received: Any) -> DeadLetter:
        message = received.message
        attributes = dict(message.attributes)
        return cls(
            message_id=message.message_id,
            publish_time=message.publish_time,
            data=bytes(message.data),
            attributes={
                key: value
                for key, value in attributes.items()
                if not key.startswith((DEAD_LETTER_ATTRIBUTES, LOCAL_ROUTING_ATTRIBUTES))
            },
            ordering_key=message.ordering_key,
            dead_letter_attributes={
                key: value for key, value in attributes.items() if key.startswith(DEAD_LETTER_ATTRIBUTES)
            },
            ack_id=received.ack_id,
        )


class DeadLetterBox:
    """One function's kept dead letters."""

    def __init__(self, subscriber: SubscriberClient, project_id: str, spec: FunctionSpec) -> None:
        self.spec = spec
        self._subscriber = subscriber
        self.path = subscriber.subscription_path(project_id, spec.dead_letter_subscription)

    def peek(self, limit: int = MAX_HELD) -> list[DeadLetter]:
        """Up to `limit` dead letters, left where they are."""
        letters = self.hold(limit)
        self.release(letters)
        return letters

    def hold(self, limit: int = MAX_HELD) -> list[DeadLetter]:
        """Pull up to `limit` dead letters and hold them (nobody else gets them) until `acknowledge` or
        `release`, or until the subscription's ack deadline passes."""
        letters: list[DeadLetter] = []
        while len(letters) < limit:
            try:
                response = self._subscriber.pull(
                    request={
                        "subscription": self.path,
                        "max_messages": min(PULL_BATCH, limit - len(letters)),
                    },
                    timeout=PULL_SECONDS,
                    retry=None,
                )
            except NotFound:  # no subscription: nothing was ever dead-lettered here
                break
            except DeadlineExceeded:
                break
            received = list(response.received_messages)
            if not received:
                break
            letters += [DeadLetter.of(item) for item in received]
        return letters

    def acknowledge(self, letters: Sequence[DeadLetter]) -> None:
        if letters:
            self._subscriber.acknowledge(
                request={"subscription": self.path, "ack_ids": [letter.ack_id for letter in letters]}
            )

    def release(self, letters: Sequence[DeadLetter]) -> None:
        if letters:
            self._subscriber.modify_ack_deadline(
                request={
                    "subscription": self.path,
                    "ack_ids": [letter.ack_id for letter in letters],
                    "ack_deadline_seconds": 0,
                }
            )


@dataclass
class DeadLetterResult:
    """What a replay or a discard did: the letters it handled, the ids it did not find, and the letters
    it could not republish (with why; they stay kept)."""

    function: str
    done: list[DeadLetter] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failed: list[tuple[DeadLetter, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.failed)


def choose(letters: Sequence[DeadLetter], ids: Iterable[str] | None) -> tuple[list[DeadLetter], list[str]]:
    """The letters named by `ids` (all of them when None), and the ids that named none."""
    if ids is None:
        return list(letters), []
    wanted = list(dict.fromkeys(ids))
    chosen = [letter for letter in letters if any(letter.matches(name) for name in wanted)]
    missing = [name for name in wanted if not any(letter.matches(name) for letter in letters)]
    return chosen, missing


def replay(
    box: DeadLetterBox, ids: Iterable[str] | None, resend: Callable[[DeadLetter], str]
) -> DeadLetterResult:
    """Republish the chosen dead letters (all when `ids` is None) with `resend` (e.g. `republish` to the
    function's topic), acking each once its copy is published; the rest are released untouched."""
    held = box.hold()
    chosen, missing = choose(held, ids)
    result = DeadLetterResult(box.spec.name, missing=missing)
    try:
        for letter in chosen:
            try:
                resend(letter)
            except Exception as error:  # reported, and the letter stays kept for another try
                result.failed.append((letter, str(error) or type(error).__name__))
                continue
            box.acknowledge([letter])
            result.done.append(letter)
    finally:
        box.release([letter for letter in held if letter not in result.done])
    return result


def discard(box: DeadLetterBox, ids: Iterable[str] | None) -> DeadLetterResult:
    """Ack the chosen dead letters (all when `ids` is None): they are gone; the rest are released."""
    held = box.hold()
    chosen, missing = choose(held, ids)
    try:
        box.acknowledge(chosen)
    finally:
        box.release([letter for letter in held if letter not in chosen])
    return DeadLetterResult(box.spec.name, done=chosen, missing=missing)


def republish(client: PublisherClient, project_id: str, topic: str, letter: DeadLetter) -> str:
    """Publish a dead letter again to the topic named `topic`, as it was first published (data,
    attributes, ordering key) plus the replay marker; returns the new message id. `client` must have
    message ordering enabled when the letter has an ordering key."""
    # Callers name the topic (tests/deploy/publishes.py reads which one from their call); the client wants
    # its path.
    topic = client.topic_path(project_id, topic)
    future = client.publish(
        topic, letter.data, ordering_key=letter.ordering_key, **letter.replay_attributes()
    )
    try:
        return str(future.result(timeout=30))
    except Exception:
        if letter.ordering_key:
            client.resume_publish(topic, letter.ordering_key)
        raise
