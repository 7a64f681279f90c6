"""The spans the local cloud's functions kept, and the waterfall of one conversation through them: what
`kiroku trace` prints and the console's trace page shows (GraphQL `trace`).

Every function of the local cloud appends its finished spans to `<log dir>/spans/<function>.jsonl` in
OpenTelemetry's own JSON (tracing.py). The spans that handled a message of the conversation name its
correlation id; their traces hold the rest (the GraphQL request that started it). A span that handled
another conversation's message, and what it caused, is left out: one GraphQL request may start several.
Spans are listed in causal order, depth first, each after the span that caused it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from shared.observability.tracing import (
    CAUSATION_ID,
    CORRELATION_ID,
    MESSAGE_ID,
    MESSAGE_KIND,
    MESSAGE_TYPE,
    SPAN_FILE_SUFFIX,
    SPANS_DIRECTORY,
)


class _SpanContext(BaseModel):
    trace_id: str
    span_id: str

    @field_validator("trace_id", "span_id", mode="after")
    @classmethod
    def _bare_hex(cls, value: str) -> str:
        return value.removeprefix("0x")


class _Resource(BaseModel):
    attributes: dict[str, Any] = {}


class _StoredSpan(BaseModel):
    """A line of a span file: what `ReadableSpan.to_json` writes (only the fields read here)."""

    model_config = ConfigDict(extra="ignore")

    name: str
    context: _SpanContext
    kind: str
    parent_id: str | None
    start_time: datetime
    end_time: datetime
    status: dict[str, str] = {}
    attributes: dict[str, Any] = {}
    resource: _Resource = _Resource()


@dataclass(frozen=True)
class Span:
    """One finished span, as the waterfall shows it."""

    trace_id: str
    span_id: str
    parent_id: str | None
    function: str
    name: str
    kind: str  # SERVER (a request), CONSUMER (a message), ...
    start: datetime
    end: datetime
    status: str
    attributes: dict[str, Any]

    @classmethod
    def parse(cls, line: str) -> Span:
        """A span file's line; ValueError when it is not one."""
        stored = _StoredSpan.model_validate_json(line)
        return cls(
            trace_id=stored.context.trace_id,
            span_id=stored.context.span_id,
            parent_id=stored.parent_id.removeprefix("0x") if stored.parent_id else None,
            function=str(stored.resource.attributes.get("service.name", "?")),
            name=stored.name,
            kind=stored.kind.removeprefix("SpanKind."),
            start=stored.start_time,
            end=stored.end_time,
            status=stored.status.get("status_code", "UNSET"),
            attributes=stored.attributes,
        )

    @property
    def correlation_id(self) -> str | None:
        return self.attributes.get(CORRELATION_ID)

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Placed:
    """A span in the waterfall: its depth below the conversation's first span and its start offset."""

    span: Span
    depth: int
    offset_seconds: float

    def as_json(self) -> dict[str, Any]:
        span = self.span
        return {
            "trace_id": span.trace_id,
            "span_id": span.span_id,
            "parent_id": span.parent_id,
            "function": span.function,
            "name": span.name,
            "kind": span.kind,
            "status": span.status,
            "start": span.start.isoformat(),
            "offset_ms": round(self.offset_seconds * 1000, 3),
            "duration_ms": round(span.seconds * 1000, 3),
            "depth": self.depth,
            "correlation_id": span.correlation_id,
            "causation_id": span.attributes.get(CAUSATION_ID),
            "message_id": span.attributes.get(MESSAGE_ID),
            "message_type": span.attributes.get(MESSAGE_TYPE),
            "message_kind": span.attributes.get(MESSAGE_KIND),
        }


def read_spans(log_dir: Path) -> list[Span]:
    """Every span the local cloud's functions wrote. A line that does not parse is skipped: the last line
    of a file may still be being written."""
    spans: list[Span] = []
    for path in sorted((log_dir / SPANS_DIRECTORY).glob(f"*{SPAN_FILE_SUFFIX}")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    spans.append(Span.parse(line))
                except ValidationError:
                    continue
    return spans


def waterfall(spans: Iterable[Span], correlation_id: str) -> list[Placed]:
    """The spans of the conversation `correlation_id` in causal order (each after its parent, siblings by
    start), with their depths and offsets from the first one's start; empty when no span names it."""
    spans = list(spans)
    traces = {span.trace_id for span in spans if span.correlation_id == correlation_id}
    chosen = {span.span_id: span for span in spans if span.trace_id in traces}
    if not chosen:
        return []
    children: defaultdict[str | None, list[Span]] = defaultdict(list)
    for span in chosen.values():
        children[span.parent_id if span.parent_id in chosen else None].append(span)
    origin = min(span.start for span in chosen.values())
    placed: list[Placed] = []

    def place(siblings: Sequence[Span], depth: int) -> None:
        for span in sorted(siblings, key=lambda span: (span.start, span.span_id)):
            if span.correlation_id not in (None, correlation_id):
                continue  # another conversation started by the same request
            placed.append(Placed(span, depth, (span.start - origin).total_seconds()))
            place(children[span.span_id], depth + 1)

    place(children[None], 0)
    return placed
