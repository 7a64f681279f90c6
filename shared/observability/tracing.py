"""OpenTelemetry tracing across Pub/Sub hops.

Each envelope carries the W3C `traceparent` of the span that produced it; a function that receives it
opens its own span as a child, so one trace follows a request from the GraphQL call through every
command, event and saga step. Exporting spans (to Cloud Trace) is the deploy's choice; locally spans are
made and propagated but not exported unless an exporter is configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.messages.envelope import TraceContext

_propagator = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("kiroku")


def configure_tracing() -> None:
    """Install the SDK tracer provider once, so spans get their own ids (idempotent)."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(TracerProvider())


def current_trace_context() -> TraceContext:
    """The trace context of the active span, to stamp on an outgoing message."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return TraceContext(traceparent=carrier.get("traceparent"), tracestate=carrier.get("tracestate"))


@contextmanager
def consumer_span(name: str, parent: TraceContext, **attributes: str) -> Iterator[tuple[str, str]]:
    """A span for handling one received message, child of the sender's; yields (trace id, span id)."""
    carrier = {key: value for key, value in parent.model_dump().items() if value}
    parent_context = _propagator.extract(carrier)
    with _tracer.start_as_current_span(
        name, context=parent_context, kind=trace.SpanKind.CONSUMER, attributes=attributes
    ) as span:
        span_context = span.get_span_context()
        yield format(span_context.trace_id, "032x"), format(span_context.span_id, "016x")
