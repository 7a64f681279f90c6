"""The outbox relay: publishes the events whose handler committed them but did not publish them.

Runs on a schedule (Cloud Scheduler in the cloud, a timer locally). Entries come oldest first, per stream
in version order, and are published with the aggregate id as ordering key before being cleared; a crash
between the two publishes them again later, which projectors and sagas shrug off as duplicates.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from shared.bus.publisher import Publisher
from shared.eventstore.store import EventStore
from shared.observability.log_metrics import OUTBOX_RELAYED


def relay_outbox(
    events: EventStore, publisher: Publisher, topic: str, batch: int = 500, budget_seconds: float = 30.0
) -> int:
    """Publish pending outbox entries until none are left or the time budget is spent; returns the count."""
    deadline = time.monotonic() + budget_seconds
    published = 0
    oldest_seconds = 0.0
    while time.monotonic() < deadline:
        entries = events.pending_outbox(batch)
        if not entries:
            break
        if not published:  # entries come oldest first
            oldest_seconds = (datetime.now(UTC) - entries[0].envelope.occurred_at).total_seconds()
        publisher.publish_many(topic, [entry.envelope for entry in entries])
        events.mark_published([entry.id for entry in entries])
        published += len(entries)
        if len(entries) < batch:
            break
    if published:
        OUTBOX_RELAYED.record(
            "relayed %d events from the outbox", published, pending=published, oldest_seconds=oldest_seconds
        )
    return published
