"""What a command is waiting for: the partner that cannot answer now, so an order can say why it waits.

A gateway command (a capture, a refund, a shipment) whose gateway is away, slow or behind an open circuit
is not failed: its delivery fails and Pub/Sub delivers it again after the subscription's backoff, until
the gateway answers, refuses for a final reason, or the saga's deadline for the step passes. Each failed
attempt is noted here, keyed by the command type and its aggregate, with the number of attempts and when
the next one comes; the API shows the note on the order and its saga while the command has no outcome.
A note is a read-model record: losing one loses an explanation, never a command.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from shared.application.outcomes import OutcomeLog
from shared.messages.envelope import Envelope, utc_now
from shared.readmodels.store import ReadModelStore

WAITS = "partner_waits"
# The partner each waiting command type waits for, as the order shows it.
PARTNERS = {
    "ProcessPayment": "payment gateway",
    "RefundPayment": "payment gateway",
    "ShipOrder": "shipping gateway",
}


class PartnerWait(BaseModel):
    """A command that is waiting for a partner: how long, how many attempts, when the next one comes."""

    model_config = ConfigDict(frozen=True)

    command_id: str
    command_type: str
    aggregate_id: str
    partner: str
    attempts: int
    reason: str  # the partner's own words: for admins and logs, never shown to a customer
    since: datetime
    last_attempt_at: datetime
    next_attempt_at: datetime | None


class WaitLog:
    """The waits of gateway commands, in the read-model store."""

    def __init__(self, read_models: ReadModelStore, outcomes: OutcomeLog) -> None:
        self._read_models = read_models
        self._outcomes = outcomes

    def note(
        self, envelope: Envelope, reason: str, attempt: int, backoff: Callable[[int], float] | None
    ) -> PartnerWait:
        """Note that `envelope`'s command failed its `attempt`-th delivery for want of its partner."""
        key = _key(envelope.type, envelope.aggregate_id)
        kept = self._read_models.get(WAITS, key)
        earlier = PartnerWait.model_validate(kept.data) if kept is not None else None
        now = utc_now()
        wait = PartnerWait(
            command_id=envelope.id,
            command_type=envelope.type,
            aggregate_id=envelope.aggregate_id,
            partner=PARTNERS.get(envelope.type, "partner"),
            attempts=attempt,
            reason=reason,
            since=earlier.since if earlier is not None and earlier.command_id == envelope.id else now,
            last_attempt_at=now,
            next_attempt_at=now + timedelta(seconds=backoff(attempt)) if backoff is not None else None,
        )
        # A concurrent note wins as well as this one would: either says the same thing.
        self._read_models.upsert(WAITS, key, wait.model_dump(mode="json"), (kept.version if kept else 0) + 1)
        return wait

    def current(self, aggregate_id: str) -> PartnerWait | None:
        """The latest wait of a command on this aggregate that still has no outcome."""
        return self.current_many([aggregate_id]).get(aggregate_id)

    def current_many(self, aggregate_ids: Sequence[str]) -> dict[str, PartnerWait]:
        """For each aggregate that has one, the latest wait of a command on it that still has no outcome:
        two reads, however many aggregates (a page of orders asks for all of its own at once)."""
        keys = [
            _key(command_type, aggregate_id) for aggregate_id in aggregate_ids for command_type in PARTNERS
        ]
        records = self._read_models.get_many(WAITS, keys).values()
        waits = [PartnerWait.model_validate(record.data) for record in records]
        outcomes = self._outcomes.get_many([wait.command_id for wait in waits])
        current: dict[str, PartnerWait] = {}
        for wait in sorted(waits, key=lambda wait: wait.last_attempt_at):  # the latest is kept
            outcome = outcomes.get(wait.command_id)
            if outcome is None or not outcome.settled:
                current[wait.aggregate_id] = wait
        return current


def _key(command_type: str, aggregate_id: str) -> str:
    return f"{command_type}-{aggregate_id}"
