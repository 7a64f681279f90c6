"""Live updates: an order and its saga as they change, for the order page and a saga's timeline, and
every saga's changes, for the saga monitor's list and counts.

GraphQL subscriptions, served by the GraphQL function over Server-Sent Events (app.py streams each result
as a graphql-sse `next` event). A subscription yields the record as the caller may see it, then again each
time a notice says the order or its saga changed (shared/readmodels/changes.py), so it costs a read per
change, not per poll. It ends once the order (or saga) has ended, or after the server's
`subscription_seconds`, which stay under the function's request timeout: a client that still cares
subscribes again. The saga monitor's subscription tells only which saga changed, from the notice alone
(no read): the monitor reads its page again, at the pace it chooses.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from functions.graphql.context import RequestContext
from functions.graphql.orders import SETTLED, Order, Saga, visible
from functions.graphql.results import LOOKUP_ID, described_subscription, looked_up_id
from shared.application.fulfilment import SAGAS
from shared.application.projections import ORDERS as ORDER_VIEWS
from shared.readmodels.store import ReadRecord

ORDERS = ORDER_VIEWS.model
RequestInfo = strawberry.Info[RequestContext, None]


@strawberry.type(description="What changes can be followed as they happen (GraphQL over SSE).")
class LiveSubscription:
    @described_subscription(
        "An order as it stands, then again at each change of it or its saga, until it is "
        "completed or cancelled: your own, or any for an admin; null while it is not there (or not "
        "yours). Needs sign-in."
    )
    async def order(
        self,
        info: RequestInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description=LOOKUP_ID.format("order"))],
    ) -> AsyncGenerator[Order | None, None]:
        async for record in _followed(info.context, ORDERS, looked_up_id(id)):
            yield Order.of(record) if record is not None else None

    @described_subscription(
        "An order's fulfilment saga as it stands, then again at each change, until it has "
        "ended: your own order's, or any for an admin; null while there is none (or not yours). Needs "
        "sign-in."
    )
    async def saga(
        self,
        info: RequestInfo,
        order_id: Annotated[strawberry.ID, strawberry.argument(description=LOOKUP_ID.format("order"))],
    ) -> AsyncGenerator[Saga | None, None]:
        context = info.context
        async for record in _followed(context, SAGAS, looked_up_id(order_id, "orderId")):
            yield Saga.of(record, context) if record is not None else None

    @described_subscription(
        "Each change of any fulfilment saga as it happens (which one, its status and version), for the "
        "saga monitor to read again what it shows; a change is told once, however many read it. Ends "
        "after the server's subscription time. Admins only."
    )
    async def saga_changes(self, info: RequestInfo) -> AsyncGenerator[SagaChange, None]:
        context = info.context
        until = time.monotonic() + context.subscription_seconds
        with context.reads.watch(models=[SAGAS]) as watch:
            while (remaining := until - time.monotonic()) > 0:
                change = await asyncio.to_thread(watch.next, remaining)
                if change is not None:
                    yield SagaChange(
                        order_id=strawberry.ID(change.key), status=change.status, version=change.version
                    )


@strawberry.type(description="A fulfilment saga that changed: which one, and what it became.")
class SagaChange:
    order_id: strawberry.ID = strawberry.field(description="The order's id (its saga's).")
    status: str | None = strawberry.field(
        description="The saga's status since the change: RUNNING, COMPENSATING, COMPLETED or CANCELLED; "
        "null once it is gone (a rebuild of the read model)."
    )
    version: int = strawberry.field(description="The saga's version since the change; 0 once it is gone.")


async def _followed(context: RequestContext, model: str, order_id: str) -> AsyncGenerator[ReadRecord | None]:
    """The order's or its saga's record as the caller may see it: now, then after each change of either
    that shows something new, until it has ended or the subscription's time is up."""
    until = time.monotonic() + context.subscription_seconds
    shown: tuple[int, ...] | None = None
    with context.reads.watch([(ORDERS, order_id), (SAGAS, order_id)]) as watch:
        while True:
            context.forget_loaded()  # the nested fields of each result are read anew
            stored = await asyncio.to_thread(context.reads.get, model, order_id)
            record = visible(context, stored)
            saga = await asyncio.to_thread(context.reads.get, SAGAS, order_id) if model == ORDERS else record
            # The order's nested saga shows this read of it, the one `seen` counts.
            context.sagas.prime(order_id, saga)
            seen = (record.version if record else 0, saga.version if saga else 0)
            if seen != shown:
                shown = seen
                yield record
            # Someone else's order ends the stream at once, as if it were not there; one that is not
            # there yet (just placed) may come.
            if stored is not None and record is None:
                return
            if record is not None and str(record.data.get("status")) in SETTLED:
                return
            if time.monotonic() >= until:
                return
            await context.reads.changed(watch, until, lambda _change: True)
