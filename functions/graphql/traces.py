"""A conversation's trace for the operations console: the waterfall of the spans the local cloud kept
(shared/observability/spans.py, as `kiroku trace` prints it), or, where spans go to Cloud Trace, the link
that finds them there."""

from __future__ import annotations

from typing import Annotated

import strawberry

from functions.graphql.results import described_field, looked_up_id
from shared.config import settings
from shared.observability.spans import Placed, read_spans, waterfall
from shared.observability.tracing import CAUSATION_ID, MESSAGE_ID, MESSAGE_KIND, MESSAGE_TYPE, cloud_trace_url

# The most spans a trace answers (an order's conversation has about a hundred).
MAX_TRACE_SPANS = 300


@strawberry.type(description="A span of a conversation, placed in its waterfall.")
class TraceSpan:
    span_id: str = strawberry.field(description="The span's id (hex).")
    parent_id: str | None = strawberry.field(description="The span that caused it; null for the first.")
    function: str = strawberry.field(description="The function that made it.")
    name: str = strawberry.field(description="What it did: `<function> <message type>`, or a step's name.")
    kind: str = strawberry.field(description="SERVER (a request), CONSUMER (a message), INTERNAL (a step).")
    status: str = strawberry.field(description="UNSET, OK or ERROR.")
    offset_ms: float = strawberry.field(description="When it started, after the conversation's first span.")
    duration_ms: float = strawberry.field(description="How long it ran.")
    depth: int = strawberry.field(description="How far below the first span it is caused.")
    message_type: str | None = strawberry.field(description="The command or event it handled, if any.")
    message_kind: str | None = strawberry.field(description="What it handled: a command or an event.")
    message_id: str | None = strawberry.field(description="The id of the message it handled, if any.")
    causation_id: str | None = strawberry.field(description="The id of what caused that message.")

    @classmethod
    def of(cls, placed: Placed) -> TraceSpan:
        span = placed.span
        return cls(
            span_id=span.span_id,
            parent_id=span.parent_id,
            function=span.function,
            name=span.name,
            kind=span.kind,
            status=span.status,
            offset_ms=round(placed.offset_seconds * 1000, 3),
            duration_ms=round(span.seconds * 1000, 3),
            depth=placed.depth,
            message_type=span.attributes.get(MESSAGE_TYPE),
            message_kind=span.attributes.get(MESSAGE_KIND),
            message_id=span.attributes.get(MESSAGE_ID),
            causation_id=span.attributes.get(CAUSATION_ID),
        )


@strawberry.type(description="Where a conversation's spans are, and (kept locally) its waterfall.")
class ConversationTrace:
    correlation_id: strawberry.ID = strawberry.field(description="The conversation's correlation id.")
    kept: str = strawberry.field(
        description="Where this environment keeps spans: `local` (the spans below), `cloud-trace` (see "
        "`url`) or `none`."
    )
    url: str | None = strawberry.field(
        description="Where spans go to Cloud Trace, its trace list (filter it by the label "
        "`kiroku.correlation_id:<correlation id>`); null otherwise."
    )
    spans: list[TraceSpan] = strawberry.field(
        description=f"The conversation's spans in causal order, each after the span that caused it (the "
        f"first {MAX_TRACE_SPANS}); empty unless kept locally, or when no span names the conversation."
    )


@strawberry.type
class TraceQuery:
    @described_field(
        "A conversation's trace by its correlation id (an order's is its placeOrder commandId, shown on "
        "each of its events by `eventHistory`): locally the waterfall of the spans every function kept, "
        "in the cloud the link to them in Cloud Trace. Admins only."
    )
    def trace(
        self,
        correlation_id: Annotated[
            strawberry.ID, strawberry.argument(description="The conversation's correlation id.")
        ],
    ) -> ConversationTrace:
        config = settings()
        wanted = looked_up_id(correlation_id, "correlationId")
        kept = config.span_destination
        if kept == "file" and config.trace_file is not None:
            # The local cloud's span files lie beside this function's own (tracing.span_file).
            placed = waterfall(read_spans(config.trace_file.parent.parent), wanted)
            spans = [TraceSpan.of(entry) for entry in placed[:MAX_TRACE_SPANS]]
            return ConversationTrace(
                correlation_id=strawberry.ID(wanted), kept="local", url=None, spans=spans
            )
        if kept == "cloud-trace":
            return ConversationTrace(
                correlation_id=strawberry.ID(wanted),
                kept="cloud-trace",
                url=cloud_trace_url(config.project_id),
                spans=[],
            )
        return ConversationTrace(correlation_id=strawberry.ID(wanted), kept="none", url=None, spans=[])
