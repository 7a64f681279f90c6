"""Where spans go, and what a hop's span says: the destination each environment gets, a function's cold
start writing its spans to the file the local cloud names (checked in a fresh interpreter, as a function
starts), and a message's span parented on its sender and parenting what it causes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.exporter.cloud_trace import CloudTraceSpanExporter
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pydantic import ValidationError

from shared.config import Settings
from shared.messages.envelope import Envelope, TraceContext
from shared.observability.tracing import (
    CAUSATION_ID,
    CORRELATION_ID,
    MESSAGE_ID,
    MESSAGE_TYPE,
    configure_tracing,
    continued_trace,
    message_span,
    request_span,
    span_exporter,
    span_file,
    step_span,
)

ROOT = Path(__file__).resolve().parents[3]
SENDER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_the_cloud_exports_to_cloud_trace_and_elsewhere_nothing_unless_asked() -> None:
    assert Settings(environment="dev").span_destination == "cloud-trace"
    assert Settings(environment="prod").span_destination == "cloud-trace"
    assert Settings(environment="local").span_destination == "none"
    assert Settings(environment="dev", trace_export="none").span_destination == "none"
    assert span_exporter(Settings()) is None
    with pytest.raises(ValidationError, match="KIROKU_TRACE_FILE"):
        Settings(trace_export="file")


def test_cloud_trace_gets_the_projects_spans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Credentials that load without a network; nothing is sent.
    credentials = tmp_path / "adc.json"
    credentials.write_text(
        json.dumps({"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r"})
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(credentials))
    exporter = span_exporter(Settings(environment="prod", project_id="kiroku-prod"))
    assert isinstance(exporter, CloudTraceSpanExporter)
    assert exporter.project_id == "kiroku-prod"


def _cold_start(probe: str, written: Path, **settings: str) -> subprocess.CompletedProcess[bytes]:
    """Runs `probe` in a fresh interpreter as the place-order function starts, its spans to `written`."""
    environment = {
        **os.environ,
        "K_SERVICE": "place-order",
        "KIROKU_TRACE_EXPORT": "file",
        "KIROKU_TRACE_FILE": str(written),
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=environment, check=True, timeout=120, capture_output=True
    )


def test_a_cold_start_writes_the_functions_spans_to_its_file(tmp_path: Path) -> None:
    written = span_file(tmp_path, "place-order")
    probe = (
        "import functions.main\n"
        "from opentelemetry import trace\n"
        "from shared.messages.envelope import Envelope\n"
        "from shared.observability.tracing import message_span\n"
        "command = Envelope.originate(kind='command', type='PlaceOrder', aggregate_type='Order',"
        " aggregate_id='o-1')\n"
        "with message_span(command, 'pubsub-1'):\n"
        "    pass\n"
        "trace.get_tracer_provider().shutdown()\n"
    )
    _cold_start(probe, written)
    [line] = written.read_text().splitlines()
    span = json.loads(line)
    assert span["name"] == "place-order PlaceOrder"
    assert span["resource"]["attributes"]["service.name"] == "place-order"
    assert span["attributes"][MESSAGE_TYPE] == "PlaceOrder"


def test_with_telemetry_off_a_function_records_no_span_and_logs_no_measurement(tmp_path: Path) -> None:
    written = span_file(tmp_path, "place-order")
    probe = (
        "import functions.main, logging\n"
        "from opentelemetry import trace\n"
        "from shared.messages.envelope import Envelope\n"
        "from shared.observability.log_metrics import CIRCUIT_CHANGED, GRAPHQL_REQUEST\n"
        "from shared.observability.tracing import current_trace_context, message_span\n"
        "command = Envelope.originate(kind='command', type='PlaceOrder', aggregate_type='Order',"
        " aggregate_id='o-1', trace={'traceparent': '" + SENDER + "'})\n"
        "with message_span(command, 'pubsub-1'):\n"
        "    print('sent', current_trace_context().traceparent)\n"
        "GRAPHQL_REQUEST.record('graphql request: ok', outcome='ok')\n"
        "CIRCUIT_CHANGED.record('payment circuit: closed -> open', level=logging.WARNING, gateway='payment',"
        " state='open')\n"
    )
    ran = _cold_start(probe, written, KIROKU_TELEMETRY="false")
    assert not written.exists()
    # The trace still passes through: what the hop sends is in its sender's trace.
    assert f"sent {SENDER}" in ran.stdout.decode()
    lines = [json.loads(line) for line in ran.stdout.decode().splitlines() if line.startswith("{")]
    assert not [line for line in lines if "measurement" in line]
    assert [line["message"] for line in lines if line.get("severity") == "WARNING"] == [
        "payment circuit: closed -> open"
    ]


@pytest.fixture
def finished() -> Iterator[InMemorySpanExporter]:
    """The spans this process's tracer provider finishes while the test runs."""
    configure_tracing()
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()


