"""What operators run (shared/application/operations.py and dead_letters.py), on the in-memory stores with
whole orders carried through by the real handlers, saga and projectors."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from pydantic import JsonValue

from shared.application.dead_letters import (
    DELIVERY_COUNT,
    REPLAY_ATTRIBUTE,
    DeadLetter,
    UnknownFunction,
    choose,
    dead_lettering_function,
)
from shared.application.fulfilment import SAGAS
from shared.application.operations import (
    UnknownName,
    export_events,
    fold,
    import_events,
    list_sagas,
    list_streams,
    outbox_status,
    projection_named,
    projection_status,
    rebuild,
    saga_stats,
    saga_timeline,
    shadow_model,
    shadow_rebuild,
)
from shared.application.projections import ORDERS, PRODUCTS, PROJECTIONS, fold_log
from shared.eventstore.memory import MemoryEventStore
from shared.eventstore.upcasting import Upcasters
from shared.readmodels.memory import MemoryReadModelStore
from shared.storage import Storage
from tests.contract.factories import command
from tests.contract.test_command_handling import ADMIN, create_catalogue, place_order
from tests.unit.shared.application.test_fulfilment_saga import DECLINED_TOKEN, Bus


def _orders(storage: Storage) -> Bus:
    """p-1 and c-1, order o-1 completed and order o-2 cancelled (its payment declined)."""
    bus = Bus(storage)
    create_catalogue(bus.handler)
    bus.send(place_order("o-1"))
    declined = place_order("o-2")
    bus.send(declined.model_copy(update={"payload": {**declined.payload, "payment_token": DECLINED_TOKEN}}))
    return bus


def test_a_shadow_rebuild_equals_the_live_models_and_shows_a_damaged_record_until_swapped(
    storage: Storage,
) -> None:
    _orders(storage)
    for model in ("categories", "products", "orders"):
        clean = shadow_rebuild(projection_named(model), storage)
        assert clean.diff is not None
        assert clean.diff.identical, clean.diff
    live = storage.read_models.get(ORDERS.model, "o-1")
    assert live is not None
    damaged = {**live.data, "status": "PLACED"}
    storage.read_models.upsert(ORDERS.model, "o-1", damaged, live.version + 1)
    storage.read_models.upsert(ORDERS.model, "o-9", {"id": "o-9"}, 1)  # no such order in the log

    result = shadow_rebuild(ORDERS, storage)

    assert result.written_to == shadow_model("orders") == "orders_shadow"
    assert result.diff is not None
    assert result.diff.removed == ["o-9"]
    assert result.diff.added == []
    [change] = result.diff.changed
    assert (change.key, change.live_version, change.rebuilt_version, change.fields) == (
        "o-1",
        live.version + 1,
        live.version,
        ["status"],
    )
    still = storage.read_models.get(ORDERS.model, "o-1")  # left alone without a swap
    assert still is not None
    assert still.data["status"] == "PLACED"
    assert storage.read_models.get(ORDERS.model, "o-9") is not None

    swapped = shadow_rebuild(ORDERS, storage, swap=True)

    assert swapped.swapped
    assert storage.read_models.get(ORDERS.model, "o-1") == live
    assert storage.read_models.get(ORDERS.model, "o-9") is None
    after = shadow_rebuild(ORDERS, storage)
    assert after.diff is not None
    assert after.diff.identical


def test_the_rebuilds_fold_is_the_projectors_fold(storage: Storage) -> None:
    """The rebuild's cheaper fold gives what `projections.fold_log` gives, on every model, deleted
    aggregates and upcast events included."""
    bus = _orders(storage)
    bus.send(command("DeleteProduct", ADMIN, product_id="p-1"))
    upcasters = Upcasters()

    @upcasters.register("CategoryCreated", 1)
    def _named_twice(payload: dict[str, JsonValue]) -> dict[str, JsonValue]:
        return {**payload, "name": f"{payload['name']} (v2)"}

    assert isinstance(storage.events, MemoryEventStore)
    shared_log = MemoryEventStore(log=storage.events.log, upcasters=upcasters)  # the same log, read upcast
    upcast = Storage(shared_log, storage.read_models, lambda: None)
    for store in (storage, upcast):
        for projection in PROJECTIONS.values():
            assert fold(projection, store) == fold_log(projection, store), projection.model
    folded, _ = fold(PRODUCTS, storage)
    assert folded["p-1"][1] is None  # deleted
    categories, _ = fold(projection_named("categories"), upcast)
    assert categories["c-1"][1]["name"] == "Tea (v2)"  # type: ignore[index]


def test_rebuilding_the_same_log_twice_gives_identical_models(storage: Storage) -> None:
    _orders(storage)
    first = rebuild(PRODUCTS, storage)
    records = storage.read_models.find(PRODUCTS.model, limit=500).records
    second = rebuild(PRODUCTS, storage)
    assert (first.events, first.records) == (second.events, second.records)
    assert storage.read_models.find(PRODUCTS.model, limit=500).records == records
    with pytest.raises(UnknownName, match="categories, orders, products"):
        projection_named("nope")


def test_projection_status_counts_what_a_model_has_not_applied(storage: Storage) -> None:
    _orders(storage)
    assert [(s.model, s.behind, s.lag) for s in projection_status(storage.events, storage.read_models)] == [
        ("categories", 0, 0),
        ("products", 0, 0),
        ("orders", 0, 0),
    ]
    storage.read_models.drop(ORDERS.model)
    behind = {s.model: s for s in projection_status(storage.events, storage.read_models)}["orders"]
    events_of_orders = len(storage.events.read_stream("Order-o-1")) + len(
        storage.events.read_stream("Order-o-2")
    )
    assert (behind.streams, behind.records, behind.behind, behind.lag) == (2, 0, 2, events_of_orders)


def test_sagas_are_listed_by_status_counted_by_reason_and_stuck_when_overdue(storage: Storage) -> None:
    _orders(storage)
    completed = list_sagas(storage.read_models, status="COMPLETED")
    assert [record.key for record in completed.records] == ["o-1"]
    stats = saga_stats(storage.read_models)
    assert stats.total == 2
    assert stats.by_status == {"RUNNING": 0, "COMPENSATING": 0, "COMPLETED": 1, "CANCELLED": 1}
    assert stats.by_cancel_reason == {"PAYMENT_DECLINED": 1}
    assert stats.stuck == 0
    with pytest.raises(UnknownName):
        list_sagas(storage.read_models, status="LOST")

    bus = Bus(storage)
    bus.handler.handle(place_order("o-3"), 1)  # placed; its saga never hears of it...
    [placed] = storage.events.read_stream("Order-o-3")
    bus.saga.handle(placed)  # ...until now: it starts and waits for the reservation, with a deadline
    view = storage.read_models.get(SAGAS, "o-3")
    assert view is not None
    deadline = datetime.fromisoformat(str(view.data["deadline"]))

    assert list_sagas(storage.read_models, stuck=True, now=deadline).records == []
    late = deadline + timedelta(minutes=10)
    assert [r.key for r in list_sagas(storage.read_models, stuck=True, now=late).records] == ["o-3"]
    assert saga_stats(storage.read_models, now=late).stuck == 1


def test_a_sagas_timeline_tells_what_it_learnt_sent_and_what_caused_each_step(storage: Storage) -> None:
    _orders(storage)
    timeline = saga_timeline(storage.events, "o-1")
    assert [entry.event for entry in timeline][:2] == ["SagaStarted", "CommandsIssued"]
    assert timeline[0].caused_by == "OrderPlaced (Order v1)"
    reserved = next(entry for entry in timeline if (entry.learnt or "").startswith("STOCK_RESERVED"))
    assert reserved.caused_by == "StockReserved (Product p-1 v2)"  # found on the product's stream
    assert timeline[1].step == "RESERVING"
    assert timeline[1].deadline is not None
    [sent] = timeline[1].sent
    assert sent.startswith("ReserveStock saga:")
    assert timeline[-1].event == "SagaEnded"
    learnt = [entry.learnt for entry in timeline if entry.event == "FactRecorded"]
    assert any((fact or "").startswith("PAYMENT_CAPTURED") for fact in learnt), learnt
    assert saga_timeline(storage.events, "nope") == []


def test_an_export_imported_into_an_empty_store_exports_the_same_bytes(storage: Storage) -> None:
    _orders(storage)
    first, counted = io.StringIO(), list[int]()
    exported = export_events(storage.events, first, counted.append)
    assert counted[-1] == exported > 0
    other = MemoryEventStore()
    assert import_events(other, io.StringIO(first.getvalue())) == exported
    again = io.StringIO()
    export_events(other, again)
    assert again.getvalue() == first.getvalue()
    streams = list_streams(other, "Order")
    assert [(s.stream_id, s.aggregate_id) for s in streams] == [("Order-o-1", "o-1"), ("Order-o-2", "o-2")]
    assert streams[0].version == len(other.read_stream("Order-o-1"))
    with pytest.raises(UnknownName):
        list_streams(other, "Nope")


def test_the_outbox_status_counts_pending_entries_and_ages_the_oldest() -> None:
    storage = Storage(MemoryEventStore(), MemoryReadModelStore(), lambda: None)
    assert outbox_status(storage.events).pending == 0
    bus = Bus(storage)
    create_catalogue(bus.handler)  # RecordingPublisher: the handler marks them published itself
    assert outbox_status(storage.events).pending == 0
    storage.events.append(
        "Counter-1", [place_order("o-1").model_copy(update={"kind": "event", "aggregate_version": None})]
    )
    status = outbox_status(storage.events, now=datetime.now(UTC) + timedelta(minutes=5))
    assert status.pending == 1
    assert status.stale()


def _letter(message_id: str, **attributes: str) -> DeadLetter:
    received = SimpleNamespace(
        ack_id=f"ack-{message_id}",
        message=SimpleNamespace(
            message_id=message_id,
            publish_time=datetime.now(UTC),
            data=b"{}",
            attributes=attributes,
            ordering_key="k",
        ),
    )
    return DeadLetter.of(received)


def test_a_dead_letter_keeps_its_original_attributes_apart_from_what_pubsub_and_the_router_added() -> None:
    letter = _letter(
        "m-1",
        id="cmd-1",
        type="UpdateCategory",
        **{
            DELIVERY_COUNT: "5",
            "kiroku-routed-message-id": "x",
            "CloudPubSubDeadLetterSourceSubscription": "s",
        },
    )
    assert letter.attributes == {"id": "cmd-1", "type": "UpdateCategory"}
    assert letter.delivery_attempts == 5
    assert letter.source_subscription == "s"
    assert letter.replay_attributes() == {"id": "cmd-1", "type": "UpdateCategory", REPLAY_ATTRIBUTE: "m-1"}
    other = _letter("m-2", id="cmd-2")
    assert choose([letter, other], None) == ([letter, other], [])
    assert choose([letter, other], ["cmd-2", "m-1", "m-9"]) == ([letter, other], ["m-9"])
    assert (
        dead_lettering_function("update-category").dead_letter_subscription
        == "update-category-dead-letter-kept"
    )
    with pytest.raises(UnknownFunction):
        dead_lettering_function("graphql")
