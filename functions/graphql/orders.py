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
from typing import Annotated

import strawberry

from functions.graphql.context import RequestContext
from functions.graphql.results import (
    LOOKUP_ID,
    NEW_ID,
    AfterArgument,
    CommandIdArgument,
    CommandResult,
    CommandStatus,
    Connection,
    Edge,
    FirstArgument,
    RequestInfo,
    WaitArgument,
    command_input,
    described_field,
    described_mutation,
    looked_up_id,
    new_id,
    page_size,
    send,
)
from shared.application.fulfilment import SAGAS
from shared.application.projections import ORDERS as ORDER_VIEWS
from shared.application.waits import PartnerWait as Wait
from shared.domain.fulfilment import CUSTOMER_MESSAGES
from shared.kernel.money import MAX_AMOUNT
from shared.messages.fields import MAX_REASON_LENGTH
from shared.messages.orders import MAX_LINES, CancelOrder, PlaceOrder
from shared.readmodels.changes import Change
from shared.readmodels.store import ReadRecord, Scalar, cursor_after

ORDERS = ORDER_VIEWS.model
SETTLED = frozenset({"COMPLETED", "CANCELLED"})
TIME = "(RFC 3339, UTC)"
ORDER_STATUSES = (
    "PLACED, RESERVED, SHIPPING (paid), COMPLETED, CANCELLING or CANCELLED; PAID only for an order paid "
    "before paying and shipping were one step"
)
SEEN_BY = "your own, or any for an admin; null when there is none or it is someone else's. Needs sign-in."


@strawberry.type(description="A move of an order to another status.")
class StatusChange:
    status: str = strawberry.field(description=f"The status the order moved to: {ORDER_STATUSES}.")
    at: datetime = strawberry.field(description=f"When it moved {TIME}.")
    reason: str | None = strawberry.field(
        description="The reason given: a cancel request's words (CANCELLING) or the cancellation's code "
        "(CANCELLED); null otherwise."
    )


@strawberry.type(description="A line of an order: a product, how many, and its price when ordered.")
class OrderLine:
    product_id: strawberry.ID = strawberry.field(description="The product's id.")
    quantity: int = strawberry.field(description="How many units: 1 to 1,000,000.")
    unit_price: str = strawberry.field(
        description="The unit price captured when the order was placed: an exact decimal string in the "
        "order's `currency`."
    )


@strawberry.type(description="An event of an order's fulfilment saga, as its history shows it.")
class SagaHistoryEntry:
    at: datetime = strawberry.field(description=f"When it happened {TIME}.")
    event: str = strawberry.field(
        description="The saga event's type, e.g. SagaStarted, FactRecorded, CommandsIssued, "
        "CompensationStarted, DeadlineMissed or SagaEnded."
    )
    step: str | None = strawberry.field(
        description="The step the event is about, e.g. PAYING (see `Saga.step`); null when none."
    )
    detail: str | None = strawberry.field(
        description="What was learnt, e.g. a gateway's answer; admins only, and null when none."
    )
    causation_id: str = strawberry.field(description="The id of the message that caused the event.")
    commands: list[str] = strawberry.field(
        description="The types of the commands the event issued, e.g. ProcessPayment; empty when none."
    )


@strawberry.type(
    description="A partner the order is waiting for: its gateway is away, slow or behind an open circuit. "
    "The step is tried again until the partner answers or the step's deadline passes; it is not failed."
)
class PartnerWait:
    partner: str = strawberry.field(description="The partner: `payment gateway` or `shipping gateway`.")
    command: str = strawberry.field(
        description="The waiting command's type: ProcessPayment, ShipOrder or RefundPayment."
    )
    attempts: int = strawberry.field(description="Deliveries of the command so far.")
    since: datetime = strawberry.field(description=f"The first failed attempt {TIME}.")
    last_attempt_at: datetime = strawberry.field(description=f"The latest failed attempt {TIME}.")
    next_attempt_at: datetime | None = strawberry.field(
        description=f"When the command is delivered again {TIME}; null when not known."
    )
    reason: str | None = strawberry.field(description="The partner's own words; admins only, else null.")

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


