"""The payment and shipping adapters against the real fake gateway process, over real HTTP.

The gateway is started the way the local cloud starts it (emulators.services.FakeGateway, the suite's
`fake_gateway` fixture). Each test uses its own order ids; the one that simulates an outage ends it again.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from prometheus_client import REGISTRY

from emulators.fake_gateway import FakeGatewayClient
from emulators.processes import free_port
from emulators.services import FakeGateway
from shared.adapters import (
    GatewayCircuitOpen,
    GatewayDeclined,
    GatewayUnavailable,
    HttpPaymentGateway,
    HttpShippingGateway,
    payment_gateway,
    shipping_gateway,
)
from shared.config import Settings
from shared.kernel.money import Money

AMOUNT = Money(amount="12.50", currency="EUR")

PaymentsFactory = Callable[..., HttpPaymentGateway]


@pytest.fixture
def payments(fake_gateway: FakeGateway) -> Iterator[PaymentsFactory]:
    """Payment adapters on the fake gateway with short timeouts and backoff; closed after the test."""
    made: list[HttpPaymentGateway] = []

    def make(
        *,
        url: str | None = None,
        timeout_seconds: float = 1.0,
        attempts: int = 3,
        breaker_fail_max: int = 5,
        breaker_reset_seconds: float = 30.0,
    ) -> HttpPaymentGateway:
        adapter = HttpPaymentGateway(
            url or fake_gateway.url,
            timeout_seconds=timeout_seconds,
            attempts=attempts,
            breaker_fail_max=breaker_fail_max,
            breaker_reset_seconds=breaker_reset_seconds,
            backoff_seconds=0.05,
            max_backoff_seconds=0.2,
        )
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture
def shipping(fake_gateway: FakeGateway) -> Iterator[HttpShippingGateway]:
    adapter = HttpShippingGateway(fake_gateway.url, timeout_seconds=1.0, backoff_seconds=0.05)
    yield adapter
    adapter.close()


def _order() -> str:
    return f"order-{uuid.uuid4()}"


def _payment(gateway: FakeGateway, order_id: str) -> dict[str, Any]:
    return FakeGatewayClient(gateway.url).payment(order_id)


def _shipment(gateway: FakeGateway, order_id: str) -> dict[str, Any]:
    return FakeGatewayClient(gateway.url).shipment(order_id)


def _outage(gateway: FakeGateway) -> AbstractContextManager[None]:
    return FakeGatewayClient(gateway.url).outage()


@contextmanager
def _silent_server() -> Iterator[str]:
    """A gateway that accepts connections and never answers (a hung process), at the URL yielded."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(0.1)
        held: list[socket.socket] = []
        stop = threading.Event()

        def accept() -> None:
            while not stop.is_set():
                try:
                    held.append(listener.accept()[0])
                except TimeoutError:
                    continue

        acceptor = threading.Thread(target=accept, daemon=True)
        acceptor.start()
        try:
            yield f"http://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            stop.set()
            acceptor.join()
            for connection in held:
                connection.close()


def _calls(gateway: str, operation: str, outcome: str) -> float:
    labels = {"gateway": gateway, "operation": operation, "outcome": outcome}
    return REGISTRY.get_sample_value("kiroku_gateway_calls_total", labels) or 0.0


def test_a_capture_sent_twice_charges_once(fake_gateway: FakeGateway, payments: PaymentsFactory) -> None:
    order_id = _order()
    adapter = payments()

    charge = adapter.capture(order_id, AMOUNT, "tok_visa")
    again = adapter.capture(order_id, AMOUNT, "tok_visa")

    assert again == charge
    assert charge.amount == AMOUNT
    state = _payment(fake_gateway, order_id)
    assert (state["charges"], state["capture_requests"]) == (1, 2)
    assert (state["charge_id"], state["amount"], state["currency"]) == (charge.charge_id, "12.50", "EUR")


def test_a_declined_payment_is_declined_at_once_never_retried(
    fake_gateway: FakeGateway, payments: PaymentsFactory
) -> None:
    order_id = _order()
    adapter = payments(attempts=3)
    declined_before = _calls("payment", "capture", "declined")

    with pytest.raises(GatewayDeclined, match="declined"):
        adapter.capture(order_id, AMOUNT, "tok_decline")

    state = _payment(fake_gateway, order_id)
    assert (state["charges"], state["capture_requests"]) == (0, 1)
    assert _calls("payment", "capture", "declined") == declined_before + 1


