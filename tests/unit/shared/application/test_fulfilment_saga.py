"""The fulfilment saga: a participant's event in, the saga's events and its next commands out; and whole
orders carried through by handlers, saga and projectors, with gateways that answer at once."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from shared.adapters.gateways import Charge, ChargeRecord, GatewayDeclined, Refund, Shipment
from shared.application.commands import CommandHandler
from shared.application.facts import FactFinder
from shared.application.fulfilment import SAGAS, SagaRunner
from shared.application.projections import ORDERS, PRODUCTS, PROJECTIONS, Projector
from shared.kernel.money import Money
from shared.messages.envelope import Envelope
from shared.messages.fields import system_id
from shared.messages.orders import RESERVATION_EVENTS
from shared.storage import Storage
from tests.contract.test_command_handling import RecordingPublisher, create_catalogue, place_order

DECLINED_TOKEN = "tok_declined"


class FakePayments:
    """A payment gateway that captures at once, unless the token is `DECLINED_TOKEN`."""

    def __init__(self) -> None:
        self.held: dict[str, ChargeRecord] = {}
        self._ids = itertools.count(1)

    def capture(self, order_id: str, amount: Money, payment_token: str) -> Charge:
        if payment_token == DECLINED_TOKEN:
            raise GatewayDeclined("card declined")
        if order_id not in self.held:
            self.held[order_id] = ChargeRecord(order_id, Charge(f"ch-{next(self._ids)}", amount), False)
        return self.held[order_id].charge

    def refund(self, order_id: str, charge_id: str, amount: Money) -> Refund:
        self.held[order_id] = ChargeRecord(order_id, self.held[order_id].charge, True)
        return Refund(f"re-{charge_id}")

    def charge_of(self, order_id: str) -> Charge | None:
        record = self.held.get(order_id)
        return record.charge if record is not None else None

    def charges(self) -> list[ChargeRecord]:
        return list(self.held.values())


class FakeShipping:
    def __init__(self) -> None:
        self.shipped: dict[str, Shipment] = {}

    def ship(self, order_id: str, address: str, lines: Sequence[tuple[str, int]]) -> Shipment:
        return self.shipped.setdefault(order_id, Shipment(f"sh-{order_id}"))

    def shipment_of(self, order_id: str) -> Shipment | None:
        return self.shipped.get(order_id)


class Bus:
    """Pub/Sub without the network: delivers every published message once, in publication order, to the
    handlers the manifest subscribes to its topic (commands to the command handler; events to the saga and
    the projectors), until nothing is left."""

    def __init__(self, storage: Storage) -> None:
        self.published = RecordingPublisher()
        self.payments, self.shipping = FakePayments(), FakeShipping()
        facts = FactFinder(storage, lambda: self.payments, lambda: self.shipping)
        self.handler = CommandHandler(storage, self.published, facts)
        self.saga = SagaRunner(storage, self.published)
        self.projectors = [Projector(projection, storage) for projection in PROJECTIONS.values()]
        self._delivered = 0

    def send(self, command: Envelope) -> None:
        assert self.handler.handle(command, 1).status == "ACCEPTED"
        self.run()

    def run(self) -> None:
        while self._delivered < len(self.published.published):
            topic, envelope = self.published.published[self._delivered]
            self._delivered += 1
            if topic == "commands":
                self.handler.handle(envelope, 1)
                continue
            for projector in self.projectors:
                projector.handle(envelope)
            if (
                envelope.aggregate_type in ("Order", "Payment", "Shipment")
                or envelope.type in RESERVATION_EVENTS
            ):
                self.saga.handle(envelope)

    def sent(self, topic: str) -> list[Envelope]:
        return [envelope for sent_to, envelope in self.published.published if sent_to == topic]


def test_the_saga_reacts_to_a_participants_event_with_its_next_commands(storage: Storage) -> None:
    publisher = RecordingPublisher()
    handler = CommandHandler(storage, publisher)
    create_catalogue(handler)
    handler.handle(place_order("o-1"), 1)
    [placed] = storage.events.read_stream("Order-o-1")
    runner = SagaRunner(storage, publisher)
    before = len(publisher.published)

    runner.handle(placed)

    started = storage.events.read_stream("FulfilmentSaga-o-1")
    assert [event.type for event in started] == ["SagaStarted", "CommandsIssued"]
    # Its bookkeeping stays in its stream: not published, and nothing left for the outbox relay.
    assert [topic for topic, _ in publisher.published[before:]] == ["commands"]
    assert [entry.stream_id for entry in storage.events.pending_outbox()] == []
    [reserve] = [envelope for topic, envelope in publisher.published if topic == "commands"]
    assert (reserve.type, reserve.aggregate_id, reserve.payload["quantity"]) == ("ReserveStock", "p-1", 2)
    assert reserve.id == system_id(f"{started[1].id}:0")
    assert reserve.correlation_id == placed.correlation_id
    view = storage.read_models.get(SAGAS, "o-1")
    assert view is not None
    assert (view.data["status"], view.data["step"], view.data["open"]) == ("RUNNING", "RESERVING", True)

    assert handler.handle(reserve, 1).status == "ACCEPTED"
    [reserved] = storage.events.read_stream("Product-p-1", 2)
    assert reserved.type == "StockReserved"
    runner.handle(reserved)

    issued = [envelope for topic, envelope in publisher.published if topic == "commands"][1:]
    assert sorted(envelope.type for envelope in issued) == ["MarkOrderReserved", "ProcessPayment"]
    assert {envelope.aggregate_id for envelope in issued} == {"o-1"}
    decided = storage.events.stream_version("FulfilmentSaga-o-1")

    runner.handle(reserved)  # delivered again: nothing decided twice, the same commands sent again

    again = [envelope for topic, envelope in publisher.published if topic == "commands"][3:]
    assert [envelope.id for envelope in again] == [envelope.id for envelope in issued]
    assert storage.events.stream_version("FulfilmentSaga-o-1") == decided


def test_an_order_is_reserved_paid_shipped_and_completed(storage: Storage) -> None:
    bus = Bus(storage)
    create_catalogue(bus.handler)  # p-1: 4.50 EUR, stock 10

    bus.send(place_order("o-1"))

    assert [event.type for event in storage.events.read_stream("Order-o-1")] == [
        "OrderPlaced",
        "OrderReserved",
        "OrderShippingStarted",
        "OrderCompleted",
    ]
    order = storage.read_models.get(ORDERS.model, "o-1")
    assert order is not None
    assert order.data["status"] == "COMPLETED"
    assert bus.payments.charges() == [ChargeRecord("o-1", bus.payments.held["o-1"].charge, False)]
    assert bus.shipping.shipped.keys() == {"o-1"}
    product = storage.read_models.get(PRODUCTS.model, "p-1")
    assert product is not None
    assert (product.data["stock"], product.data["available"]) == (8, 8)
    saga = storage.read_models.get(SAGAS, "o-1")
    assert saga is not None
    assert (saga.data["status"], saga.data["open"]) == ("COMPLETED", False)
    assert storage.events.pending_outbox() == []


def test_a_declined_payment_releases_the_stock_and_cancels_the_order(storage: Storage) -> None:
    bus = Bus(storage)
    create_catalogue(bus.handler)
    placed = place_order("o-1")
    declined = placed.model_copy(update={"payload": {**placed.payload, "payment_token": DECLINED_TOKEN}})

    bus.send(declined)

    order = storage.read_models.get(ORDERS.model, "o-1")
    assert order is not None
    assert (order.data["status"], order.data["cancel_reason"]) == ("CANCELLED", "PAYMENT_DECLINED")
    assert bus.payments.charges() == []
    assert bus.shipping.shipped == {}
    assert "ReleaseReservation" in {envelope.type for envelope in bus.sent("commands")}
    product = storage.read_models.get(PRODUCTS.model, "p-1")
    assert product is not None
    assert (product.data["stock"], product.data["available"]) == (10, 10)
    saga = storage.read_models.get(SAGAS, "o-1")
    assert saga is not None
    assert (saga.data["status"], saga.data["failure"], saga.data["open"]) == (
        "CANCELLED",
        "PAYMENT_DECLINED",
        False,
    )