def _hex(span: ReadableSpan) -> tuple[str, str]:
    assert span.context is not None
    return trace.format_trace_id(span.context.trace_id), trace.format_span_id(span.context.span_id)


def test_a_messages_span_is_its_senders_child_and_parents_what_it_causes(
    finished: InMemorySpanExporter,
) -> None:
    command = Envelope.originate(
        kind="command",
        type="PlaceOrder",
        aggregate_type="Order",
        aggregate_id="o-1",
        trace=TraceContext(traceparent=SENDER),
    )
    with message_span(command, "pubsub-7") as ids:
        event = command.caused(
            kind="event",
            type="OrderPlaced",
            aggregate_type="Order",
            aggregate_id="o-1",
            aggregate_version=1,
            trace=continued_trace(command.trace),
        )
    [span] = finished.get_finished_spans()
    assert _hex(span) == ids
    assert ids[0] == SENDER.split("-")[1]
    assert span.parent is not None
    assert trace.format_span_id(span.parent.span_id) == SENDER.split("-")[2]
    assert span.kind == trace.SpanKind.CONSUMER
    assert dict(span.attributes or {}) == {
        CORRELATION_ID: command.id,
        CAUSATION_ID: command.id,
        MESSAGE_ID: command.id,
        MESSAGE_TYPE: "PlaceOrder",
        "kiroku.message_kind": "command",
        "messaging.system": "gcp_pubsub",
        "messaging.message.id": "pubsub-7",
    }
    assert event.trace.traceparent == f"00-{ids[0]}-{ids[1]}-01"


def test_outside_any_span_a_caused_message_keeps_its_causes_trace() -> None:
    cause = TraceContext(traceparent=SENDER, tracestate="k=v")
    assert continued_trace(cause) == cause


def test_a_requests_span_joins_the_callers_trace_whatever_the_header_case(
    finished: InMemorySpanExporter,
) -> None:
    with request_span("POST", "/graphql", [("Traceparent", SENDER)]) as ids:
        pass
    [span] = finished.get_finished_spans()
    assert ids[0] == SENDER.split("-")[1]
    assert span.kind == trace.SpanKind.SERVER
    assert span.name.endswith(" POST /graphql")


def test_a_step_is_its_hops_child_and_fails_with_it(finished: InMemorySpanExporter) -> None:
    command = Envelope.originate(
        kind="command", type="ShipOrder", aggregate_type="Shipment", aggregate_id="s-1"
    )
    with (
        pytest.raises(ConnectionError),
        message_span(command, "pubsub-8") as ids,
        step_span("shipping ship", attempt=1),
    ):
        raise ConnectionError("the gateway hung up")
    step, hop = finished.get_finished_spans()
    assert step.parent is not None
    assert trace.format_span_id(step.parent.span_id) == ids[1]
    assert step.name.endswith(" shipping ship")
    assert dict(step.attributes or {}) == {"attempt": 1}
    assert step.status.status_code == StatusCode.ERROR
    assert hop.status.status_code == StatusCode.ERROR