@strawberry.type(
    description="An order's fulfilment saga: the steps that reserve, charge and ship the order, or undo "
    "them when one fails."
)
class Saga:
    order_id: strawberry.ID = strawberry.field(description="The order's id.")
    status: str = strawberry.field(description="RUNNING, COMPENSATING, COMPLETED or CANCELLED.")
    step: str | None = strawberry.field(
        description="The current step: RESERVING, PAYING, SHIPPING, COMPLETING, AWAITING_PAYMENT, "
        "AWAITING_SHIPMENT, REFUNDING, RELEASING, CANCELLING, COMPLETED or CANCELLED."
    )
    deadline: datetime | None = strawberry.field(
        description=f"When the current step runs out of time {TIME}: a forward step then fails, a "
        "compensating one is sent again; null once the saga has ended."
    )
    failure: str | None = strawberry.field(
        description="The code of the failure that started the compensation (an order's `cancelReason`, "
        "e.g. PAYMENT_DECLINED); null while none has."
    )
    failure_detail: str | None = strawberry.field(
        description="The failure explained: the participant's own words for an admin; for the customer, "
        "a stable message instead of a gateway's or a deadline's words. Null when none."
    )
    version: int = strawberry.field(description="The saga's version: the number of its events.")
    correlation_id: strawberry.ID = strawberry.field(
        description="The order's conversation: its placeOrder commandId, which `trace` and the audit "
        "record find it by."
    )
    history: list[SagaHistoryEntry] = strawberry.field(description="The saga's events, oldest first.")

    @described_field("The partner the current step is waiting for; null when none.")
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
            correlation_id=strawberry.ID(str(data["correlation_id"])),
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


@strawberry.type(description="A customer's order: its lines and total, and where its fulfilment stands.")
class Order:
    id: strawberry.ID = strawberry.field(description="The order's id.")
    customer_id: strawberry.ID = strawberry.field(
        description="The id (Firebase uid) of the customer who placed the order."
    )
    status: str = strawberry.field(description=f"Where the order stands: {ORDER_STATUSES}.")
    lines: list[OrderLine] = strawberry.field(description="The order's lines, as placed.")
    total: str = strawberry.field(
        description='The sum of the lines: an exact decimal string in `currency`, e.g. "25.00".'
    )
    currency: str = strawberry.field(description="The currency of every line and the total (ISO 4217).")
    status_history: list[StatusChange] = strawberry.field(
        description="Every status the order has had, oldest first."
    )
    cancel_reason: str | None = strawberry.field(
        description="Why it was cancelled, a stable code: OUT_OF_STOCK, PRODUCT_UNAVAILABLE, "
        "PAYMENT_DECLINED, PAYMENT_FAILED, SHIPPING_FAILED, CANCELLED_BY_CUSTOMER, CANCELLED_BY_ADMIN or "
        "DEADLINE_EXCEEDED; null unless CANCELLED."
    )
    cancel_detail: str | None = strawberry.field(
        description="The cancellation explained for the customer; null unless CANCELLED."
    )
    version: int = strawberry.field(description="The order's version: the number of its events.")
    created_at: datetime = strawberry.field(description=f"When the order was placed {TIME}.")
    updated_at: datetime = strawberry.field(description=f"When the order last changed {TIME}.")

    @described_field(
        "The partner the order is waiting for (see `statusDetail`); null when none, and once "
        "the order is completed or cancelled."
    )
    async def waiting(self, info: strawberry.Info[RequestContext, None]) -> PartnerWait | None:
        """The partner the order is waiting for, if any (see statusDetail)."""
        return await _waiting(str(self.id), self.status, info.context)

    @described_field(
        "Why the order is where it is, when there is more to say than its status, e.g. "
        "`waiting for the payment gateway (attempt 3; next try at 2026-11-30T12:00:05Z)`; else null."
    )
    async def status_detail(self, info: strawberry.Info[RequestContext, None]) -> str | None:
        """Why the order is where it is, when there is more to say than its status, e.g.
        `waiting for the payment gateway (attempt 3; next try at 2026-11-30T12:00:05Z)`."""
        waiting = await _waiting(str(self.id), self.status, info.context)
        return waiting.detail if waiting is not None else None

    @described_field("The order's fulfilment saga; null until it has started.")
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


@strawberry.type(
    description="What placing an order came to: the command's result, and the order as it stood when the "
    "wait ended."
)
class OrderResult(CommandResult):
    """A placed order's command result, and the order as it stood when the wait ended."""

    order: Order | None = strawberry.field(
        description="The order when the wait ended: completed, cancelled, compensating, or as far as it got "
        "in time; null when it was not placed, not waited for, or not readable yet."
    )


@strawberry.input(description="A line of a new order: a product and how many.")
class OrderLineInput:
    product_id: strawberry.ID = strawberry.field(
        description="A product for sale (UNKNOWN_PRODUCT otherwise), on one line only (INVALID_INPUT)."
    )
    quantity: int = strawberry.field(description="How many units: 1 to 1,000,000.")


