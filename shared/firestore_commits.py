"""Optimistic commits on Firestore, as both Firestore stores (events, read models) write.

Firestore's read-write transactions lock what they read, so racing writers wait on each other's locks;
these stores instead read without locks and commit their writes in one batch whose preconditions fail when
a document they read changed, then read and decide again (shared/eventstore/firestore.py says why).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from google.api_core.exceptions import Conflict, FailedPrecondition
from google.cloud import firestore
from google.cloud.firestore_v1 import DocumentSnapshot, WriteBatch

from shared.observability.metrics import count_documents

T = TypeVar("T")
# Each failed attempt means another writer committed, so a document under heavy racing still progresses.
_COMMIT_ATTEMPTS = 50


def write_if_unchanged(
    client: firestore.Client, batch: WriteBatch, read: DocumentSnapshot[Any], data: dict[str, Any]
) -> None:
    """Write `data` over the document `read` saw; the whole commit fails if it changed (or appeared) since."""
    if read.exists:
        batch.update(read.reference, data, option=client.write_option(last_update_time=read.update_time))
    else:
        batch.create(read.reference, data)


def commit_optimistically(
    step: Callable[[], tuple[WriteBatch | None, T]], what: str, contended: type[Exception]
) -> T:
    """Read, decide, commit with preconditions; when another writer got in first, read and decide again.

    A step returns the batch to commit (None: nothing to write) and the outcome to return once it is
    committed. It may raise (a conflict) after reading what the winner wrote. After every attempt lost,
    `contended` (the caller's error) is raised.
    """
    for _ in range(_COMMIT_ATTEMPTS):
        batch, outcome = step()
        if batch is None:
            return outcome
        try:
            batch.commit()
        except (Conflict, FailedPrecondition):
            continue
        count_documents("write", len(batch))
        return outcome
    raise contended(
        f"{what}: {_COMMIT_ATTEMPTS} attempts lost to concurrent writers"
        " (or to a document written around the store)"
    )
