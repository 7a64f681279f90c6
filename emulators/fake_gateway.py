"""A fake payment and shipping gateway with deterministic rules, for the local cloud and the tests.

`python -m emulators.fake_gateway --port N` serves it. It speaks the protocol the HTTP adapters
(gateways.py) speak, so their timeouts, retries, idempotency and circuit breaker are exercised over real
HTTP, and a test picks the failure it wants through the payment token or the address:

- token `tok_decline...`: 402 declined, no charge;
- token `tok_timeout...`: the request hangs (10 s by default) and then fails with 504, no charge, so the
  client times out;
- token `tok_flaky...`: the first 2 capture requests of an order that reach this rule get 503, the 3rd
  captures;
- token `tok_slow...`: the charge is made at once but answered after 2 s, as when a gateway's answer is
  lost: a client that gave up and retries gets the same charge back (at once);
- token `tok_invalid...`: 400, the gateway cannot read the token (the customer's input, not an outage);
- any other token: captured.
- Captures are idempotent by order id: a second capture of an order answers the first charge and never
  makes a second (with a different amount it is a 409 conflict). Refunds: a refund of a captured order
  answers a refund id, the same one every time; of an unknown order, 404.
- Shipping: an address containing `UNDELIVERABLE` is refused with 422; otherwise a shipment id, the
  same one for every request of an order.
- Lookups by idempotency key, as the adapters ask after a lost answer: `GET /payments/<order>/charge`
  (the charge, or 404), `GET /shipments/<order>/shipment` (the shipment, or 404), and `GET /charges`
  (every charge, for reconciliation).
- `POST /control {"available": false}` simulates an outage: every payment and shipping request answers
  503 until `{"available": true}`, lookups and `GET /health` included. `GET /payments/<order>` and
  `GET /shipments/<order>` let tests see what the gateway received, outage or not.

Every POST must carry the header `Idempotency-Key` equal to the order id (400 otherwise), so the tests
prove the adapters send it. State is in memory, behind one lock. Served by werkzeug's threaded
development server: right for one developer's machine and the tests (a hanging request holds only its
own thread), never for production traffic.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

from shared.kernel.money import Money

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

DECLINE_PREFIX = "tok_decline"
TIMEOUT_PREFIX = "tok_timeout"
FLAKY_PREFIX = "tok_flaky"
SLOW_PREFIX = "tok_slow"
INVALID_PREFIX = "tok_invalid"
UNDELIVERABLE = "UNDELIVERABLE"
DEFAULT_PORT = 8099


@dataclass(frozen=True)
class Answer:
    """What the gateway answers, and how long it waits before answering (a slow or hung gateway)."""

    status: int
    body: dict[str, Any]
    delay_seconds: float = 0.0


@dataclass
class _Payment:
    capture_requests: int = 0
    flaky_failures: int = 0
    charge_id: str | None = None
    amount: Money | None = None
    refund_id: str | None = None
    refunded: Money | None = None


@dataclass
class _Shipment:
    ship_requests: int = 0
    shipment_id: str | None = None
    address: str | None = None
    lines: list[tuple[str, int]] = field(default_factory=list)


def _unavailable() -> Answer:
    return Answer(503, {"error": "unavailable", "reason": "the gateway is unavailable (simulated outage)"})


class FakeLedger:
    """The gateway's rules and in-memory state, without HTTP: every method is one request's decision.

    Thread-safe: one lock covers every read and write; the WSGI layer waits out `delay_seconds` outside it.
    """

    def __init__(
        self, *, hang_seconds: float = 10.0, slow_seconds: float = 2.0, flaky_failures: int = 2
    ) -> None:
        self.hang_seconds = hang_seconds
        self.slow_seconds = slow_seconds
        self.flaky_failures = flaky_failures
        self._lock = threading.Lock()
        self._available = True
        self._payments: dict[str, _Payment] = {}
        self._shipments: dict[str, _Shipment] = {}

    @property
    def available(self) -> bool:
        with self._lock:
            return self._available

    def set_available(self, available: bool) -> None:
        with self._lock:
            self._available = available
        logger.warning("fake gateway %s", "available" if available else "UNAVAILABLE (simulated outage)")

    def capture(self, order_id: str, amount: Money, payment_token: str) -> Answer:
        with self._lock:
            payment = self._payments.setdefault(order_id, _Payment())
            # Counted on arrival, whatever the answer: tests see every request that reached the gateway.
            payment.capture_requests += 1
            if not self._available:
                return _unavailable()
            if payment.charge_id is not None:
                # Idempotent by order id: the first charge is the answer, whatever the token says now.
                if payment.amount != amount:
                    return Answer(
                        409,
                        {
                            "error": "conflict",
                            "reason": f"order {order_id} was already charged {_text(payment.amount)}, "
                            f"not {_text(amount)}",
                        },
                    )
                return Answer(200, self._charge_body(order_id, payment, replayed=True))
            if payment_token.startswith(INVALID_PREFIX):
                return Answer(400, {"error": "invalid_token", "reason": "the payment token cannot be read"})
            if payment_token.startswith(DECLINE_PREFIX):
                return Answer(402, {"error": "declined", "reason": "the card was declined"})
            if payment_token.startswith(TIMEOUT_PREFIX):
                return Answer(
                    504, {"error": "timeout", "reason": "the card network did not answer"}, self.hang_seconds
                )
            if payment_token.startswith(FLAKY_PREFIX) and payment.flaky_failures < self.flaky_failures:
                payment.flaky_failures += 1
                return Answer(
                    503, {"error": "unavailable", "reason": f"flaky failure {payment.flaky_failures}"}
                )
            payment.charge_id = f"ch_{uuid.uuid4().hex[:20]}"
            payment.amount = amount
            delay = self.slow_seconds if payment_token.startswith(SLOW_PREFIX) else 0.0
            # The charge exists before the (possibly slow) answer leaves: a lost answer is a made charge.
            return Answer(200, self._charge_body(order_id, payment, replayed=False), delay)

    def refund(self, order_id: str, charge_id: str, amount: Money) -> Answer:
        with self._lock:
            if not self._available:
                return _unavailable()
            payment = self._payments.get(order_id)
            if payment is None or payment.charge_id is None or payment.amount is None:
                return Answer(404, {"error": "not_found", "reason": f"order {order_id} has no charge"})
            if charge_id != payment.charge_id:
                return Answer(
                    409,
                    {"error": "conflict", "reason": f"order {order_id} was charged by {payment.charge_id}"},
                )
            if payment.refund_id is not None:
                if amount != payment.refunded:
                    return Answer(
                        409,
                        {
                            "error": "conflict",
                            "reason": f"order {order_id} was already refunded {_text(payment.refunded)}",
                        },
                    )
                return Answer(200, {"refund_id": payment.refund_id, "replayed": True})
            if amount.currency != payment.amount.currency or not 0 < amount.amount <= payment.amount.amount:
                return Answer(
                    422,
                    {
                        "error": "invalid",
                        "reason": f"cannot refund {_text(amount)} of a {_text(payment.amount)} charge",
                    },
                )
            payment.refund_id = f"re_{uuid.uuid4().hex[:20]}"
            payment.refunded = amount
            return Answer(200, {"refund_id": payment.refund_id, "replayed": False})

    def ship(self, order_id: str, address: str, lines: Sequence[tuple[str, int]]) -> Answer:
        with self._lock:
            shipment = self._shipments.setdefault(order_id, _Shipment())
            shipment.ship_requests += 1
            if not self._available:
                return _unavailable()
            if shipment.shipment_id is not None:
                if address != shipment.address or list(lines) != shipment.lines:
                    return Answer(
                        409,
                        {
                            "error": "conflict",
                            "reason": f"order {order_id} was shipped elsewhere or otherwise",
                        },
                    )
                return Answer(200, {"shipment_id": shipment.shipment_id, "replayed": True})
            if UNDELIVERABLE in address:
                return Answer(422, {"error": "refused", "reason": "the address is undeliverable"})
            shipment.shipment_id = f"sh_{uuid.uuid4().hex[:20]}"
            shipment.address = address
            shipment.lines = list(lines)
            return Answer(200, {"shipment_id": shipment.shipment_id, "replayed": False})

    def payment(self, order_id: str) -> dict[str, Any]:
        """What the gateway knows of an order's payment; zeros and nulls for an order it never saw."""
        with self._lock:
            payment = self._payments.get(order_id, _Payment())
            return {
                "order_id": order_id,
                "charges": 1 if payment.charge_id is not None else 0,
                "capture_requests": payment.capture_requests,
                "charge_id": payment.charge_id,
                "amount": _amount(payment.amount),
                "currency": payment.amount.currency if payment.amount is not None else None,
                "refunded": payment.refund_id is not None,
                "refund_id": payment.refund_id,
                "refunded_amount": _amount(payment.refunded),
            }

    def charge_of(self, order_id: str) -> Answer:
        """The order's charge, as a client looking it up by its idempotency key sees it."""
        with self._lock:
            if not self._available:
                return _unavailable()
            payment = self._payments.get(order_id)
            if payment is None or payment.charge_id is None:
                return Answer(404, {"error": "not_found", "reason": f"order {order_id} has no charge"})
            return Answer(200, self._charge_body(order_id, payment, replayed=True))

    def charges(self) -> Answer:
        """Every charge the gateway holds, refunded or not."""
        with self._lock:
            if not self._available:
                return _unavailable()
            return Answer(
                200,
                {
                    "charges": [
                        self._charge_body(order_id, payment, replayed=True)
                        for order_id, payment in self._payments.items()
                        if payment.charge_id is not None
                    ]
                },
            )

    def shipment_of(self, order_id: str) -> Answer:
        """The order's shipment, as a client looking it up by its idempotency key sees it."""
        with self._lock:
            if not self._available:
                return _unavailable()
            shipment = self._shipments.get(order_id)
            if shipment is None or shipment.shipment_id is None:
                return Answer(404, {"error": "not_found", "reason": f"order {order_id} was not shipped"})
            return Answer(200, {"shipment_id": shipment.shipment_id, "replayed": True})

    def shipment(self, order_id: str) -> dict[str, Any]:
        """What the gateway knows of an order's shipment; zeros and nulls for an order it never saw."""
        with self._lock:
            shipment = self._shipments.get(order_id, _Shipment())
            return {
                "order_id": order_id,
                "shipments": 1 if shipment.shipment_id is not None else 0,
                "ship_requests": shipment.ship_requests,
                "shipment_id": shipment.shipment_id,
                "address": shipment.address,
                "lines": [
                    {"product_id": product, "quantity": quantity} for product, quantity in shipment.lines
                ],
            }

    @staticmethod
    def _charge_body(order_id: str, payment: _Payment, *, replayed: bool) -> dict[str, Any]:
        return {
            "order_id": order_id,
            "charge_id": payment.charge_id,
            "amount": _amount(payment.amount),
            "currency": payment.amount.currency if payment.amount is not None else None,
            "refund_id": payment.refund_id,
            "replayed": replayed,
        }


