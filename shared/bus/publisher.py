"""Publishes envelopes to Pub/Sub with the unmodified google-cloud-pubsub client.

Locally the client talks to the official emulator because `PUBSUB_EMULATOR_HOST` is set; in the cloud the
same code talks to Pub/Sub. Messages are published with their aggregate id as ordering key, so every
subscriber sees one aggregate's messages in order. A failed ordered publish pauses its key in the client;
we resume it before re-raising so the caller's retry can go through.
"""

from __future__ import annotations

from collections.abc import Sequence

from google.cloud.pubsub_v1 import PublisherClient
from google.cloud.pubsub_v1.types import BatchSettings, PublisherOptions

from shared.messages.envelope import Envelope
from shared.observability.metrics import count_published

# How long a health check waits for Pub/Sub to answer.
PUBSUB_PROBE_SECONDS = 5.0
# How long the client holds a message for a batch (its default is 10 ms). Every publish here waits for
# its ids and is one hop of someone's request, so a batch is what one call publishes at once, and the
# wait for more only delays each hop.
BATCH_LATENCY_SECONDS = 0.001


class Publisher:
    """Publishes envelopes to named topics of one project, ordered per aggregate."""

    def __init__(self, project_id: str, client: PublisherClient | None = None) -> None:
        self._project_id = project_id
        self._client = client or PublisherClient(
            batch_settings=BatchSettings(max_latency=BATCH_LATENCY_SECONDS),
            publisher_options=PublisherOptions(enable_message_ordering=True),
        )

    def topic_path(self, topic: str) -> str:
        return str(self._client.topic_path(self._project_id, topic))

    def check_topic(self, topic: str) -> None:
        """Raise unless the topic exists and this client can reach Pub/Sub (for health checks)."""
        # One attempt: the client retries an unreachable server for a minute by default.
        self._client.get_topic(topic=self.topic_path(topic), retry=None, timeout=PUBSUB_PROBE_SECONDS)

    def publish(self, topic: str, envelope: Envelope, timeout: float = 30.0) -> str:
        """Publish one envelope and wait for the server's message id."""
        return self.publish_many(topic, [envelope], timeout)[0]

    def publish_many(self, topic: str, envelopes: Sequence[Envelope], timeout: float = 30.0) -> list[str]:
        """Publish envelopes (batched by the client) and wait for all their message ids, in order."""
        path = self.topic_path(topic)
        messages = [(each.aggregate_id, each.to_data(), each.attributes()) for each in envelopes]
        count_published(topic, len(messages), sum(_size(data, attrs) for _, data, attrs in messages))
        futures = [
            (ordering_key, self._client.publish(path, data, ordering_key=ordering_key, **attributes))
            for ordering_key, data, attributes in messages
        ]
        message_ids: list[str] = []
        for ordering_key, future in futures:
            try:
                message_ids.append(str(future.result(timeout=timeout)))
            except Exception:
                self._client.resume_publish(path, ordering_key)
                raise
        return message_ids


def _size(data: bytes, attributes: dict[str, str]) -> int:
    """A message's size as Pub/Sub bills it: its data and its attributes' names and values."""
    return len(data) + sum(len(name) + len(value) for name, value in attributes.items())
