"""Orders and their sagas as the API shows them, and the ownership rule that guards both.

A writer sees only their own orders and sagas; an admin sees all. Someone else's order is reported as
missing (null), never as forbidden, so that order ids do not leak. What a participant said when it
failed (a gateway's error text) is for admins: a customer's saga shows the stable message its order's
cancellation carries, and no detail in its history. `placeOrder` with `wait: true` waits
past the command's acceptance until the order is completed or cancelled, or its saga is compensating:
the answer a checkout page shows.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import strawberry

from functions.graphql.context import RequestContext
from functions.graphql.results import (
    CommandResult,
    CommandStatus,
    Connection,
    Edge,
    RequestInfo,
    command_input,
    looked_up_id,
    new_id,
    page_size,
    send,
)
from shared.application.projections import ORDERS as ORDER_VIEWS
from shared.application.sagas import SAGAS
from shared.application.waits import PartnerWait as Wait
from shared.domain.fulfilment import CUSTOMER_MESSAGES
from shared.messages.orders import CancelOrder, PlaceOrder
from shared.readmodels.store import ReadRecord, Scalar, cursor_after

ORDERS = ORDER_VIEWS.model
SETTLED = frozenset({"COMPLETED", "CANCELLED"})
_POLL_SECONDS = 0.05


@strawberry.type
class StatusChange:
    status: str
    at: datetime
    reason: str | None


@strawberry.type
class OrderLine:
    product_id: strawberry.ID
    quantity: int
    unit_price: str = strawberry.field(description="the exact amount captured when the order was placed")


@strawberry.type
class SagaHistoryEntry:
    at: datetime
    event: str
    step: str | None
    detail: str | None
    causation_id: str
    commands: list[str]


@strawberry.type(
    description="A partner the order is waiting for: its gateway is away, slow or behind an open circuit. "
    "The step is tried again until the partner answers or the step's deadline passes; it is not failed."
)
class PartnerWait:
    partner: str = strawberry.field(description="`payment gateway` or `shipping gateway`")
    command: str = strawberry.field(
        description="the waiting command: ProcessPayment, ShipOrder, RefundPayment"
    )
    attempts: int = strawberry.field(description="deliveries of the command so far")
    since: datetime = strawberry.field(description="the first failed attempt (RFC 3339, UTC)")
    last_attempt_at: datetime = strawberry.field(description="the latest failed attempt (RFC 3339, UTC)")
    next_attempt_at: datetime | None = strawberry.field(
        description="when the command is delivered again (RFC 3339, UTC), when known"
    )
    reason: str | None = strawberry.field(description="the partner's own words; admins only, else null")

    @classmethod
    def of(cls, wait: Wait, context: RequestContext) -> PartnerWait:
        return cls(
            partner=wait.partner,
            command=wait.command_type,
            attempts=wait.attempts,
            since=wait.since,
            last_attempt_at=wait.last_attempt_at,
            next_attempt_at=wait.next_attempt_at,
            reason=wait.reason if context.actor.role == "admin" else None,
        )

    @property
    def detail(self) -> str:
        then = f"; next try at {_rfc3339(self.next_attempt_at)}" if self.next_attempt_at else ""
        return f"waiting for the {self.partner} (attempt {self.attempts}{then})"


async def _waiting(order_id: str, status: str, context: RequestContext) -> PartnerWait | None:
    if status in SETTLED:
        return None
    wait = await context.waiting.load(order_id)
    return PartnerWait.of(wait, context) if wait is not None else None


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@strawberry.type
class Saga:
    order_id: strawberry.ID
    status: str = strawberry.field(description="RUNNING, COMPENSATING, COMPLETED or CANCELLED")
    step: str | None
    deadline: datetime | None
    failure: str | None
    failure_detail: str | None
    version: int
    history: list[SagaHistoryEntry]

    @strawberry.field
    async def waiting(self, info: strawberry.Info[RequestContext, None]) -> PartnerWait | None:
        """The partner the saga's current step is waiting for, if any."""
        return await _waiting(str(self.order_id), self.status, info.context)

    @classmethod
    def of(cls, record: ReadRecord, context: RequestContext) -> Saga:
        data = record.data
        history = data.get("history")
        assert isinstance(history, list)
        admin = context.actor.role == "admin"
        failure = _text(data.get("failure"))
        failure_detail = _text(data.get("failure_detail")) or None
        if not admin and failure is not None:
            failure_detail = CUSTOMER_MESSAGES.get(failure, failure_detail)  # type: ignore[call-overload]
        return cls(
            order_id=strawberry.ID(record.key),
            status=str(data["status"]),
            step=_text(data.get("step")),
            deadline=_moment(data.get("deadline")),
            failure=failure,
            failure_detail=failure_detail,
            version=record.version,
            history=[
                SagaHistoryEntry(
                    at=datetime.fromisoformat(str(entry["at"])),
                    event=str(entry["event"]),
                    step=_text(entry.get("step")),
                    detail=_text(entry.get("detail")) if admin else None,
                    causation_id=str(entry["causation_id"]),
                    commands=[str(command) for command in _list(entry.get("commands"))],
                )
                for entry in history
                if isinstance(entry, dict)
            ],
        )


