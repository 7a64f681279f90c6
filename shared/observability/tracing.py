"""OpenTelemetry tracing across Pub/Sub hops, and where the finished spans go.

Each envelope carries the W3C `traceparent` of the span that produced it; a function that receives it
opens its own span as a child, and the messages it sends carry that span in turn, so one trace follows a
request from the GraphQL call through every command, event and saga step, each span the child of the
hop that caused it; inside a hop, the steps that wait on something else (the event-store append, each
gateway request) have spans of their own. Every span names the function that made it, and a hop's span
carries the message's ids, so a trace can be found from a correlation id alone.

Where spans go is one setting (`Settings.span_destination`): Cloud Trace in the cloud, through Google's
OpenTelemetry exporter; locally a JSON-lines file per function in the local cloud's log directory, in
OpenTelemetry's own JSON (`ReadableSpan.to_json`), which `kiroku trace` reads (kiroku_cli/trace.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.config import Settings, settings
from shared.messages.envelope import Envelope, TraceContext

# The local cloud's span files: `<log dir>/spans/<function>.jsonl`.
SPANS_DIRECTORY = "spans"
SPAN_FILE_SUFFIX = ".jsonl"
# Span attributes naming the message a span handled (`kiroku trace` finds a conversation by them).
CORRELATION_ID = "kiroku.correlation_id"
CAUSATION_ID = "kiroku.causation_id"
MESSAGE_ID = "kiroku.message_id"
MESSAGE_TYPE = "kiroku.message_type"
MESSAGE_KIND = "kiroku.message_kind"
# Locally spans are written within this long of ending, so a test or `kiroku trace` sees them at once.
_FILE_EXPORT_DELAY_MILLIS = 100

_propagator = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("kiroku")


def cloud_trace_url(project_id: str) -> str:
    """Cloud Trace's list of a project's traces (filter it by the label `kiroku.correlation_id:ID`)."""
    return f"https://console.cloud.google.com/traces/list?project={project_id}"


def span_file(log_dir: Path, function_name: str) -> Path:
    """Where the local cloud's function `function_name` writes its spans."""
    return log_dir / SPANS_DIRECTORY / f"{function_name}{SPAN_FILE_SUFFIX}"


def span_exporter(config: Settings) -> SpanExporter | None:
    """Where this process's finished spans go, as the settings choose (None: kept nowhere)."""
    destination = config.span_destination
    if destination == "cloud-trace":
        # Imported here: only a deployed function loads the Cloud Trace client (grpc, google-auth).
        from opentelemetry.exporter.cloud_trace import CloudTraceSpanExporter

        # service.name (the function) becomes a label, so Cloud Trace can filter spans by function.
        return CloudTraceSpanExporter(  # type: ignore[no-untyped-call]
            config.project_id, resource_regex=re.compile(r"^service\.name$")
        )
    if destination == "file" and config.trace_file is not None:
        config.trace_file.parent.mkdir(parents=True, exist_ok=True)
        # One process per function writes the file, one line per span, from its batch processor's thread.
        out = config.trace_file.open("a", encoding="utf-8")
        return ConsoleSpanExporter(out=out, formatter=lambda span: span.to_json(indent=None) + "\n")
    return None


def configure_tracing() -> None:
    """Install the SDK tracer provider once, named for this function and exporting as its settings say
    (idempotent: a second call changes nothing)."""
    config = settings()
    if isinstance(trace.get_tracer_provider(), TracerProvider) or not config.telemetry:
        return
    resource = Resource.create({"service.name": config.function_name, "service.version": config.version})
    # Every span is recorded: a hop must not drop out of a trace because a caller's header said unsampled.
    provider = TracerProvider(resource=resource, sampler=ALWAYS_ON)
    exporter = span_exporter(config)
    if exporter is not None:
        # Cloud Trace gets the SDK's default batching (None: every 5 s).
        delay = _FILE_EXPORT_DELAY_MILLIS if config.span_destination == "file" else None
        provider.add_span_processor(BatchSpanProcessor(exporter, schedule_delay_millis=delay))
    trace.set_tracer_provider(provider)


def current_trace_context() -> TraceContext:
    """The trace context of the active span, to stamp on an outgoing message."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return TraceContext(traceparent=carrier.get("traceparent"), tracestate=carrier.get("tracestate"))


def continued_trace(cause: TraceContext) -> TraceContext:
    """The trace context for a message caused by another: the span handling the cause when there is one
    (so the next hop is its child), else the cause's own (a replay or a tool outside any span)."""
    if trace.get_current_span().get_span_context().is_valid:
        return current_trace_context()
    return cause


def _ids(span: trace.Span) -> tuple[str, str]:
    context = span.get_span_context()
    return trace.format_trace_id(context.trace_id), trace.format_span_id(context.span_id)


@contextmanager
def message_span(envelope: Envelope, pubsub_message_id: str) -> Iterator[tuple[str, str]]:
    """A span for handling one received message, child of its sender's; yields (trace id, span id)."""
    carrier = {key: value for key, value in envelope.trace.model_dump().items() if value}
    attributes = {
        CORRELATION_ID: envelope.correlation_id,
        CAUSATION_ID: envelope.causation_id,
        MESSAGE_ID: envelope.id,
        MESSAGE_TYPE: envelope.type,
        MESSAGE_KIND: envelope.kind,
        "messaging.system": "gcp_pubsub",
        "messaging.message.id": pubsub_message_id,
    }
    with _tracer.start_as_current_span(
        f"{settings().function_name} {envelope.type}",
        context=_propagator.extract(carrier),
        kind=trace.SpanKind.CONSUMER,
        attributes=attributes,
    ) as span:
        yield _ids(span)


@contextmanager
def step_span(name: str, **attributes: str | int) -> Iterator[None]:
    """A span for one step of a hop that may take its time (an event-store append, a gateway request),
    the hop's child; an exception that ends it marks it failed."""
    with _tracer.start_as_current_span(f"{settings().function_name} {name}", attributes=attributes):
        yield


@contextmanager
def request_span(method: str, path: str, headers: Iterable[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """A span for serving one HTTP request, child of the caller's `traceparent` when it sends one (Cloud
    Run's request span in the cloud); yields (trace id, span id)."""
    with _tracer.start_as_current_span(
        f"{settings().function_name} {method} {path}",
        context=_propagator.extract({name.lower(): value for name, value in headers}),
        kind=trace.SpanKind.SERVER,
        attributes={"http.request.method": method, "url.path": path},
    ) as span:
        yield _ids(span)
