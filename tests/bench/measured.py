"""What every benchmark's smoke test checks of its figures and of what it printed, in one place: each
timed run counted every request it sent, its numbers are real (positive, finite), and the printed table
has a row for each thing measured. (Not a test module, so pytest does not rewrite its asserts: each
says what it found.)"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pytest

from bench.bus import Figures


def captured(capsys: pytest.CaptureFixture[str]) -> str:
    """What the benchmark printed, printed again so that a failing test shows it."""
    printed = capsys.readouterr().out
    print(printed)
    return printed


def assert_measured(figures: Figures, sent: int) -> None:
    """`figures` timed each of the `sent` messages or requests, and its rate and latencies are real."""
    assert figures.messages == sent, f"{figures.messages} measured, {sent} sent"
    assert len(figures.latencies_ms) == sent, f"{len(figures.latencies_ms)} latencies, {sent} sent"
    assert all(0 < latency < math.inf for latency in figures.latencies_ms), figures.latencies_ms
    assert_positive(figures.seconds, figures.throughput, figures.percentile(0.5), figures.percentile(0.99))


def assert_positive(*values: float) -> None:
    """Rates and ratios: each a positive, finite number (a zero or missing baseline makes none)."""
    assert values, "no figures"
    assert all(0 < value < math.inf for value in values), values


def table_rows(printed: str) -> list[list[str]]:
    """The body rows of the tables rich printed, each a list of its stripped cells."""
    return [
        [cell.strip() for cell in line.strip().strip("│").split("│")]
        for line in printed.splitlines()
        if line.startswith("│")
    ]


def assert_compared(printed: str, rows: Sequence[tuple[str, Figures, float]]) -> None:
    """A table of runs beside a baseline (`make bench-e2e`, `make bench-orders`): its rows are `rows`, in
    order, each with its name, its count and its p50 ratio to the baseline (1.0 for the baseline's own)."""
    # The first table's rows: a benchmark may print other tables after it.
    shown = [(row[0], row[1], row[-1]) for row in table_rows(printed)][: len(rows)]
    expected = [(name, str(figures.messages), f"{ratio:.1f}") for name, figures, ratio in rows]
    assert shown == expected, f"printed {shown}, measured {expected}"
    assert_positive(*(ratio for _, _, ratio in rows))


def p50_ratio(figures: Figures, baseline: Figures) -> float:
    """What a table of runs beside a baseline should show: the run's p50 over the baseline's."""
    return figures.percentile(0.5) / baseline.percentile(0.5)
