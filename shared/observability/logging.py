"""Structured JSON logs that Cloud Logging parses, with the message ids of the work in hand.

Uses google-cloud-logging's `StructuredLogHandler` (one JSON object per line on stdout: `severity`,
`message`, `logging.googleapis.com/labels`, `.../trace`, `.../spanId`). What it cannot know by itself is
which command or event a line belongs to, so `log_context()` binds correlation, causation and message ids
(and the trace) in a context variable, and the handler copies them onto every record logged inside it.
"""

from __future__ import annotations

import contextvars
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType
from typing import Any

from google.cloud.logging.handlers import StructuredLogHandler

_labels: contextvars.ContextVar[Mapping[str, str]] = contextvars.ContextVar(
    "kiroku_log_labels", default=MappingProxyType({})
)
_trace: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "kiroku_log_trace", default=None
)


@contextmanager
def log_context(*, trace: tuple[str, str] | None = None, **labels: str | None) -> Iterator[None]:
    """Attach `labels` (and an optional `(trace_id, span_id)`) to every log record written inside."""
    merged = {**_labels.get(), **{key: value for key, value in labels.items() if value is not None}}
    labels_token = _labels.set(merged)
    trace_token = _trace.set(trace) if trace is not None else None
    try:
        yield
    finally:
        _labels.reset(labels_token)
        if trace_token is not None:
            _trace.reset(trace_token)


class _ContextualStructuredLogHandler(StructuredLogHandler):
    """A `StructuredLogHandler` that adds the bound labels and trace before Cloud Logging's filter runs."""

    def __init__(self, project_id: str, stream: Any) -> None:
        super().__init__(project_id=project_id, stream=stream)  # type: ignore[no-untyped-call]
        self._project_id = project_id

    def filter(self, record: logging.LogRecord) -> bool:
        bound = _labels.get()
        if bound:
            record.labels = {**bound, **getattr(record, "labels", {})}
        trace = _trace.get()
        if trace is not None and not getattr(record, "trace", None):
            record.trace = f"projects/{self._project_id}/traces/{trace[0]}"
            record.span_id = trace[1]
            record.trace_sampled = True  # every span is recorded and exported (tracing.py)
        return bool(super().filter(record))


def configure_logging(project_id: str, level: str = "INFO", stream: Any = None) -> None:
    """Route the root logger to one structured JSON handler (idempotent: a second call replaces it)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _ContextualStructuredLogHandler):
            root.removeHandler(handler)
    root.addHandler(_ContextualStructuredLogHandler(project_id, stream if stream is not None else sys.stdout))
    root.setLevel(level)
