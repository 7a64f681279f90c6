"""The fake gateway's rules and the adapters' reading of answers, without a network.

The rules are what tests elsewhere drive the fake gateway with, so they are pinned here one by one; the
WSGI layer is exercised through werkzeug's own test client (real requests, no server).
"""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client

from emulators.fake_gateway import FakeGatewayApp, FakeLedger
from shared.adapters import GatewayDeclined, GatewayUnavailable, payment_gateway, shipping_gateway
from shared.adapters.gateways import interpret_answer
from shared.config import Settings
from shared.kernel.money import Money

TEN_EUROS = Money(amount="10.00", currency="EUR")


def test_a_capture_is_idempotent_by_order_id() -> None:
    ledger = FakeLedger()
    first = ledger.capture("o-1", TEN_EUROS, "tok_ok")
    again = ledger.capture("o-1", TEN_EUROS, "tok_decline")  # the first charge answers, whatever the token

    assert (first.status, again.status) == (200, 200)
    assert again.body["charge_id"] == first.body["charge_id"]
    assert (first.body["replayed"], again.body["replayed"]) == (False, True)
    assert ledger.payment("o-1") | {"charge_id": None} == {
        "order_id": "o-1",
        "charges": 1,
        "capture_requests": 2,
        "charge_id": None,
        "amount": "10.00",
        "currency": "EUR",
        "refunded": False,
        "refund_id": None,
        "refunded_amount": None,
    }
    conflicting = ledger.capture("o-1", Money(amount="11.00", currency="EUR"), "tok_ok")
    assert conflicting.status == 409
    assert ledger.payment("o-1")["charges"] == 1


@pytest.mark.parametrize(
    ("token", "status", "delay"),
    [("tok_decline_insufficient", 402, 0.0), ("tok_timeout", 504, 10.0), ("tok_slow", 200, 2.0)],
)
def test_the_token_picks_the_answer(token: str, status: int, delay: float) -> None:
    ledger = FakeLedger()
    answer = ledger.capture("o-1", TEN_EUROS, token)
    assert (answer.status, answer.delay_seconds) == (status, delay)
    assert ledger.payment("o-1")["charges"] == (1 if status == 200 else 0)


def test_a_slow_charge_is_made_before_its_late_answer_and_replayed_at_once() -> None:
    ledger = FakeLedger()
    slow = ledger.capture("o-1", TEN_EUROS, "tok_slow")
    replay = ledger.capture("o-1", TEN_EUROS, "tok_slow")
    assert (slow.delay_seconds, replay.delay_seconds) == (2.0, 0.0)
    assert replay.body["charge_id"] == slow.body["charge_id"]


def test_a_flaky_token_fails_twice_per_order_then_captures() -> None:
    ledger = FakeLedger()
    statuses = [ledger.capture("o-1", TEN_EUROS, "tok_flaky").status for _ in range(4)]
    assert statuses == [503, 503, 200, 200]
    assert ledger.capture("o-2", TEN_EUROS, "tok_flaky").status == 503  # counted per order
    assert ledger.payment("o-1")["charges"] == 1


def test_an_outage_answers_503_to_every_call_and_counts_the_requests() -> None:
    ledger = FakeLedger()
    ledger.capture("o-1", TEN_EUROS, "tok_ok")
    ledger.set_available(False)
    assert ledger.capture("o-2", TEN_EUROS, "tok_ok").status == 503
    assert ledger.refund("o-1", "any", TEN_EUROS).status == 503
    assert ledger.ship("o-1", "1 Main St", [("tea", 1)]).status == 503
    assert ledger.payment("o-2")["capture_requests"] == 1
    ledger.set_available(True)
    assert ledger.capture("o-2", TEN_EUROS, "tok_ok").status == 200


def test_refunds() -> None:
    ledger = FakeLedger()
    assert ledger.refund("unknown", "ch_x", TEN_EUROS).status == 404
    charge_id = ledger.capture("o-1", TEN_EUROS, "tok_ok").body["charge_id"]
    assert ledger.refund("o-1", "ch_other", TEN_EUROS).status == 409
    assert ledger.refund("o-1", charge_id, Money(amount="10.01", currency="EUR")).status == 422
    first = ledger.refund("o-1", charge_id, TEN_EUROS)
    again = ledger.refund("o-1", charge_id, TEN_EUROS)
    assert (first.status, again.status) == (200, 200)
    assert again.body["refund_id"] == first.body["refund_id"]
    assert ledger.payment("o-1")["refunded"] is True


def test_shipping_refuses_undeliverable_addresses_and_is_idempotent() -> None:
    ledger = FakeLedger()
    assert ledger.ship("o-1", "nowhere UNDELIVERABLE", [("tea", 1)]).status == 422
    first = ledger.ship("o-2", "1 Main St", [("tea", 2)])
    again = ledger.ship("o-2", "1 Main St", [("tea", 2)])
    assert again.body["shipment_id"] == first.body["shipment_id"]
    assert ledger.ship("o-2", "2 Other St", [("tea", 2)]).status == 409
    assert ledger.shipment("o-2")["shipments"] == 1
    assert ledger.shipment("o-2")["ship_requests"] == 3


