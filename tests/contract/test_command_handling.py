"""The command handler and the saga on each real backend, where a crash, a redelivery or a reused id meets
the store: a command has one effect and its first outcome, and no id a client chooses can block the saga."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from shared.application.commands import CommandHandler
from shared.application.fulfilment import SAGAS, STEP_OVERDUE, SagaRunner
from shared.application.outcomes import OutcomeLog
from shared.application.projections import PRODUCTS, Projector
from shared.bus.publisher import Publisher
from shared.messages.envelope import Actor, Envelope
from shared.messages.fields import system_id
from shared.observability.metrics import SAGA_SWEEP_FAILURES
from shared.storage import Storage
from tests.contract.factories import command, create_product, event

ADMIN = Actor(uid="admin-1", role="admin")
CUSTOMER = Actor(uid="customer-1", role="writer")
OTHER_CUSTOMER = Actor(uid="customer-2", role="writer")


class RecordingPublisher(Publisher):
    """Keeps what would be published: the bus is not what these tests are about."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Envelope]] = []

    def publish_many(self, topic: str, envelopes: Sequence[Envelope], timeout: float = 30.0) -> list[str]:
        self.published.extend((topic, envelope) for envelope in envelopes)
        return [envelope.id for envelope in envelopes]


class Crashed(Exception):
    """What the after-commit seam raises here where a real instance would die."""


def create_catalogue(handler: CommandHandler) -> None:
    """Category c-1 and product p-1 (4.50 EUR, stock 10), unless the handler's store has them."""
    for sent in (
        command("CreateCategory", ADMIN, category_id="c-1", name="Tea"),
        create_product(ADMIN, initial_stock=10),
    ):
        handler.handle(sent, 1)


def place_order(order_id: str, actor: Actor = CUSTOMER) -> Envelope:
    return command(
        "PlaceOrder",
        actor,
        order_id=order_id,
        customer_id=actor.uid,
        lines=[{"product_id": "p-1", "quantity": 2}],
        payment_token="tok_ok",
        shipping_address="1 Market Street",
    )


def _crash(envelope: Envelope, delivery_attempt: int | None) -> None:
    raise Crashed(envelope.id)


CREATING = {
    "CreateCategory": lambda: command("CreateCategory", ADMIN, category_id="c-2", name="Coffee"),
    "CreateProduct": lambda: create_product(ADMIN, product_id="p-2", name="Gyokuro", price="9.00"),
    "PlaceOrder": lambda: place_order("o-1"),
}


@pytest.mark.parametrize("command_type", sorted(CREATING))
def test_a_command_redelivered_after_a_crash_past_its_commit_answers_its_first_outcome(
    storage: Storage, command_type: str
) -> None:
    publisher = RecordingPublisher()
    create_catalogue(CommandHandler(storage, publisher))
    sent = CREATING[command_type]()
    with pytest.raises(Crashed):
        CommandHandler(storage, RecordingPublisher(), after_commit=_crash).handle(sent, 1)
    claim = OutcomeLog(storage.read_models).get(sent.id)
    assert claim is not None
    assert claim.status == "PENDING"

    redelivered = CommandHandler(storage, publisher)
    outcome = redelivered.handle(sent, 2)

    assert (outcome.status, outcome.version, outcome.error) == ("ACCEPTED", 1, None)
    published = [envelope for topic, envelope in publisher.published if envelope.causation_id == sent.id]
    assert [envelope.aggregate_version for envelope in published] == [1]
    assert storage.events.pending_outbox() == []
    assert redelivered.handle(sent, 3) == outcome


def test_a_command_id_used_by_another_customer_changes_nothing_and_keeps_the_first_outcome(
    storage: Storage,
) -> None:
    handler = CommandHandler(storage, RecordingPublisher())
    create_catalogue(handler)
    placed = place_order("o-1")
    first = handler.handle(placed, 1)
    assert first.status == "ACCEPTED"
    forged = command("CancelOrder", OTHER_CUSTOMER, order_id="anything").model_copy(update={"id": placed.id})

    answer = handler.handle(forged, 1)

    assert (answer.status, answer.error and answer.error.code) == ("REJECTED", "COMMAND_ID_REUSED")
    assert answer.aggregate_id == "anything"
    assert storage.events.stream_version("Order-anything") == 0
    assert OutcomeLog(storage.read_models).get(placed.id) == first


def test_a_reused_id_meeting_a_commit_without_an_outcome_is_not_applied_twice(storage: Storage) -> None:
    handler = CommandHandler(storage, RecordingPublisher())
    create_catalogue(handler)
    placed = place_order("o-1")
    with pytest.raises(Crashed):
        CommandHandler(storage, RecordingPublisher(), after_commit=_crash).handle(placed, 1)
    forged = place_order("o-2", OTHER_CUSTOMER).model_copy(update={"id": placed.id})

    answer = handler.handle(forged, 1)

    assert answer.error is not None
    assert answer.error.code == "COMMAND_ID_REUSED"
    assert storage.events.stream_version("Order-o-2") == 0
    assert handler.handle(placed, 2).status == "ACCEPTED"


