"""Payment and shipping behind ports, and their HTTP adapters: timeouts, retries and a circuit breaker.

The sagas call `PaymentGateway` and `ShippingGateway` and see exactly three outcomes: an answer; a
definitive business "no" (`GatewayDeclined`), which they compensate at once; or "no answer could be had"
(`GatewayUnavailable`), which means *unknown*, not *no*: a capture or shipment whose answer was lost may
have happened, so the callers then look it up by the order's idempotency key (`charge_of`,
`shipment_of`) before they decide, and reconciliation lists every charge (`charges`). The HTTP adapters
speak the protocol of the local fake gateway (emulators/fake_gateway.py); a real provider plugs in as another
implementation of the ports.

Why each mechanism is there:

- a timeout on every request, so a hung gateway costs seconds, not the function's whole deadline;
- retries with exponential backoff and jitter, only for failures that may pass (timeouts, connection
  errors, 5xx, 429). They are safe because every request carries the order id as its idempotency key:
  a capture whose answer was lost is replayed by the gateway on the retry, never charged twice;
- a circuit breaker per adapter instance that opens after `fail_max` consecutive gateway faults and
  then fails calls at once for `reset_timeout` seconds, so an outage is not hammered by every saga and
  does not hold each function instance for attempts x timeout. Only faults of the gateway itself count:
  5xx, 429, refused credentials, connection errors, and a timeout after which the gateway does not answer
  its health check either. What one customer's card or request causes (a decline, another 4xx, a
  request that times out while the gateway answers its health check) is an answer from a healthy
  gateway: it never counts against it, so one customer cannot open the circuit for everyone.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar
from urllib.parse import quote

import pybreaker
import requests
from pydantic import ValidationError
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from shared.config import Settings, settings
from shared.kernel.money import Money
from shared.observability.log_metrics import CIRCUIT_CHANGED, GATEWAY_CALLED
from shared.observability.tracing import step_span

logger = logging.getLogger(__name__)

T = TypeVar("T")
Adapter = TypeVar("Adapter", bound="_HttpGateway")

# The gateway's definitive "no": payment declined (402), unknown order (404), a request that contradicts
# an earlier one under the same idempotency key (409), refused as invalid (422).
DECLINE_STATUSES = frozenset({402, 404, 409, 422})
# Failures that may pass if asked again a little later.
TRANSIENT_STATUSES = frozenset({408, 425, 429})
# 4xx answers that say the gateway (or our access to it) is failing everyone, not this one request.
GATEWAY_FAULT_STATUSES = frozenset({401, 407, 429})


class GatewayError(Exception):
    """Base of what a gateway call can raise; `reason` is meant for logs and the saga's history."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class GatewayDeclined(GatewayError):
    """The gateway answered no (payment declined, shipment refused, unknown order): never retried."""


class GatewayUnavailable(GatewayError):
    """No answer could be had: timeouts, connection errors or 5xx after the retries, or an open circuit.

    `retryable` is False when asking again at once cannot help (the circuit opened, the gateway refused
    the request itself as malformed or unauthorised); the adapter's own retries stop there.
    `gateway_fault` is False when the failure is this request's, not the gateway's: the circuit breaker
    does not count it.
    `final` is True when asking again later cannot help either (the gateway refused the request itself):
    the step ends. Any other unavailability is transient: the command waits and is delivered again.
    """

    def __init__(
        self, reason: str, *, retryable: bool = True, gateway_fault: bool = True, final: bool = False
    ) -> None:
        super().__init__(reason)
        self.retryable = retryable
        self.gateway_fault = gateway_fault
        self.final = final