@strawberry.input(description="A new order: its lines, how it is paid and where it ships.")
class PlaceOrderInput:
    id: strawberry.ID | None = strawberry.field(default=None, description=NEW_ID.format("order"))
    lines: list[OrderLineInput] = strawberry.field(
        description=f"The lines: 1 to {MAX_LINES}, every product priced in one currency (CURRENCY_MISMATCH "
        f"otherwise), the total below {MAX_AMOUNT:,} (INVALID_QUANTITY otherwise)."
    )
    payment_token: str = strawberry.field(
        description="The payment method's token from the payment provider: 1 to 200 characters."
    )
    shipping_address: str = strawberry.field(description="Where the order ships: 1 to 1,000 characters.")


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
    """Wait until the order is completed or cancelled, or its saga compensates; the last record seen. The
    two records are read again only when a notice says one of them got there (or none came for a while)."""

    def decisive(change: Change) -> bool:
        if change.model == ORDERS:
            return change.status in SETTLED
        return change.status == "COMPENSATING"

    with context.reads.watch([(ORDERS, order_id), (SAGAS, order_id)]) as watch:
        while True:
            record = await asyncio.to_thread(context.reads.get, ORDERS, order_id)
            if record is not None and str(record.data.get("status")) in SETTLED:
                return record
            saga = await asyncio.to_thread(context.reads.get, SAGAS, order_id)
            if saga is not None and saga.data.get("status") == "COMPENSATING":
                return record
            if time.monotonic() >= deadline:
                return record
            await context.reads.changed(watch, deadline, decisive)


@strawberry.type
class OrderQuery:
    @described_field(
        "Orders, newest first, a page at a time: your own, or every order for an admin. Needs sign-in."
    )
    def orders(
        self,
        info: RequestInfo,
        first: FirstArgument = None,
        after: AfterArgument = None,
        status: Annotated[
            str | None,
            strawberry.argument(
                description=f"Only the orders in this status ({ORDER_STATUSES}); absent: any."
            ),
        ] = None,
    ) -> Connection[Order]:
        return find_orders(info.context, first, after, status)

    @described_field(f"An order by its id: {SEEN_BY}")
    def order(
        self,
        info: RequestInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description=LOOKUP_ID.format("order"))],
    ) -> Order | None:
        record = visible(info.context, info.context.reads.get(ORDERS, looked_up_id(id)))
        return Order.of(record) if record is not None else None

    @described_field(f"An order's fulfilment saga: {SEEN_BY}")
    def saga(
        self,
        info: RequestInfo,
        order_id: Annotated[strawberry.ID, strawberry.argument(description=LOOKUP_ID.format("order"))],
    ) -> Saga | None:
        record = visible(info.context, info.context.reads.get(SAGAS, looked_up_id(order_id, "orderId")))
        return Saga.of(record, info.context) if record is not None else None


@strawberry.type
class OrderMutation:
    @described_mutation(
        "Places an order at the catalogue's prices and starts its fulfilment; with `wait`, "
        "answers once it is completed, cancelled or compensating, or after the server's order wait (30 "
        "seconds by default). Needs sign-in; rejected with ALREADY_EXISTS, INVALID_INPUT, UNKNOWN_PRODUCT, "
        "CURRENCY_MISMATCH or INVALID_QUANTITY."
    )
    async def place_order(
        self,
        info: RequestInfo,
        input: Annotated[PlaceOrderInput, strawberry.argument(description="The order.")],
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
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
        # A retry of a command already decided answers ACCEPTED even without `wait`: it shows the order as
        # it stands then, and waits for it to settle only when asked to.
        if result.status == CommandStatus.ACCEPTED and wait:
            record = await wait_until_settled(context, order_id, started + context.order_wait_seconds)
        elif result.status == CommandStatus.ACCEPTED:
            record = await asyncio.to_thread(context.reads.get, ORDERS, order_id)
        shown = visible(context, record)
        return OrderResult(
            command_id=result.command_id,
            status=result.status,
            aggregate_id=result.aggregate_id,
            version=result.version,
            error=result.error,
            order=Order.of(shown) if shown is not None else None,
        )

    @described_mutation(
        "Cancels an order: it is CANCELLING at once, and CANCELLED once its payment is refunded "
        "and its stock released. Your own order, or any for an admin; rejected with NOT_FOUND (someone "
        "else's order too) or ORDER_NOT_CANCELLABLE once it is shipping or completed."
    )
    async def cancel_order(
        self,
        info: RequestInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="The order's id.")],
        reason: Annotated[
            str,
            strawberry.argument(
                description=f"Why, recorded on the order: 1 to {MAX_REASON_LENGTH} characters."
            ),
        ] = "cancelled on request",
        wait: WaitArgument = True,
        command_id: CommandIdArgument = None,
    ) -> CommandResult:
        with command_input():
            command = CancelOrder(order_id=str(id), reason=reason)
        return await send(info, command, wait, command_id)
