"""Writes one structured log line per command and event on the bus: an audit trail in Cloud Logging.

Every message's type, aggregate, version, actor, correlation and causation ids end up searchable
together, so "what happened to order X" is one log query, whichever functions handled it.
"""

from __future__ import annotations

import logging

from shared.bus.push import Delivery, push_entry_point
from shared.messages.envelope import Envelope

logger = logging.getLogger("kiroku.audit")


def audit_message(envelope: Envelope, delivery: Delivery) -> None:
    logger.info(
        "%s %s %s/%s",
        envelope.kind,
        envelope.type,
        envelope.aggregate_type,
        envelope.aggregate_id,
        extra={
            "json_fields": {
                "aggregate_version": envelope.aggregate_version,
                "actor_uid": envelope.actor.uid,
                "actor_role": envelope.actor.role,
                "occurred_at": envelope.occurred_at.isoformat(),
                "delivery_attempt": delivery.delivery_attempt,
            }
        },
    )


bus_audit = push_entry_point(audit_message)
