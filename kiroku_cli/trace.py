"""`kiroku trace CORRELATION_ID`: the waterfall of one conversation (an order, a catalogue change), from
the spans the local cloud's functions kept (shared/observability/spans.py), as a table in the terminal.

A deployed environment's spans are in Cloud Trace, which this command points to.
"""

from __future__ import annotations

from collections.abc import Sequence

import typer
from rich.bar import Bar
from rich.table import Table
from rich.text import Text

from kiroku_cli.acting import acting
from kiroku_cli.output import PROBLEM, CorrelationIdArgument, JsonOption, console, emit_json, fail
from shared.observability.spans import Placed, read_spans, waterfall
from shared.observability.tracing import CORRELATION_ID, MESSAGE_TYPE, cloud_trace_url

BAR_WIDTH = 32


def render(correlation_id: str, placed: Sequence[Placed]) -> Table:
    """The waterfall as a table: each span indented under its parent, when it started, how long it ran,
    and a bar of that stretch on the conversation's time line."""
    total = max((entry.offset_seconds + entry.span.seconds for entry in placed), default=0.0)
    shown = Table(
        title=f"trace of {correlation_id}: {len(placed)} spans in {total * 1000:.1f} ms",
        title_justify="left",
    )
    # On a narrow terminal the labels give way (cut short, each on its line), not the numbers or bars.
    shown.add_column("function and message")
    shown.add_column("start ms", justify="right", no_wrap=True)
    shown.add_column("ms", justify="right", no_wrap=True)
    shown.add_column("", width=BAR_WIDTH, no_wrap=True)
    for entry in placed:
        span = entry.span
        what = span.attributes.get(MESSAGE_TYPE) or span.name.removeprefix(f"{span.function} ")
        label = Text("  " * entry.depth, no_wrap=True, overflow="ellipsis")
        label.append(span.function, style="bold")
        label.append(f" {what}", style="red" if span.status == "ERROR" else "")
        # A span shorter than half a bar cell still shows, as a half cell.
        end = entry.offset_seconds + max(span.seconds, (total or 1.0) / (2 * BAR_WIDTH))
        shown.add_row(
            label,
            f"{entry.offset_seconds * 1000:.1f}",
            f"{span.seconds * 1000:.1f}",
            Bar(size=total or 1.0, begin=entry.offset_seconds, end=end, width=BAR_WIDTH, color="cyan"),
        )
    return shown


def trace_command(
    ctx: typer.Context,
    correlation_id: CorrelationIdArgument,
    json_output: JsonOption = False,
) -> None:
    """The waterfall of a conversation's spans (local cloud); exits 1 when no span names it.

    Each span: the function and the message it handled, when it started after the first span, how long
    it ran. With --json, the spans in causal order (each after its parent).
    """
    with acting(ctx) as target:
        if target.log_dir is None:
            link = cloud_trace_url(target.project_id)
            raise fail(
                f"a deployed environment's spans are in Cloud Trace: {link} (search for the label "
                f"{CORRELATION_ID}:{correlation_id})"
            )
        placed = waterfall(read_spans(target.log_dir), correlation_id)
    if json_output:
        emit_json([entry.as_json() for entry in placed])
    else:
        console().print(render(correlation_id, placed))
    if not placed:
        raise typer.Exit(PROBLEM)