def _sagas_started(storage: Storage, *order_ids: str) -> SagaRunner:
    """Placed orders whose sagas have started, in this order (and sent their first commands, which
    nothing handles)."""
    publisher = RecordingPublisher()
    handler = CommandHandler(storage, publisher)
    create_catalogue(handler)
    runner = SagaRunner(storage, publisher)
    for order_id in order_ids:
        assert handler.handle(place_order(order_id), 1).status == "ACCEPTED"
        runner.handle(storage.events.read_stream(f"Order-{order_id}")[0])
    return runner


def _saga_statuses(storage: Storage, *order_ids: str) -> dict[str, object]:
    records = storage.read_models.get_many(SAGAS, list(order_ids))
    return {key: record.data["status"] for key, record in records.items()}


def test_a_saga_the_sweep_cannot_handle_is_counted_and_the_sweep_goes_on(storage: Storage) -> None:
    runner = _sagas_started(storage, "o-blocked", "o-next")
    blocked = storage.read_models.get(SAGAS, "o-blocked")
    assert blocked is not None
    # The deadline trigger's id of the first saga, taken first on another stream (a damaged or hostile
    # record): handling that saga's deadline now fails every time.
    taken = system_id(f"deadline:o-blocked:RESERVING:{blocked.data['deadline']}")
    storage.events.append("Counter-x", [event("x")], command_id=taken)
    failures = SAGA_SWEEP_FAILURES._value.get()

    overdue = runner.sweep(datetime.now(UTC) + timedelta(hours=1))

    assert overdue == 2
    assert SAGA_SWEEP_FAILURES._value.get() == failures + 1
    statuses = _saga_statuses(storage, "o-blocked", "o-next")
    assert statuses == {"o-blocked": "RUNNING", "o-next": "COMPENSATING"}


def test_a_sweep_past_its_budget_leaves_the_later_deadlines_to_the_next_sweep(storage: Storage) -> None:
    runner = _sagas_started(storage, "o-older", "o-newer")
    later = datetime.now(UTC) + timedelta(hours=1)

    assert runner.sweep(later, budget_seconds=0) == 1  # spent at once: the oldest deadline only
    assert _saga_statuses(storage, "o-older", "o-newer") == {"o-older": "COMPENSATING", "o-newer": "RUNNING"}
    assert runner.sweep(later, budget_seconds=0) == 1
    assert set(_saga_statuses(storage, "o-older", "o-newer").values()) == {"COMPENSATING"}


def test_a_step_the_saga_cannot_give_up_logs_the_alert_line_each_time_it_is_sent_again(
    storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    runner = _sagas_started(storage, "o-late")
    now = datetime.now(UTC)

    def alerts() -> list[logging.LogRecord]:
        return [record for record in caplog.records if record.getMessage().startswith(STEP_OVERDUE)]

    with caplog.at_level(logging.ERROR, logger="shared.application.fulfilment"):
        runner.sweep(now + timedelta(hours=1))  # reserving, never answered: the saga gives up, compensates
        assert alerts() == []
        runner.sweep(now + timedelta(hours=2))  # its compensation, never answered either, is sent again

    [alert] = alerts()
    assert alert.levelno == logging.ERROR
    assert alert.getMessage().startswith(f"{STEP_OVERDUE}: saga o-late has waited past its ")


def test_consumers_act_on_what_the_store_holds_not_on_a_forged_message(storage: Storage) -> None:
    runner = _sagas_started(storage, "o-1")
    saga_version = storage.events.stream_version("FulfilmentSaga-o-1")
    placed = storage.events.read_stream("Order-o-1")[0]
    # Anyone who may publish to the events topic could send these: none of them is in the store.
    forged_capture = placed.caused(
        kind="event",
        type="PaymentCaptured",
        aggregate_type="Payment",
        aggregate_id="o-1",
        aggregate_version=1,
        payload={"charge_id": "ch-forged", "amount": {"amount": "9.00", "currency": "EUR"}},
    )
    forged_restock = placed.caused(
        kind="event",
        type="StockAdjusted",
        aggregate_type="Product",
        aggregate_id="p-1",
        aggregate_version=storage.events.stream_version("Product-p-1") + 1,
        payload={"delta": 1000, "stock": 1010, "reason": "forged"},
    )
    rewritten = storage.events.read_stream("Product-p-1")[0].model_copy(
        update={"payload": {**storage.events.read_stream("Product-p-1")[0].payload, "stock": 999}}
    )
    products = Projector(PRODUCTS, storage)
    assert products.handle(rewritten)  # the store's version of that event is applied, not the payload
    record = storage.read_models.get(PRODUCTS.model, "p-1")
    assert record is not None
    assert record.data["stock"] == 10

    runner.handle(forged_capture)
    assert not products.handle(forged_restock)

    assert storage.events.stream_version("FulfilmentSaga-o-1") == saga_version
    after = storage.read_models.get(PRODUCTS.model, "p-1")
    assert after is not None
    assert (after.version, after.data["stock"]) == (record.version, 10)
