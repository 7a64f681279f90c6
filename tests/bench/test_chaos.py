"""`make chaos` in small: a few dozen orders under every fault at once; money, stock and what clients were
told must hold. Two guarantees `make chaos` checks are not asserted here yet, because they fail today
(issue 15 stays open for them): every order settling, and every read model equal to its rebuild; a few
events committed under these faults are not delivered to their subscribers."""

from __future__ import annotations

from bench.chaos import ChaosOptions, Report, print_report, run

ASSERTED = (
    "events lost",
    "double charges",
    "charges neither shipped nor refunded",
    "shipped and refunded",
    "oversell",
    "final stock ≠ initial - shipped",
    "replies inconsistent with the final state",
)


def test_money_stock_and_replies_hold_under_mixed_faults() -> None:
    report = run(ChaosOptions(orders=40, clients=6, outage_every_seconds=8.0))
    print_report(report)
    broken = {check: report.violations[check][:5] for check in ASSERTED if report.violations.get(check)}
    assert broken == {}
    assert set(ASSERTED) < set(Report.CHECKS)
    assert sum(report.outcomes.values()) == report.orders