class GatewayCircuitOpen(GatewayUnavailable):
    """The circuit is open: the call failed fast without reaching the gateway."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, retryable=False)


@dataclass(frozen=True)
class Charge:
    charge_id: str
    amount: Money


@dataclass(frozen=True)
class Refund:
    refund_id: str


@dataclass(frozen=True)
class ChargeRecord:
    """A charge as the gateway lists it: the order it was made for, and whether it was refunded."""

    order_id: str
    charge: Charge
    refunded: bool


@dataclass(frozen=True)
class Shipment:
    shipment_id: str


class PaymentGateway(Protocol):
    """Captures and refunds payments; both are idempotent by order id."""

    def capture(self, order_id: str, amount: Money, payment_token: str) -> Charge: ...

    def refund(self, order_id: str, charge_id: str, amount: Money) -> Refund: ...

    def charge_of(self, order_id: str) -> Charge | None:
        """The charge the gateway holds for this order (refunded or not), None when it holds none."""
        ...

    def charges(self) -> list[ChargeRecord]:
        """Every charge the gateway holds, for reconciliation."""
        ...


class ShippingGateway(Protocol):
    """Ships an order's lines (product id, quantity) to an address; idempotent by order id."""

    def ship(self, order_id: str, address: str, lines: Sequence[tuple[str, int]]) -> Shipment: ...

    def shipment_of(self, order_id: str) -> Shipment | None:
        """The shipment the carrier holds for this order, None when it shipped nothing."""
        ...


def interpret_answer(gateway: str, operation: str, status: int, body: object) -> Mapping[str, Any]:
    """The JSON object of a successful answer, or the exception an unsuccessful one means."""
    if 200 <= status < 300:
        if isinstance(body, Mapping):
            return body
        raise GatewayUnavailable(
            f"the {gateway} gateway answered {operation} with HTTP {status} but no JSON object"
        )
    reason = body.get("reason") if isinstance(body, Mapping) else None
    said = f": {reason}" if isinstance(reason, str) and reason else ""
    if status in DECLINE_STATUSES:
        raise GatewayDeclined(f"the {gateway} gateway refused {operation} (HTTP {status}){said}")
    fault = status >= 500 or status in GATEWAY_FAULT_STATUSES
    if status >= 500 or status in TRANSIENT_STATUSES:
        raise GatewayUnavailable(
            f"the {gateway} gateway failed {operation} with HTTP {status}{said}", gateway_fault=fault
        )
    # 400, 401, 403 and the like: our request or our credentials are wrong; asking again will not help.
    raise GatewayUnavailable(
        f"the {gateway} gateway rejected the {operation} request itself with HTTP {status}{said} "
        "(a client or configuration error)",
        retryable=False,
        gateway_fault=fault,
        final=True,
    )


def _retryable(error: BaseException) -> bool:
    return isinstance(error, GatewayUnavailable) and error.retryable


def _not_the_gateways_fault(error: BaseException) -> bool:
    return isinstance(error, GatewayUnavailable) and not error.gateway_fault


_EXCLUDED: list[Any] = [GatewayDeclined, _not_the_gateways_fault]


class _CircuitLog(pybreaker.CircuitBreakerListener):
    """Logs every change of a breaker's state: an opening circuit is an operator's first clue."""

    def state_change(self, cb: pybreaker.CircuitBreaker, old_state: Any, new_state: Any) -> None:
        old = old_state.name if old_state is not None else "none"
        CIRCUIT_CHANGED.record(
            "%s circuit: %s -> %s",
            cb.name,
            old,
            new_state.name,
            level=logging.WARNING,
            gateway=str(cb.name).removesuffix("-gateway"),
            state=str(new_state.name),
        )


