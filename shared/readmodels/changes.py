"""Notices that read-model records changed, so that a waiting request reads again only when one moved.

A mutation with `wait` waits for its command's outcome, for its read model to show it, or for an order to
settle. Polled, each wait cost a read every few milliseconds. Instead a waiter opens a `Watch` on the
records it waits for (`ReadModelStore.watch`), reads them once, then sleeps until a notice of a change
(the record's model, key, version and top-level `status`) says it is worth reading again. Each backend
tells of its writes (PostgreSQL: NOTIFY from a trigger, one LISTEN connection per process; Firestore: a
listener per watched document; memory: in process). A watch can also hear of every record of a model
(the console's saga monitor follows all sagas so); on Firestore that is a listener on the records written
since it opened. A notice can be lost (a LISTEN connection that
reconnects), so a waiter also reads again when none came for a while: a lost notice costs a poll, never
the answer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True, slots=True)
class Change:
    """A record written: its new version, and its top-level `status` (None when it has none or is gone)."""

    model: str
    key: str
    version: int
    status: str | None


def status_of(data: object) -> str | None:
    """A record's top-level `status`, as a notice carries it (None when it has none or is gone)."""
    status = data.get("status") if isinstance(data, dict) else None
    return status if isinstance(status, str) else None


class Watch:
    """The changes of some records, and of every record of some models, from the moment the watch was
    opened until it is closed."""

    def __init__(self, records: Iterable[tuple[str, str]], models: Iterable[str] = ()) -> None:
        self.records = frozenset(records)
        self.models = frozenset(models)
        self._changes: queue.SimpleQueue[Change] = queue.SimpleQueue()

    def notify(self, change: Change) -> None:
        self._changes.put(change)

    def next(self, timeout: float) -> Change | None:
        """The next change (in the order the notices came), or None if none came within `timeout`."""
        try:
            return self._changes.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None


class Watchers:
    """The open watches of one process, by record and by model: a backend with one source of notices
    dispatches here."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_record: dict[tuple[str, str], set[Watch]] = {}
        self._by_model: dict[str, set[Watch]] = {}

    def add(self, watch: Watch) -> None:
        with self._lock:
            for record in watch.records:
                self._by_record.setdefault(record, set()).add(watch)
            for model in watch.models:
                self._by_model.setdefault(model, set()).add(watch)

    def remove(self, watch: Watch) -> None:
        with self._lock:
            _discard(self._by_record, watch.records, watch)
            _discard(self._by_model, watch.models, watch)

    def dispatch(self, change: Change) -> None:
        with self._lock:
            watching = self._by_record.get((change.model, change.key), set()) | self._by_model.get(
                change.model, set()
            )
        for watch in watching:
            watch.notify(change)


_Key = TypeVar("_Key")


def _discard(index: dict[_Key, set[Watch]], keys: Iterable[_Key], watch: Watch) -> None:
    for key in keys:
        watching = index.get(key)
        if watching is not None:
            watching.discard(watch)
            if not watching:
                del index[key]
