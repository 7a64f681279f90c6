"""The event store's typed errors, shared by both backends so callers catch one set whatever the storage."""

from __future__ import annotations


class EventStoreError(Exception):
    """Anything the event store refuses or cannot do."""


class InvalidAppend(EventStoreError, ValueError):
    """Input that can never be stored (bad stream id, version, payload or size); nothing was written."""


class EventTooLarge(InvalidAppend):
    """An event, a snapshot or a whole append over the size limit both backends share; nothing was written."""


class ConcurrencyConflict(EventStoreError):
    """The stream is not at the version the writer expected: reload, decide again, retry."""

    def __init__(self, stream_id: str, expected: int | None, actual: int) -> None:
        wanted = "no stream" if expected == 0 else f"version {expected}"
        super().__init__(f"stream {stream_id!r} expected at {wanted}, but it is at version {actual}")
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual


class CommandIdReused(EventStoreError):
    """A command id already applied to another stream: it is bound to its first use, nothing was written."""

    def __init__(self, command_id: str, stream_id: str) -> None:
        super().__init__(
            f"command id {command_id!r} was already applied to another stream than {stream_id!r}"
        )
        self.command_id = command_id
        self.stream_id = stream_id


class WriteContended(EventStoreError):
    """Firestore: a write lost its optimistic commit to other writers every time it was tried."""


class ImportRefused(EventStoreError):
    """An import into a store that is not empty, or a log file that is not a valid export."""


class MigrationError(EventStoreError):
    """A schema migration that cannot be applied, or one that was edited after it was applied."""