class _GatewayClient:
    """One gateway's HTTP session, timeout, retry policy and circuit breaker."""

    def __init__(
        self,
        gateway: str,
        base_url: str,
        *,
        timeout_seconds: float,
        attempts: int,
        breaker_fail_max: int,
        breaker_reset_seconds: float,
        backoff_seconds: float,
        max_backoff_seconds: float,
        session: requests.Session | None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"the {gateway} gateway URL must be http(s)://..., not {base_url!r}")
        if attempts < 1:
            raise ValueError("attempts counts the first try too: it is at least 1")
        self.gateway = gateway
        self.base_url = base_url.rstrip("/")
        self.timeout_seconds = timeout_seconds
        self.session = session if session is not None else requests.Session()
        # Each request passes the breaker on its own, so a retried call counts once per failed request.
        # Declines and failures of the request rather than the gateway are excluded: pybreaker then counts
        # them as successes, rightly, as the gateway answered.
        # throw_new_error_on_trip=False keeps the real reason on the request that trips the circuit.
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=breaker_fail_max,
            reset_timeout=breaker_reset_seconds,
            exclude=_EXCLUDED,
            listeners=[_CircuitLog()],
            name=f"{gateway}-gateway",
            throw_new_error_on_trip=False,
        )
        self._retrying = Retrying(
            stop=stop_after_attempt(attempts),
            # Full exponential backoff plus up to one `backoff_seconds` of jitter, so instances that failed
            # together do not retry together.
            wait=wait_exponential_jitter(
                multiplier=backoff_seconds, max=max_backoff_seconds, jitter=backoff_seconds
            ),
            retry=retry_if_exception(_retryable),
            reraise=True,
        )

    def post(
        self,
        operation: str,
        path: str,
        idempotency_key: str,
        body: Mapping[str, Any] | None,
        parse: Callable[[Mapping[str, Any]], T],
    ) -> T:
        """POST `body` (GET when None: a lookup), retried and guarded, and `parse` the answer; counts the
        call's final outcome."""
        outcome = "unavailable"
        attempts = 0
        try:
            # A copy per call: Retrying keeps per-call state, and one adapter serves concurrent requests.
            retrying = self._retrying.copy(before_sleep=functools.partial(self._before_retry, operation))
            for attempt in retrying:
                with attempt:
                    attempts += 1
                    with step_span(f"{self.gateway} {operation}", attempt=attempts):
                        result = self._attempt(operation, path, idempotency_key, body, parse)
            outcome = "ok"
            return result
        except GatewayCircuitOpen:
            outcome = "circuit_open"
            raise
        except GatewayDeclined:
            outcome = "declined"
            raise
        except GatewayUnavailable as error:
            if attempts < 2:
                raise
            # The saga's history should say how hard we tried, not just the last failure.
            raise GatewayUnavailable(
                f"{error.reason} (after {attempts} attempts)",
                retryable=error.retryable,
                gateway_fault=error.gateway_fault,
            ) from error
        finally:
            GATEWAY_CALLED.record(
                "%s gateway %s: %s after %d attempts",
                self.gateway,
                operation,
                outcome,
                attempts,
                gateway=self.gateway,
                operation=operation,
                outcome=outcome,
                retries=max(attempts - 1, 0),
            )

    def _attempt(
        self,
        operation: str,
        path: str,
        idempotency_key: str,
        body: Mapping[str, Any] | None,
        parse: Callable[[Mapping[str, Any]], T],
    ) -> T:
        # `calling()`, not `call()`: pybreaker's `call` holds the breaker's lock for the whole guarded
        # call, which would queue every concurrent request of this instance behind one slow gateway.
        try:
            with self.breaker.calling():
                return parse(self._request(operation, path, idempotency_key, body))
        except pybreaker.CircuitBreakerError as error:
            raise GatewayCircuitOpen(
                f"the {self.gateway} gateway's circuit is open after {self.breaker.fail_max} consecutive "
                f"failures: failed fast without calling it (it is tried again "
                f"{self.breaker.reset_timeout:g}s after it opened)"
            ) from error
        except GatewayUnavailable as error:
            if self.breaker.current_state == pybreaker.STATE_OPEN:
                # This failure opened the circuit: further retries would only fail fast, so stop here with
                # the real reason.
                raise GatewayUnavailable(
                    f"{error.reason}; the circuit is now open for {self.breaker.reset_timeout:g}s",
                    retryable=False,
                ) from error
            raise

    def _request(
        self, operation: str, path: str, idempotency_key: str, body: Mapping[str, Any] | None
    ) -> Any:
        url = f"{self.base_url}{path}"
        headers = {"Idempotency-Key": idempotency_key}
        try:
            if body is None:
                response = self.session.get(url, headers=headers, timeout=self.timeout_seconds)
            else:
                response = self.session.post(url, json=body, headers=headers, timeout=self.timeout_seconds)
        except requests.Timeout as error:  # before ConnectionError: ConnectTimeout is both
            alive = self._alive()
            raise GatewayUnavailable(
                f"the {self.gateway} gateway did not answer {operation} within {self.timeout_seconds:g}s"
                + ("" if alive else ", nor its health check"),
                gateway_fault=not alive,
            ) from error
        except requests.RequestException as error:
            raise GatewayUnavailable(
                f"could not reach the {self.gateway} gateway at {self.base_url} for {operation}: {error}"
            ) from error
        try:
            answer: object = response.json()
        except ValueError:
            answer = None
        return interpret_answer(self.gateway, operation, response.status_code, answer)

    def _alive(self) -> bool:
        """Whether the gateway answers its health check: after a timeout, it tells a request that hung
        (one card's network, say) from a gateway that is down."""
        try:
            response = self.session.get(f"{self.base_url}/health", timeout=self.timeout_seconds)
        except requests.RequestException:
            return False
        return 200 <= response.status_code < 300

    def _before_retry(self, operation: str, state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome is not None else None
        logger.warning(
            "%s gateway %s attempt %d failed (%s); retrying in %.2fs",
            self.gateway,
            operation,
            state.attempt_number,
            error,
            state.upcoming_sleep,
        )

    def close(self) -> None:
        self.session.close()


def _field(answer: Mapping[str, Any], name: str) -> str:
    value = answer.get(name)
    if not isinstance(value, str) or not value:
        raise GatewayUnavailable(f"the gateway's answer has no {name!r}: {dict(answer)}", retryable=False)
    return value


def _order_path(prefix: str, order_id: str, suffix: str = "") -> str:
    if not order_id:
        raise ValueError("order_id is empty")
    return f"{prefix}/{quote(order_id, safe='')}{suffix}"


class _HttpGateway:
    """What both HTTP adapters share: one `_GatewayClient` (session, retries, breaker) per instance."""

    gateway: ClassVar[str]

    def __init__(
        self,
        base_url: str,
        *,
        timeout_seconds: float = 2.0,
        attempts: int = 3,
        breaker_fail_max: int = 5,
        breaker_reset_seconds: float = 30.0,
        backoff_seconds: float = 0.2,
        max_backoff_seconds: float = 2.0,
        session: requests.Session | None = None,
    ) -> None:
        self._client = _GatewayClient(
            self.gateway,
            base_url,
            timeout_seconds=timeout_seconds,
            attempts=attempts,
            breaker_fail_max=breaker_fail_max,
            breaker_reset_seconds=breaker_reset_seconds,
            backoff_seconds=backoff_seconds,
            max_backoff_seconds=max_backoff_seconds,
            session=session,
        )

    @property
    def breaker(self) -> pybreaker.CircuitBreaker:
        """This adapter's circuit breaker (its `current_state` is "closed", "open" or "half-open")."""
        return self._client.breaker

    def close(self) -> None:
        self._client.close()


def _charge(answer: Mapping[str, Any]) -> Charge:
    try:
        charged = Money(amount=answer.get("amount"), currency=answer.get("currency"))
    except ValidationError as error:
        raise GatewayUnavailable(
            f"the payment gateway's charge has no valid amount: {dict(answer)}", retryable=False
        ) from error
    return Charge(charge_id=_field(answer, "charge_id"), amount=charged)


def _absent_as_none(lookup: Callable[[], T]) -> T | None:
    """A lookup's answer; None when the gateway says it holds nothing for the order (404)."""
    try:
        return lookup()
    except GatewayDeclined:
        return None


class HttpPaymentGateway(_HttpGateway):
    """`PaymentGateway` over HTTP; the order id is the idempotency key of every request."""

    gateway = "payment"

    def capture(self, order_id: str, amount: Money, payment_token: str) -> Charge:
        body = {**amount.model_dump(mode="json"), "payment_token": payment_token}
        return self._client.post(
            "capture", _order_path("/payments", order_id, "/capture"), order_id, body, _charge
        )

    def charge_of(self, order_id: str) -> Charge | None:
        path = _order_path("/payments", order_id, "/charge")
        return _absent_as_none(lambda: self._client.post("lookup", path, order_id, None, _charge))

    def charges(self) -> list[ChargeRecord]:
        def parse(answer: Mapping[str, Any]) -> list[ChargeRecord]:
            listed = answer.get("charges")
            if not isinstance(listed, list) or not all(isinstance(item, Mapping) for item in listed):
                raise GatewayUnavailable(f"the payment gateway's charges are not a list: {dict(answer)}")
            return [
                ChargeRecord(_field(item, "order_id"), _charge(item), item.get("refund_id") is not None)
                for item in listed
            ]

        return self._client.post("list", "/charges", "reconciliation", None, parse)

    def refund(self, order_id: str, charge_id: str, amount: Money) -> Refund:
        body = {**amount.model_dump(mode="json"), "charge_id": charge_id}
        return self._client.post(
            "refund",
            _order_path("/payments", order_id, "/refund"),
            order_id,
            body,
            lambda answer: Refund(refund_id=_field(answer, "refund_id")),
        )


class HttpShippingGateway(_HttpGateway):
    """`ShippingGateway` over HTTP; the order id is the idempotency key of every request."""

    gateway = "shipping"

    def ship(self, order_id: str, address: str, lines: Sequence[tuple[str, int]]) -> Shipment:
        body = {
            "address": address,
            "lines": [{"product_id": product_id, "quantity": quantity} for product_id, quantity in lines],
        }
        return self._client.post("ship", _order_path("/shipments", order_id), order_id, body, _shipment)

    def shipment_of(self, order_id: str) -> Shipment | None:
        path = _order_path("/shipments", order_id, "/shipment")
        return _absent_as_none(lambda: self._client.post("lookup", path, order_id, None, _shipment))


def _shipment(answer: Mapping[str, Any]) -> Shipment:
    return Shipment(shipment_id=_field(answer, "shipment_id"))


def payment_gateway(config: Settings | None = None) -> HttpPaymentGateway:
    """The payment gateway of these settings (default: the process's), one per settings per process.

    One instance per process matters: the circuit breaker only protects if every call shares it.
    """
    return _payment_gateway(config if config is not None else settings())


def shipping_gateway(config: Settings | None = None) -> HttpShippingGateway:
    """The shipping gateway of these settings (default: the process's), one per settings per process."""
    return _shipping_gateway(config if config is not None else settings())


def _required_url(url: str | None, field: str) -> str:
    if not url:
        raise RuntimeError(
            f"KIROKU_{field.upper()} is not set: the base URL of the gateway this function calls "
            "(the local cloud sets it to its fake gateway; Terraform from the variable of the same name)"
        )
    return url


@functools.lru_cache(maxsize=8)
def _payment_gateway(config: Settings) -> HttpPaymentGateway:
    return _built(HttpPaymentGateway, config.payment_gateway_url, "payment_gateway_url", config)


@functools.lru_cache(maxsize=8)
def _shipping_gateway(config: Settings) -> HttpShippingGateway:
    return _built(HttpShippingGateway, config.shipping_gateway_url, "shipping_gateway_url", config)


def _built(adapter: type[Adapter], url: str | None, field: str, config: Settings) -> Adapter:
    return adapter(
        _required_url(url, field),
        timeout_seconds=config.gateway_timeout_seconds,
        attempts=config.gateway_attempts,
        breaker_fail_max=config.gateway_breaker_fail_max,
        breaker_reset_seconds=config.gateway_breaker_reset_seconds,
    )
