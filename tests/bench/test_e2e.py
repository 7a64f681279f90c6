"""`make bench-e2e` in small: a few createProduct mutations (wait: true) from one client and from eight,
through the whole local cloud, beside a few raw Pub/Sub hops, and again with telemetry off; so a benchmark
that no longer runs, completes fewer mutations than it sent, or loses its baseline fails `make test`."""

from __future__ import annotations

import pytest

from bench.e2e import E2EOptions, print_report, run
from tests.bench.measured import assert_compared, assert_measured, captured, p50_ratio, table_rows

OPTIONS = E2EOptions(runs=((1, 3), (8, 8)), warm_up=(2, 2), hop=10, hop_rate=100.0, telemetry_deliveries=300)


def test_each_run_measured_beside_the_raw_hop(capsys: pytest.CaptureFixture[str]) -> None:
    report = run(OPTIONS)
    print_report(report)
    printed = captured(capsys)
    assert_measured(report.hop, OPTIONS.hop)
    assert [clients for clients, _ in report.runs] == [clients for clients, _ in OPTIONS.runs]
    # Each setting ran on two stacks (ABBA): its figures pool both passes.
    for (_, figures), (_, sent) in zip(report.runs, OPTIONS.runs, strict=True):
        assert_measured(figures, 2 * sent)
    runs_table, overhead_table = printed.split("What tracing and metrics cost")
    assert_compared(
        runs_table,
        [
            ("hop", report.hop, 1.0),
            *((str(clients), figures, p50_ratio(figures, report.hop)) for clients, figures in report.runs),
        ],
    )
    for clients, figures in report.runs:
        assert f"{clients} client(s): {figures.throughput:,.1f} mutations/s" in printed
    # The same runs with telemetry off, and what it costs: every mutation done there too.
    assert [clients for clients, _ in report.untraced] == [clients for clients, _ in OPTIONS.runs]
    for (_, figures), (_, sent) in zip(report.untraced, OPTIONS.runs, strict=True):
        assert_measured(figures, 2 * sent)
    for _, figures in (*report.runs, *report.untraced):
        assert figures.cpu_seconds > 0, "the machine worked while they ran"
    # Telemetry's own cost, in a process of its own: a hop with it costs more than without.
    with_us, without_us = report.hop_us
    assert with_us > without_us > 0
    assert (
        f"telemetry in a process of its own: {with_us:.0f} µs a hop with, {without_us:.0f} without" in printed
    )
    assert [row[0] for row in table_rows(overhead_table)] == [str(clients) for clients, _ in OPTIONS.runs]
    for clients, cost, cpu_cost in report.overheads():
        assert (
            f"{clients} client(s): telemetry overhead on p50 {cost:+.1%}, on CPU per mutation {cpu_cost:+.1%}"
            in printed
        )
