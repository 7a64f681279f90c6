"""`make chaos` in small: a few dozen orders under every fault at once, and every guarantee must hold."""

from __future__ import annotations

from bench.chaos import ChaosOptions, Report, print_report, run


def test_every_guarantee_holds_under_mixed_faults() -> None:
    report = run(ChaosOptions(orders=40, clients=6, outage_every_seconds=8.0))
    print_report(report)
    assert report.ok, {check: found[:5] for check, found in report.violations.items() if found}
    assert sum(report.outcomes.values()) == report.orders
    assert {outcome.split()[0] for outcome in report.outcomes} <= {"COMPLETED", "CANCELLED"}, report.outcomes
    assert set(Report.CHECKS) >= set(report.violations)