def _amount(money: Money | None) -> str | None:
    return str(money.model_dump(mode="json")["amount"]) if money is not None else None


def _text(money: Money | None) -> str:
    return f"{_amount(money)} {money.currency}" if money is not None else "nothing"


class InvalidRequest(Exception):
    """A request the fake cannot read; answered 400 with the reason."""


def _money(body: dict[str, Any]) -> Money:
    try:
        return Money(amount=body.get("amount"), currency=body.get("currency"))
    except ValidationError as error:
        raise InvalidRequest(f"amount and currency: {error.errors()[0]['msg']}") from error


def _text_field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise InvalidRequest(f"{name} must be a non-empty string")
    return value


def _lines(body: dict[str, Any]) -> list[tuple[str, int]]:
    raw = body.get("lines")
    if not isinstance(raw, list) or not raw:
        raise InvalidRequest("lines must be a non-empty list of {product_id, quantity}")
    lines: list[tuple[str, int]] = []
    for line in raw:
        product = line.get("product_id") if isinstance(line, dict) else None
        quantity = line.get("quantity") if isinstance(line, dict) else None
        if not isinstance(product, str) or not product or not isinstance(quantity, int) or quantity < 1:
            raise InvalidRequest(f"a line must be {{product_id: str, quantity: int >= 1}}, not {line!r}")
        lines.append((product, quantity))
    return lines