def test_declines_never_open_the_circuit(fake_gateway: FakeGateway, payments: PaymentsFactory) -> None:
    adapter = payments(breaker_fail_max=2)
    for _ in range(3):
        with pytest.raises(GatewayDeclined):
            adapter.capture(_order(), AMOUNT, "tok_decline")
    assert adapter.breaker.current_state == "closed"
    assert adapter.capture(_order(), AMOUNT, "tok_visa").charge_id


def test_a_customers_own_failures_never_open_the_circuit(
    fake_gateway: FakeGateway, payments: PaymentsFactory
) -> None:
    # Cards whose network hangs while the gateway answers its health check, and tokens the gateway cannot
    # read: failures of those requests, not of the gateway. An outage still opens the circuit.
    adapter = payments(timeout_seconds=0.3, attempts=2, breaker_fail_max=2)
    for token in ("tok_timeout", "tok_invalid", "tok_timeout", "tok_invalid"):
        with pytest.raises(GatewayUnavailable) as failed:
            adapter.capture(_order(), AMOUNT, token)
        assert not failed.value.gateway_fault, failed.value
        assert adapter.breaker.current_state == "closed"
    assert adapter.capture(_order(), AMOUNT, "tok_visa").charge_id
    with _outage(fake_gateway), pytest.raises(GatewayUnavailable, match="the circuit is now open"):
        adapter.capture(_order(), AMOUNT, "tok_visa")
    assert adapter.breaker.current_state == "open"


def test_a_hung_gateway_that_fails_its_health_check_opens_the_circuit(payments: PaymentsFactory) -> None:
    with _silent_server() as url:
        adapter = payments(url=url, timeout_seconds=0.2, attempts=1, breaker_fail_max=2)
        for _ in range(2):
            with pytest.raises(GatewayUnavailable, match="nor its health check") as failed:
                adapter.capture(_order(), AMOUNT, "tok_visa")
            assert failed.value.gateway_fault
    assert adapter.breaker.current_state == "open"


def test_a_flaky_gateway_is_retried_until_the_third_attempt_captures(
    fake_gateway: FakeGateway, payments: PaymentsFactory
) -> None:
    order_id = _order()

    charge = payments(attempts=3).capture(order_id, AMOUNT, "tok_flaky")

    state = _payment(fake_gateway, order_id)
    assert (state["charges"], state["capture_requests"], state["charge_id"]) == (1, 3, charge.charge_id)


def test_a_flaky_gateway_with_too_few_attempts_is_unavailable(
    fake_gateway: FakeGateway, payments: PaymentsFactory
) -> None:
    order_id = _order()
    with pytest.raises(GatewayUnavailable, match=r"HTTP 503.*\(after 2 attempts\)"):
        payments(attempts=2).capture(order_id, AMOUNT, "tok_flaky")
    assert _payment(fake_gateway, order_id)["charges"] == 0


def test_a_hanging_gateway_is_unavailable_after_the_configured_attempts(
    fake_gateway: FakeGateway, payments: PaymentsFactory
) -> None:
    order_id = _order()
    adapter = payments(timeout_seconds=0.3, attempts=3)

    started = time.monotonic()
    with pytest.raises(GatewayUnavailable, match=r"did not answer capture within 0\.3s \(after 3 attempts\)"):
        adapter.capture(order_id, AMOUNT, "tok_timeout")
    elapsed = time.monotonic() - started

    assert elapsed < 3.0  # three 0.3 s timeouts and short backoffs, not the gateway's 10 s hang
    state = _payment(fake_gateway, order_id)
    assert (state["charges"], state["capture_requests"]) == (0, 3)


def test_a_capture_whose_answer_is_lost_is_retried_and_charged_once(
    fake_gateway: FakeGateway, payments: PaymentsFactory
) -> None:
    order_id = _order()
    # tok_slow charges at once but answers after 2 s: the first attempt times out with the charge made.
    charge = payments(timeout_seconds=0.5, attempts=3).capture(order_id, AMOUNT, "tok_slow")

    state = _payment(fake_gateway, order_id)
    assert (state["charges"], state["charge_id"]) == (1, charge.charge_id)
    assert state["capture_requests"] >= 2  # 2 unless this machine is too loaded to replay within 0.5 s


def test_an_unreachable_gateway_is_unavailable(payments: PaymentsFactory) -> None:
    adapter = payments(url=f"http://127.0.0.1:{free_port()}", attempts=2)
    with pytest.raises(
        GatewayUnavailable, match=r"could not reach the payment gateway .*\(after 2 attempts\)"
    ):
        adapter.capture(_order(), AMOUNT, "tok_visa")


