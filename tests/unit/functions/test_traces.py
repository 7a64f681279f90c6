"""Where the `trace` field finds a conversation's spans, as each environment keeps them: the local cloud's
span files read into the waterfall; Cloud Trace's link where spans go there; nothing where none are kept."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import strawberry

from functions.graphql.traces import TraceQuery
from shared.config import settings
from shared.observability.tracing import CORRELATION_ID, MESSAGE_TYPE, span_file

QUERY = '{ trace(correlationId: "order-1") { kept url spans { function messageType depth offsetMs } } }'
SCHEMA = strawberry.Schema(query=TraceQuery)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings read anew from the variables each test sets."""
    monkeypatch.setenv("KIROKU_PROJECT_ID", "kiroku-unit")
    settings.cache_clear()
    yield monkeypatch
    settings.cache_clear()


def _span(span_id: str, parent: str | None, function: str, start: str, **attributes: str) -> str:
    return json.dumps(
        {
            "name": f"{function} span",
            "context": {"trace_id": "0xabc", "span_id": f"0x{span_id}"},
            "kind": "SpanKind.CONSUMER",
            "parent_id": f"0x{parent}" if parent else None,
            "start_time": f"2026-12-01T10:00:0{start}Z",
            "end_time": f"2026-12-01T10:00:0{start}.5Z",
            "attributes": attributes,
            "resource": {"attributes": {"service.name": function}},
        }
    )


def test_locally_the_spans_every_function_kept_are_the_waterfall(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    own = span_file(tmp_path, "graphql")
    own.parent.mkdir(parents=True)
    own.write_text(_span("01", None, "graphql", "0") + "\n")
    span_file(tmp_path, "place-order").write_text(
        _span("02", "01", "place-order", "1", **{CORRELATION_ID: "order-1", MESSAGE_TYPE: "PlaceOrder"})
        + "\n"
    )
    environment.setenv("KIROKU_TRACE_EXPORT", "file")
    environment.setenv("KIROKU_TRACE_FILE", str(own))
    result = SCHEMA.execute_sync(QUERY)
    assert result.errors is None
    assert result.data == {
        "trace": {
            "kept": "local",
            "url": None,
            "spans": [
                {"function": "graphql", "messageType": None, "depth": 0, "offsetMs": 0.0},
                {"function": "place-order", "messageType": "PlaceOrder", "depth": 1, "offsetMs": 1000.0},
            ],
        }
    }


def test_where_spans_go_to_cloud_trace_the_trace_is_a_link(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("KIROKU_ENVIRONMENT", "dev")
    result = SCHEMA.execute_sync(QUERY)
    assert result.data == {
        "trace": {
            "kept": "cloud-trace",
            "url": "https://console.cloud.google.com/traces/list?project=kiroku-unit",
            "spans": [],
        }
    }


def test_where_no_span_is_kept_the_trace_says_so(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("KIROKU_TRACE_EXPORT", "none")
    result = SCHEMA.execute_sync(QUERY)
    assert result.data == {"trace": {"kept": "none", "url": None, "spans": []}}