class FakeGatewayApp:
    """The WSGI application: routes requests to a `FakeLedger` and waits out its delays."""

    def __init__(self, ledger: FakeLedger | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.ledger = ledger if ledger is not None else FakeLedger()
        self._sleep = sleep
        self._routes = Map(
            [
                Rule("/health", endpoint="health", methods=["GET"]),
                Rule("/control", endpoint="control", methods=["POST"]),
                Rule("/payments/<order_id>", endpoint="payment", methods=["GET"]),
                Rule("/payments/<order_id>/charge", endpoint="charge", methods=["GET"]),
                Rule("/charges", endpoint="charges", methods=["GET"]),
                Rule("/shipments/<order_id>/shipment", endpoint="shipment_of", methods=["GET"]),
                Rule("/payments/<order_id>/capture", endpoint="capture", methods=["POST"]),
                Rule("/payments/<order_id>/refund", endpoint="refund", methods=["POST"]),
                Rule("/shipments/<order_id>", endpoint="shipment", methods=["GET"]),
                Rule("/shipments/<order_id>", endpoint="ship", methods=["POST"]),
            ]
        )

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        response = self._respond(Request(environ))
        return response(environ, start_response)

    def _respond(self, request: Request) -> Response:
        try:
            endpoint, arguments = self._routes.bind_to_environ(request.environ).match()
            answer = self._answer(str(endpoint), request, **arguments)
        except HTTPException as error:
            answer = Answer(error.code or 500, {"error": "http", "reason": error.description or error.name})
        except InvalidRequest as error:
            answer = Answer(400, {"error": "bad_request", "reason": str(error)})
        if answer.delay_seconds > 0:
            self._sleep(answer.delay_seconds)
        return Response(json.dumps(answer.body), status=answer.status, mimetype="application/json")

    def _answer(self, endpoint: str, request: Request, order_id: str = "") -> Answer:
        if endpoint == "health":
            up = self.ledger.available
            return Answer(200 if up else 503, {"status": "ok" if up else "unavailable"})
        if endpoint == "payment":
            return Answer(200, self.ledger.payment(order_id))
        if endpoint == "shipment":
            return Answer(200, self.ledger.shipment(order_id))
        if endpoint == "charge":
            return self.ledger.charge_of(order_id)
        if endpoint == "charges":
            return self.ledger.charges()
        if endpoint == "shipment_of":
            return self.ledger.shipment_of(order_id)
        body = _json_object(request)
        if endpoint == "control":
            available = body.get("available")
            if not isinstance(available, bool):
                raise InvalidRequest("control takes {available: true|false}")
            self.ledger.set_available(available)
            return Answer(200, {"available": available})
        if request.headers.get("Idempotency-Key") != order_id:
            raise InvalidRequest("the Idempotency-Key header must be the order id")
        if endpoint == "capture":
            return self.ledger.capture(order_id, _money(body), _text_field(body, "payment_token"))
        if endpoint == "refund":
            return self.ledger.refund(order_id, _text_field(body, "charge_id"), _money(body))
        return self.ledger.ship(order_id, _text_field(body, "address"), _lines(body))


def _json_object(request: Request) -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    return body


class FakeGatewayClient:
    """What tests and benchmarks ask of a running fake gateway: what it received, and an outage."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    def payment(self, order_id: str) -> dict[str, Any]:
        """The order's payment as the gateway saw it (charges, capture_requests, refunded, ...)."""
        return self._get(f"/payments/{order_id}")

    def shipment(self, order_id: str) -> dict[str, Any]:
        """The order's shipment as the carrier saw it (shipments, ship_requests, ...)."""
        return self._get(f"/shipments/{order_id}")

    def charge(self, order_id: str, amount: Money, payment_token: str = "tok_ok") -> None:  # noqa: S107
        """Capture as a client would, outside Kiroku: a charge its payment step never heard of."""
        requests.post(
            f"{self.url}/payments/{order_id}/capture",
            json={**amount.model_dump(mode="json"), "payment_token": payment_token},
            headers={"Idempotency-Key": order_id},
            timeout=10,
        ).raise_for_status()

    def set_available(self, available: bool) -> None:
        requests.post(f"{self.url}/control", json={"available": available}, timeout=10).raise_for_status()

    @contextmanager
    def outage(self) -> Iterator[None]:
        """Every payment and shipping request answers 503 inside the block."""
        self.set_available(False)
        try:
            yield
        finally:
            self.set_available(True)

    def _get(self, path: str) -> dict[str, Any]:
        answer: dict[str, Any] = requests.get(f"{self.url}{path}", timeout=10).json()
        return answer


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Kiroku's fake payment and shipping gateway (local use only)"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--hang-seconds", type=float, default=10.0, help="how long tok_timeout hangs")
    parser.add_argument("--slow-seconds", type=float, default=2.0, help="how late tok_slow answers")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ledger = FakeLedger(hang_seconds=args.hang_seconds, slow_seconds=args.slow_seconds)
    # threaded: a hanging tok_timeout request must not stop the gateway answering everyone else.
    run_simple(args.host, args.port, FakeGatewayApp(ledger), threaded=True)


if __name__ == "__main__":
    main()