def test_every_post_must_carry_the_order_id_as_idempotency_key() -> None:
    client = Client(FakeGatewayApp())
    body = {"amount": "10.00", "currency": "EUR", "payment_token": "tok_ok"}
    missing = client.post("/payments/o-1/capture", json=body)
    wrong = client.post("/payments/o-1/capture", json=body, headers={"Idempotency-Key": "o-2"})
    right = client.post("/payments/o-1/capture", json=body, headers={"Idempotency-Key": "o-1"})
    assert (missing.status_code, wrong.status_code, right.status_code) == (400, 400, 200)
    assert "Idempotency-Key" in json.loads(missing.get_data())["reason"]
    state = client.get("/payments/o-1")
    assert json.loads(state.get_data())["capture_requests"] == 1


def test_the_fake_rejects_unreadable_requests_with_400() -> None:
    client = Client(FakeGatewayApp())
    key = {"Idempotency-Key": "o-1"}
    float_amount = {"amount": 10.5, "currency": "EUR", "payment_token": "tok_ok"}
    assert client.post("/payments/o-1/capture", json=float_amount, headers=key).status_code == 400
    no_lines = {"address": "1 Main St", "lines": []}
    assert client.post("/shipments/o-1", json=no_lines, headers=key).status_code == 400
    assert client.post("/control", json={"available": "no"}).status_code == 400
    assert client.get("/nowhere").status_code == 404


@pytest.mark.parametrize("status", [402, 404, 409, 422])
def test_a_definitive_no_is_a_decline(status: int) -> None:
    with pytest.raises(GatewayDeclined, match=rf"\(HTTP {status}\): the card was declined"):
        interpret_answer("payment", "capture", status, {"reason": "the card was declined"})


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (400, False), (401, False)]
)
def test_other_failures_are_unavailable_and_only_transient_ones_retried(status: int, retryable: bool) -> None:
    with pytest.raises(GatewayUnavailable) as raised:
        interpret_answer("payment", "capture", status, None)
    assert raised.value.retryable is retryable


def test_a_success_without_a_json_object_is_unavailable() -> None:
    assert interpret_answer("shipping", "ship", 200, {"shipment_id": "s"}) == {"shipment_id": "s"}
    with pytest.raises(GatewayUnavailable, match="no JSON object"):
        interpret_answer("shipping", "ship", 200, ["not", "an", "object"])


def test_the_factories_need_the_urls_and_share_one_adapter_per_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A local cloud of another test may have exported its fake gateway's URLs to this process.
    monkeypatch.delenv("KIROKU_PAYMENT_GATEWAY_URL", raising=False)
    monkeypatch.delenv("KIROKU_SHIPPING_GATEWAY_URL", raising=False)
    with pytest.raises(RuntimeError, match="KIROKU_PAYMENT_GATEWAY_URL is not set"):
        payment_gateway(Settings())
    with pytest.raises(RuntimeError, match="KIROKU_SHIPPING_GATEWAY_URL is not set"):
        shipping_gateway(Settings())
    configured = Settings(
        payment_gateway_url="http://127.0.0.1:9",
        shipping_gateway_url="http://127.0.0.1:9",
        gateway_breaker_fail_max=7,
        gateway_breaker_reset_seconds=12.5,
    )
    adapter = payment_gateway(configured)
    assert payment_gateway(configured.model_copy()) is adapter  # one breaker for the whole process
    assert (adapter.breaker.fail_max, adapter.breaker.reset_timeout) == (7, 12.5)
    assert shipping_gateway(configured).breaker.fail_max == 7


def test_the_settings_give_the_timeout_and_attempts_and_the_backoff_doubles_up_to_its_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configured = Settings(
        payment_gateway_url="http://127.0.0.1:9",  # nothing listens: every attempt is refused at once
        shipping_gateway_url="http://127.0.0.1:9",
        gateway_timeout_seconds=1.5,
        gateway_attempts=6,
        gateway_breaker_fail_max=10,
    )
    adapter = payment_gateway(configured)
    client = adapter._client
    assert client.timeout_seconds == 1.5
    slept: list[float] = []
    monkeypatch.setattr(client, "_retrying", client._retrying.copy(sleep=slept.append))
    with pytest.raises(GatewayUnavailable, match="after 6 attempts"):
        adapter.capture("o-backoff", TEN_EUROS, "tok_ok")
    # 0.2 s doubling, capped at 2 s, each plus up to 0.2 s of jitter.
    assert len(slept) == 5
    for sleep, base in zip(slept, [0.2, 0.4, 0.8, 1.6, 2.0], strict=True):
        assert base <= sleep <= base + 0.2, slept


def test_settings_refuse_a_gateway_url_that_is_not_http() -> None:
    with pytest.raises(ValueError, match="payment_gateway_url"):
        Settings(payment_gateway_url="payments.example.com")
