"""The outcome of every command, kept by command id: what `commandStatus` and `wait: true` read.

An outcome is written once (the read-model store's version guard makes the first write win), so a
command delivered twice answers the second time with the first time's result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.domain.rejection import Rejected, RejectionCategory
from shared.messages.envelope import utc_now
from shared.readmodels.store import ReadModelStore

OUTCOMES = "command_outcomes"


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
    model_config = ConfigDict(frozen=True)

    command_id: str
    command_type: str
    status: Literal["ACCEPTED", "REJECTED"]
    aggregate_type: str
    aggregate_id: str
    version: int | None = None
    error: CommandError | None = None
    correlation_id: str
    actor_uid: str
    recorded_at: datetime


class OutcomeLog:
    """Command outcomes in the read-model store, one record per command id."""

    def __init__(self, read_models: ReadModelStore) -> None:
        self._read_models = read_models

    def get(self, command_id: str) -> CommandOutcome | None:
        record = self._read_models.get(OUTCOMES, command_id)
        return CommandOutcome.model_validate(record.data) if record is not None else None

    def record(self, outcome: CommandOutcome) -> CommandOutcome:
        """Keep `outcome` unless one is kept already; returns the kept one."""
        if self._read_models.upsert(OUTCOMES, outcome.command_id, outcome.model_dump(mode="json"), 1):
            return outcome
        kept = self.get(outcome.command_id)
        return kept if kept is not None else outcome


def new_outcome(**fields: object) -> CommandOutcome:
    return CommandOutcome.model_validate({"recorded_at": utc_now(), **fields})
