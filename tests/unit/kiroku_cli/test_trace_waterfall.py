"""`kiroku trace` without a cloud: span files written by OpenTelemetry's own exporter the way the local
cloud's functions write them (one file per function), read back into a conversation's waterfall.

The conversation: a GraphQL request places two orders; function `place-order` handles both commands and
`project-orders` the first order's event. The second order is another conversation, so its spans are
not the first's, though they share its trace.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from rich.console import Console
from typer.testing import CliRunner

from kiroku_cli.main import app
from kiroku_cli.trace import render
from shared.config import Settings
from shared.observability.spans import Span, read_spans, waterfall
from shared.observability.tracing import (
    CAUSATION_ID,
    CORRELATION_ID,
    MESSAGE_ID,
    MESSAGE_KIND,
    MESSAGE_TYPE,
    span_exporter,
    span_file,
)

FIRST, SECOND = "order-command-1", "order-command-2"


class Functions:
    """A tracer per function of a local cloud whose log directory is `log_dir`, each writing its file."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.providers: dict[str, TracerProvider] = {}

    def tracer(self, function: str) -> trace.Tracer:
        if function not in self.providers:
            config = Settings(trace_export="file", trace_file=span_file(self.log_dir, function))
            exporter = span_exporter(config)
            assert exporter is not None
            provider = TracerProvider(resource=Resource.create({"service.name": function}))
            provider.add_span_processor(SimpleSpanProcessor(exporter))
            self.providers[function] = provider
        return self.providers[function].get_tracer("test")

    @contextmanager
    def handling(
        self, function: str, kind: str, message: str, correlation: str, cause: str
    ) -> Iterator[None]:
        attributes = {
            CORRELATION_ID: correlation,
            CAUSATION_ID: cause,
            MESSAGE_ID: message,
            MESSAGE_TYPE: message.split("-")[0],
            MESSAGE_KIND: kind,
        }
        with self.tracer(function).start_as_current_span(
            f"{function} {attributes[MESSAGE_TYPE]}", kind=trace.SpanKind.CONSUMER, attributes=attributes
        ):
            time.sleep(0.002)  # spans a measurable time apart, so their order is their start's
            yield

    def shutdown(self) -> None:
        for provider in self.providers.values():
            provider.shutdown()


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    """Spans of two orders placed by one GraphQL request, and of an unrelated one."""
    functions = Functions(tmp_path / "logs")
    graphql = functions.tracer("graphql")
    with graphql.start_as_current_span("graphql POST /graphql", kind=trace.SpanKind.SERVER):
        with (
            functions.handling("place-order", "command", f"PlaceOrder-{FIRST}", FIRST, FIRST),
            functions.handling("project-orders", "event", "OrderPlaced-1", FIRST, f"PlaceOrder-{FIRST}"),
        ):
            pass
        with functions.handling("place-order", "command", f"PlaceOrder-{SECOND}", SECOND, SECOND):
            pass
    with functions.handling("place-order", "command", "PlaceOrder-other", "other", "other"):
        pass
    functions.shutdown()
    return tmp_path / "logs"


def test_a_conversations_spans_in_causal_order_with_the_request_that_started_it(log_dir: Path) -> None:
    placed = waterfall(read_spans(log_dir), FIRST)

    assert [(entry.span.function, entry.depth) for entry in placed] == [
        ("graphql", 0),
        ("place-order", 1),
        ("project-orders", 2),
    ]
    root, command, event = (entry.span for entry in placed)
    assert command.parent_id == root.span_id
    assert event.parent_id == command.span_id
    assert {span.trace_id for span in (root, command, event)} == {root.trace_id}
    assert (root.kind, command.kind) == ("SERVER", "CONSUMER")
    assert placed[0].offset_seconds == 0.0
    assert 0 < placed[1].offset_seconds < placed[2].offset_seconds
    assert command.seconds > event.seconds > 0
    assert [entry.as_json()["message_type"] for entry in placed] == [None, "PlaceOrder", "OrderPlaced"]


def test_no_span_names_an_unknown_conversation(log_dir: Path) -> None:
    assert waterfall(read_spans(log_dir), "no-such-correlation") == []


def test_a_line_still_being_written_is_skipped(log_dir: Path) -> None:
    with span_file(log_dir, "place-order").open("a") as out:
        out.write('{"name": "place-order Pla')
    assert len(read_spans(log_dir)) == 5


def test_a_span_parses_from_the_sdks_json() -> None:
    line = json.dumps(
        {
            "name": "saga-on-order OrderPlaced",
            "context": {"trace_id": "0x" + "a" * 32, "span_id": "0x" + "b" * 16, "trace_state": "[]"},
            "kind": "SpanKind.CONSUMER",
            "parent_id": "0x" + "c" * 16,
            "start_time": "2026-12-01T11:15:11.322634Z",
            "end_time": "2026-12-01T11:15:11.342634Z",
            "status": {"status_code": "ERROR", "description": "boom"},
            "attributes": {CORRELATION_ID: "c-1"},
            "events": [],
            "links": [],
            "resource": {"attributes": {"service.name": "saga-on-order"}, "schema_url": ""},
        }
    )
    span = Span.parse(line)
    assert (span.trace_id, span.span_id, span.parent_id) == ("a" * 32, "b" * 16, "c" * 16)
    assert (span.function, span.kind, span.status, span.correlation_id) == (
        "saga-on-order",
        "CONSUMER",
        "ERROR",
        "c-1",
    )
    assert span.seconds == pytest.approx(0.02)


def test_the_waterfall_indents_each_hop_under_its_cause_with_a_bar(log_dir: Path) -> None:
    placed = waterfall(read_spans(log_dir), FIRST)
    console = Console(width=120, record=True)
    console.print(render(FIRST, placed))
    lines = console.export_text().splitlines()

    assert lines[0].startswith(f"trace of {FIRST}: 3 spans in ")
    rows = [line for line in lines if "█" in line or "▏" in line or "▌" in line]
    assert [row.split("│")[1].rstrip() for row in rows] == [
        " graphql POST /graphql",
        "   place-order PlaceOrder",
        "     project-orders OrderPlaced",
    ]


def test_the_command_reads_the_stacks_span_files(log_dir: Path) -> None:
    state_dir = log_dir.parent
    (state_dir / "stack.json").write_text(json.dumps({"environment": {}, "functions": {}}))
    runner = CliRunner()

    shown = runner.invoke(app, ["--state-dir", str(state_dir), "trace", FIRST, "--json"])
    assert shown.exit_code == 0, shown.output
    functions = [span["function"] for span in json.loads(shown.stdout)]
    assert functions == ["graphql", "place-order", "project-orders"]

    assert runner.invoke(app, ["--state-dir", str(state_dir), "trace", "no-such-correlation"]).exit_code == 1
    deployed = runner.invoke(app, ["--project", "kiroku-prod", "trace", FIRST])
    assert deployed.exit_code == 2
    assert "Cloud Trace" in deployed.output