def test_an_outage_opens_the_circuit_which_fails_fast_then_closes_once_it_is_over(
    fake_gateway: FakeGateway, payments: PaymentsFactory
) -> None:
    adapter = payments(attempts=2, breaker_fail_max=3, breaker_reset_seconds=1.0)
    order_id = _order()
    open_before = _calls("payment", "capture", "circuit_open")

    with _outage(fake_gateway):
        with pytest.raises(GatewayUnavailable, match="HTTP 503") as first:
            adapter.capture(order_id, AMOUNT, "tok_visa")  # two failed requests: still closed
        assert not isinstance(first.value, GatewayCircuitOpen)
        assert adapter.breaker.current_state == "closed"

        with pytest.raises(GatewayUnavailable, match="the circuit is now open") as tripping:
            adapter.capture(order_id, AMOUNT, "tok_visa")  # the third failed request opens it: no retry
        assert not isinstance(tripping.value, GatewayCircuitOpen)
        assert adapter.breaker.current_state == "open"
        assert _payment(fake_gateway, order_id)["capture_requests"] == 3

        started = time.monotonic()
        with pytest.raises(GatewayCircuitOpen, match=r"circuit is open .*failed fast without calling it"):
            adapter.capture(order_id, AMOUNT, "tok_visa")
        assert time.monotonic() - started < 0.5
        assert _payment(fake_gateway, order_id)["capture_requests"] == 3  # never reached the gateway
        assert _calls("payment", "capture", "circuit_open") == open_before + 1

    time.sleep(1.1)  # the reset timeout: the next call is the trial, and the gateway is back
    charge = adapter.capture(order_id, AMOUNT, "tok_visa")
    assert adapter.breaker.current_state == "closed"
    state = _payment(fake_gateway, order_id)
    assert (state["charges"], state["capture_requests"], state["charge_id"]) == (1, 4, charge.charge_id)


def test_a_refund_is_idempotent_and_an_unknown_order_cannot_be_refunded(
    fake_gateway: FakeGateway, payments: PaymentsFactory
) -> None:
    adapter = payments()
    order_id = _order()
    charge = adapter.capture(order_id, AMOUNT, "tok_visa")

    refund = adapter.refund(order_id, charge.charge_id, AMOUNT)
    again = adapter.refund(order_id, charge.charge_id, AMOUNT)

    assert again == refund
    state = _payment(fake_gateway, order_id)
    assert (state["refunded"], state["refund_id"], state["charges"]) == (True, refund.refund_id, 1)
    with pytest.raises(GatewayDeclined, match="HTTP 404"):
        adapter.refund(_order(), "ch_unknown", AMOUNT)


def test_an_undeliverable_address_is_refused_and_never_retried(
    fake_gateway: FakeGateway, shipping: HttpShippingGateway
) -> None:
    order_id = _order()
    with pytest.raises(GatewayDeclined, match="undeliverable"):
        shipping.ship(order_id, "1 Nowhere Lane, UNDELIVERABLE", [("tea-sencha", 1)])
    state = _shipment(fake_gateway, order_id)
    assert (state["shipments"], state["ship_requests"]) == (0, 1)


def test_an_order_sent_twice_ships_once(fake_gateway: FakeGateway, shipping: HttpShippingGateway) -> None:
    order_id = _order()
    lines = [("tea-sencha", 2), ("tea-genmaicha", 1)]

    shipment = shipping.ship(order_id, "1-2-3 Shibuya, Tokyo", lines)
    again = shipping.ship(order_id, "1-2-3 Shibuya, Tokyo", lines)

    assert again == shipment
    state = _shipment(fake_gateway, order_id)
    assert (state["shipments"], state["ship_requests"], state["shipment_id"]) == (1, 2, shipment.shipment_id)
    assert state["lines"] == [
        {"product_id": "tea-sencha", "quantity": 2},
        {"product_id": "tea-genmaicha", "quantity": 1},
    ]


def test_the_local_service_points_the_settings_at_itself(
    fake_gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in fake_gateway.environment().items():
        monkeypatch.setenv(name, value)
    configured = Settings()
    assert configured.payment_gateway_url == configured.shipping_gateway_url == fake_gateway.url

    order_id = _order()
    charge = payment_gateway(configured).capture(order_id, AMOUNT, "tok_visa")
    shipment = shipping_gateway(configured).ship(order_id, "1 Main St", [("tea-sencha", 1)])

    assert _payment(fake_gateway, order_id)["charge_id"] == charge.charge_id
    assert _shipment(fake_gateway, order_id)["shipment_id"] == shipment.shipment_id
