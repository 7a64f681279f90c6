"""The push entry point: what Pub/Sub sends in, what it gets back, and the logs it writes."""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import flask
import pytest
from prometheus_client import REGISTRY

from shared.bus.manifest import running_function
from shared.bus.push import Delivery, push_entry_point
from shared.config import settings
from shared.messages.envelope import Envelope
from shared.observability.logging import configure_logging

app = flask.Flask(__name__)
ENVELOPE = Envelope.originate(kind="event", type="Pinged", aggregate_type="Test", aggregate_id="a-1")


def _push_body(data: bytes, **extra: Any) -> dict[str, Any]:
    return {
        "message": {
            "data": base64.b64encode(data).decode(),
            "attributes": ENVELOPE.attributes(),
            "messageId": "m-1",
            "publishTime": "2026-11-23T10:00:00.123Z",
            "orderingKey": "a-1",
        },
        "subscription": "projects/p/subscriptions/s",
        **extra,
    }


def _call(handler: Any, body: dict[str, Any] | bytes) -> flask.Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with app.test_request_context("/", method="POST", data=raw, content_type="application/json"):
        response: flask.Response = push_entry_point(handler)(flask.request)
        return response


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("kiroku-test", stream=stream)
    yield stream
    logging.getLogger().handlers.clear()


def test_a_push_request_reaches_the_handler_and_is_acked() -> None:
    received: list[tuple[Envelope, Delivery]] = []
    response = _call(
        lambda envelope, delivery: received.append((envelope, delivery)),
        _push_body(ENVELOPE.to_data(), deliveryAttempt=3),
    )
    assert response.status_code == 204
    [(envelope, delivery)] = received
    assert envelope == ENVELOPE
    assert delivery.message_id == "m-1"
    assert delivery.delivery_attempt == 3
    assert delivery.ordering_key == "a-1"


def test_a_failing_handler_nacks_and_logs_with_the_message_ids(log_stream: io.StringIO) -> None:
    def fail(envelope: Envelope, delivery: Delivery) -> None:
        raise RuntimeError("database unavailable")

    response = _call(fail, _push_body(ENVELOPE.to_data()))

    assert response.status_code == 500
    lines = [json.loads(raw) for raw in log_stream.getvalue().splitlines()]
    [line] = [line for line in lines if line.get("severity") == "ERROR"]
    labels = line["logging.googleapis.com/labels"]
    assert labels["correlation_id"] == ENVELOPE.correlation_id
    assert labels["causation_id"] == ENVELOPE.causation_id
    assert labels["pubsub_message_id"] == "m-1"
    assert line["logging.googleapis.com/trace"].startswith("projects/kiroku-test/traces/")
    assert "database unavailable" in line["message"]


@pytest.mark.parametrize(
    "body",
    [b"not json", {"message": {"data": "%%%"}, "subscription": "s"}, _push_body(b"not an envelope")],
)
def test_a_request_that_can_never_succeed_is_answered_400(body: dict[str, Any] | bytes) -> None:
    called: list[Envelope] = []
    response = _call(lambda envelope, delivery: called.append(envelope), body)
    assert response.status_code == 400
    assert called == []


@pytest.fixture
def saga_on_payment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process serves the manifest's saga-on-payment: 5 delivery attempts, then dead letters."""
    monkeypatch.setenv("KIROKU_FUNCTION_NAME", "saga-on-payment")
    settings.cache_clear()
    running_function.cache_clear()
    yield
    settings.cache_clear()
    running_function.cache_clear()


def _dead_lettered(function: str, message_type: str) -> float:
    value = REGISTRY.get_sample_value(
        "kiroku_dead_lettered_total", {"function": function, "type": message_type}
    )
    return value or 0.0


@pytest.mark.usefixtures("saga_on_payment")
@pytest.mark.parametrize("data", [ENVELOPE.to_data(), b"not an envelope"])
def test_a_nack_on_the_last_attempt_is_measured_as_dead_lettered(
    log_stream: io.StringIO, data: bytes
) -> None:
    def fail(envelope: Envelope, delivery: Delivery) -> None:
        raise RuntimeError("still broken")

    before = _dead_lettered("saga-on-payment", "Pinged")
    for attempt in (1, 4):
        assert _call(fail, _push_body(data, deliveryAttempt=attempt)).status_code >= 400
    assert _dead_lettered("saga-on-payment", "Pinged") == before, "Pub/Sub delivers it again"
    handled = _call(lambda envelope, delivery: None, _push_body(ENVELOPE.to_data(), deliveryAttempt=5))
    assert handled.status_code == 204

    assert _call(fail, _push_body(data, deliveryAttempt=5)).status_code >= 400

    assert _dead_lettered("saga-on-payment", "Pinged") == before + 1
    lines = [json.loads(raw) for raw in log_stream.getvalue().splitlines()]
    [line] = [line for line in lines if line.get("measurement") == "dead_lettered"]
    assert (line["function"], line["type"], line["severity"]) == ("saga-on-payment", "Pinged", "WARNING")


def test_a_process_serving_no_manifest_function_measures_no_dead_letter() -> None:
    before = _dead_lettered("saga-on-payment", "Pinged")
    response = _call(lambda envelope, delivery: None, _push_body(b"not an envelope", deliveryAttempt=99))
    assert response.status_code == 400
    assert _dead_lettered("saga-on-payment", "Pinged") == before
