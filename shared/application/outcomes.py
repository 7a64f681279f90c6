"""The outcome of every command, kept by command id: what `commandStatus` and `wait: true` read.

An outcome is written once (the read-model store's version guard makes the first write win), so a
command delivered twice answers the second time with the first time's result.

A command id is bound to its first use: the handler that first takes a command writes a claim (a PENDING
record, version 1, naming the command type, the aggregate and the actor) unless the id has a record
already, and the outcome (version 2) replaces the claim. A message whose id is bound to something else
changes nothing, and the API (which only reads this log: its database role cannot write) refuses to send,
or stops waiting for, a command whose id it finds bound to another.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.domain.rejection import Rejected, RejectionCategory
from shared.messages.envelope import utc_now
from shared.readmodels.store import ReadModelStore

OUTCOMES = "command_outcomes"
# Record versions: a claim may be replaced by the outcome, an outcome by nothing.
_CLAIMED = 1
_SETTLED = 2


class CommandError(BaseModel):
    """Why a command was rejected: a stable code, its API category, a message and the field at fault."""

    model_config = ConfigDict(frozen=True)

    code: str
    category: RejectionCategory
    message: str
    field: str | None = None

    @classmethod
    def of(cls, rejection: Rejected) -> CommandError:
        return cls(
            code=rejection.code, category=rejection.category, message=rejection.message, field=rejection.field
        )


class CommandOutcome(BaseModel):
    """A command's result, or while it has none, the claim that binds its id (status PENDING)."""

    model_config = ConfigDict(frozen=True)

    command_id: str
    command_type: str
    status: Literal["PENDING", "ACCEPTED", "REJECTED"]
    aggregate_type: str
    aggregate_id: str
    version: int | None = None
    error: CommandError | None = None
    correlation_id: str
    actor_uid: str
    recorded_at: datetime

    @property
    def settled(self) -> bool:
        return self.status != "PENDING"

    def binds(self, command_type: str, aggregate_id: str, actor_uid: str) -> bool:
        """Whether this record's id was first used for this very command (type, aggregate and actor)."""
        return (self.command_type, self.aggregate_id, self.actor_uid) == (
            command_type,
            aggregate_id,
            actor_uid,
        )


class OutcomeLog:
    """Command outcomes in the read-model store, one record per command id."""

    def __init__(self, read_models: ReadModelStore) -> None:
        self._read_models = read_models

    def get(self, command_id: str) -> CommandOutcome | None:
        """The outcome of this command id, or its claim while it has none."""
        record = self._read_models.get(OUTCOMES, command_id)
        return CommandOutcome.model_validate(record.data) if record is not None else None

    def get_many(self, command_ids: Sequence[str]) -> dict[str, CommandOutcome]:
        """The outcomes (or claims) of those command ids that have one, in one read."""
        records = self._read_models.get_many(OUTCOMES, list(command_ids))
        return {key: CommandOutcome.model_validate(record.data) for key, record in records.items()}

    def claim(self, claim: CommandOutcome) -> CommandOutcome:
        """Bind a command id to `claim` (a PENDING record) unless it is bound already; returns what the id is
        bound to: `claim` itself, an earlier claim, or the outcome of the command that first used it."""
        if self._read_models.upsert(OUTCOMES, claim.command_id, claim.model_dump(mode="json"), _CLAIMED):
            return claim
        kept = self.get(claim.command_id)
        return kept if kept is not None else claim

    def record(self, outcome: CommandOutcome) -> CommandOutcome:
        """Keep `outcome` unless one is kept already; returns the kept one."""
        data = outcome.model_dump(mode="json")
        if self._read_models.upsert(OUTCOMES, outcome.command_id, data, _SETTLED):
            return outcome
        kept = self.get(outcome.command_id)
        return kept if kept is not None else outcome


def new_outcome(**fields: object) -> CommandOutcome:
    return CommandOutcome.model_validate({"recorded_at": utc_now(), **fields})
