"""One request's context: the caller, the read models (counted), the DataLoaders, and the
command rejections to report as GraphQL errors beside the mutation results."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from google.cloud.pubsub_v1 import SubscriberClient
from graphql import GraphQLError
from strawberry.dataloader import DataLoader

from functions.graphql.errors import api_error
from shared.application.fulfilment import SAGAS
from shared.application.outcomes import OutcomeLog
from shared.application.projections import CATEGORIES
from shared.application.waits import PartnerWait, WaitLog
from shared.bus.publisher import Publisher
from shared.eventstore.store import EventStore
from shared.messages.envelope import Actor
from shared.observability.metrics import READ_MODEL_QUERIES
from shared.readmodels.changes import Change, Watch
from shared.readmodels.store import InvalidCursor, Page, ReadModelStore, ReadRecord, Scalar

# How long a waiting mutation sleeps without a notice before it reads again anyway.
NOTICE_FALLBACK_SECONDS = 1.0


class CountedReads:
    """The read-model store as GraphQL uses it, each query counted by model and operation."""

    def __init__(self, store: ReadModelStore) -> None:
        self._store = store

    def get(self, model: str, key: str) -> ReadRecord | None:
        READ_MODEL_QUERIES.labels(model, "get").inc()
        return self._store.get(model, key)

    def get_many(self, model: str, keys: list[str]) -> dict[str, ReadRecord]:
        READ_MODEL_QUERIES.labels(model, "get_many").inc()
        return self._store.get_many(model, keys)

    def find(
        self,
        model: str,
        where: dict[str, Scalar],
        order_by: str | None,
        limit: int,
        cursor: str | None,
        descending: bool = False,
        contains: tuple[str, str] | None = None,
        ranges: Mapping[str, tuple[int | None, int | None]] | None = None,
    ) -> Page:
        READ_MODEL_QUERIES.labels(model, "find").inc()
        try:
            return self._store.find(
                model,
                where,
                order_by,
                descending=descending,
                limit=limit,
                cursor=cursor,
                contains=contains,
                ranges=ranges,
            )
        except InvalidCursor as error:
            raise api_error("BAD_USER_INPUT", f"after: {error}", field="after") from error

    def watch(
        self, records: Iterable[tuple[str, str]] = (), models: Iterable[str] = ()
    ) -> AbstractContextManager[Watch]:
        """Notices of these records' changes, and of every record of these models (not a query: what a
        waiting mutation reads again on)."""
        return self._store.watch(records, models)

    async def changed(self, watch: Watch, deadline: float, worth_reading: Callable[[Change], bool]) -> None:
        """Sleep until a change worth reading again comes, the deadline passes, or no notice came for
        NOTICE_FALLBACK_SECONDS (a lost notice then costs one read, shared/readmodels/changes.py)."""
        while (remaining := deadline - time.monotonic()) > 0:
            change = await asyncio.to_thread(watch.next, min(remaining, NOTICE_FALLBACK_SECONDS))
            if change is None or worth_reading(change):
                return


@dataclass
class RequestContext:
    actor: Actor
    reads: CountedReads
    outcomes: OutcomeLog
    waits: WaitLog
    publisher: Publisher
    events: EventStore
    wait_seconds: float
    order_wait_seconds: float
    subscription_seconds: float
    project_id: str
    subscriber: Callable[[], SubscriberClient]  # opened on first use: only dead-letter queries need it
    rejections: list[GraphQLError] = field(default_factory=list)
    categories: DataLoader[str, ReadRecord | None] = field(init=False)
    sagas: DataLoader[str, ReadRecord | None] = field(init=False)
    # What each order is waiting for, by order id: its `waiting` and `statusDetail` share one lookup.
    waiting: DataLoader[str, PartnerWait | None] = field(init=False)

    def __post_init__(self) -> None:
        self.categories = self._loader(CATEGORIES.model)
        self.sagas = self._loader(SAGAS)

        async def waiting(order_ids: list[str]) -> list[PartnerWait | None]:
            found = self.waits.current_many(order_ids)
            return [found.get(order_id) for order_id in order_ids]

        self.waiting = DataLoader(load_fn=waiting)

    def forget_loaded(self) -> None:
        """Drop what the loaders keep: a subscription's next result reads its nested fields anew."""
        for loader in (self.categories, self.sagas, self.waiting):
            loader.clear_all()

    def _loader(self, model: str) -> DataLoader[str, ReadRecord | None]:
        """One read-model query per batch of keys, whatever the size of the page that asks."""

        async def load(keys: list[str]) -> list[ReadRecord | None]:
            found = self.reads.get_many(model, list(keys))
            return [found.get(key) for key in keys]

        return DataLoader(load_fn=load)

    def __getitem__(self, name: str) -> Any:  # strawberry extensions may read the context as a mapping
        return getattr(self, name)