@strawberry.type
class Order:
    id: strawberry.ID
    customer_id: strawberry.ID
    status: str = strawberry.field(
        description="PLACED, RESERVED, PAID, SHIPPING, COMPLETED, CANCELLING or CANCELLED"
    )
    lines: list[OrderLine]
    total: str
    currency: str
    status_history: list[StatusChange]
    cancel_reason: str | None = strawberry.field(description="why it was cancelled, e.g. OUT_OF_STOCK")
    cancel_detail: str | None
    version: int
    created_at: datetime
    updated_at: datetime

    @strawberry.field
    async def waiting(self, info: strawberry.Info[RequestContext, None]) -> PartnerWait | None:
        """The partner the order is waiting for, if any (see statusDetail)."""
        return await _waiting(str(self.id), self.status, info.context)

    @strawberry.field
    async def status_detail(self, info: strawberry.Info[RequestContext, None]) -> str | None:
        """Why the order is where it is, when there is more to say than its status, e.g.
        `waiting for the payment gateway (attempt 3; next try at 2026-11-30T12:00:05Z)`."""
        waiting = await _waiting(str(self.id), self.status, info.context)
        return waiting.detail if waiting is not None else None

    @strawberry.field
    async def saga(self, info: strawberry.Info[RequestContext, None]) -> Saga | None:
        record = await info.context.sagas.load(str(self.id))
        return Saga.of(record, info.context) if record is not None else None

    @classmethod
    def of(cls, record: ReadRecord) -> Order:
        data = record.data
        lines, history = data.get("lines"), data.get("status_history")
        assert isinstance(lines, list)
        assert isinstance(history, list)
        return cls(
            id=strawberry.ID(record.key),
            customer_id=strawberry.ID(str(data["customer_id"])),
            status=str(data["status"]),
            lines=[
                OrderLine(
                    product_id=strawberry.ID(str(line["product_id"])),
                    quantity=int(str(line["quantity"])),
                    unit_price=str(line["unit_price"]),
                )
                for line in lines
                if isinstance(line, dict)
            ],
            total=str(data["total"]),
            currency=str(data["currency"]),
            status_history=[
                StatusChange(
                    status=str(change["status"]),
                    at=datetime.fromisoformat(str(change["at"])),
                    reason=_text(change.get("reason")),
                )
                for change in history
                if isinstance(change, dict)
            ],
            cancel_reason=_text(data.get("cancel_reason")),
            cancel_detail=_text(data.get("cancel_detail")),
            version=record.version,
            created_at=datetime.fromisoformat(str(data["created_at"])),
            updated_at=datetime.fromisoformat(str(data["updated_at"])),
        )


@strawberry.type
class OrderResult(CommandResult):
    """A placed order's command result, and the order as it stood when the wait ended."""

    order: Order | None


@strawberry.input
class OrderLineInput:
    product_id: strawberry.ID
    quantity: int


