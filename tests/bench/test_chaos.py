"""`make chaos` in small: a few dozen orders under every fault at once; every guarantee it checks must
hold (money, stock, every order settled, no delivery dead-lettered, read models equal to their rebuild,
replies consistent with what happened)."""

from __future__ import annotations

from bench.chaos import ChaosOptions, Report, print_report, run


def test_every_guarantee_holds_under_mixed_faults() -> None:
    report = run(ChaosOptions(orders=40, clients=6, rate=2.0, outage_every_seconds=8.0))
    print_report(report)
    broken = {check: found[:5] for check, found in report.violations.items() if found}
    assert broken == {}
    assert set(report.violations) <= set(Report.CHECKS)
    assert sum(report.outcomes.values()) == report.orders