@strawberry.input
class PlaceOrderInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="chosen by the server when absent; a retry with the same id places once"
    )
    lines: list[OrderLineInput]
    payment_token: str
    shipping_address: str


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _text(value: object) -> str | None:
    return str(value) if value is not None else None


def _moment(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value is not None else None


def visible(context: RequestContext, record: ReadRecord | None) -> ReadRecord | None:
    """The record if the caller may see it: their own order or saga, or any for an admin."""
    if record is None:
        return None
    actor = context.actor
    return record if actor.role == "admin" or record.data.get("customer_id") == actor.uid else None


def find_orders(
    context: RequestContext, first: int | None, after: str | None, status: str | None
) -> Connection[Order]:
    """Newest first; a writer's own orders, an admin's view of all of them."""
    wanted = page_size(first)
    where: dict[str, Scalar] = {}
    if context.actor.role != "admin":
        where["customer_id"] = context.actor.uid
    if status is not None:
        where["status"] = status
    page = context.reads.find(ORDERS, where, "created_at", wanted, after, descending=True)
    edges = [
        Edge(cursor=cursor_after(record, "created_at", descending=True), node=Order.of(record))
        for record in page.records
    ]
    return Connection.page(edges, has_next_page=page.next_cursor is not None, after=after)


async def wait_until_settled(context: RequestContext, order_id: str, deadline: float) -> ReadRecord | None:
    """Poll until the order is completed or cancelled, or its saga compensates; the last record seen."""
    record = None
    while True:
        record = await asyncio.to_thread(context.reads.get, ORDERS, order_id)
        if record is not None and str(record.data.get("status")) in SETTLED:
            return record
        saga = await asyncio.to_thread(context.reads.get, SAGAS, order_id)
        if saga is not None and saga.data.get("status") == "COMPENSATING":
            return record
        if time.monotonic() >= deadline:
            return record
        await asyncio.sleep(_POLL_SECONDS)


@strawberry.type
class OrderQuery:
    @strawberry.field
    def orders(
        self, info: RequestInfo, first: int | None = None, after: str | None = None, status: str | None = None
    ) -> Connection[Order]:
        return find_orders(info.context, first, after, status)

    @strawberry.field
    def order(self, info: RequestInfo, id: strawberry.ID) -> Order | None:
        record = visible(info.context, info.context.reads.get(ORDERS, looked_up_id(id)))
        return Order.of(record) if record is not None else None

    @strawberry.field
    def saga(self, info: RequestInfo, order_id: strawberry.ID) -> Saga | None:
        record = visible(info.context, info.context.reads.get(SAGAS, looked_up_id(order_id, "orderId")))
        return Saga.of(record, info.context) if record is not None else None


@strawberry.type
class OrderMutation:
    @strawberry.mutation
    async def place_order(
        self,
        info: RequestInfo,
        input: PlaceOrderInput,
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> OrderResult:
        context = info.context
        started = time.monotonic()
        order_id = new_id(info, input.id, command_id)
        with command_input():
            command = PlaceOrder(
                order_id=order_id,
                customer_id=context.actor.uid,
                lines=[
                    {"product_id": str(line.product_id), "quantity": line.quantity} for line in input.lines
                ],
                payment_token=input.payment_token,
                shipping_address=input.shipping_address,
            )
        result = await send(info, command, wait, command_id)
        record = None
        if result.status == CommandStatus.ACCEPTED:
            record = await wait_until_settled(context, order_id, started + context.order_wait_seconds)
        shown = visible(context, record)
        return OrderResult(
            command_id=result.command_id,
            status=result.status,
            aggregate_id=result.aggregate_id,
            version=result.version,
            error=result.error,
            order=Order.of(shown) if shown is not None else None,
        )

    @strawberry.mutation
    async def cancel_order(
        self,
        info: RequestInfo,
        id: strawberry.ID,
        reason: str = "cancelled on request",
        wait: bool = True,
        command_id: strawberry.ID | None = None,
    ) -> CommandResult:
        with command_input():
            command = CancelOrder(order_id=str(id), reason=reason)
        return await send(info, command, wait, command_id)
