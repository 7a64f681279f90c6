"""`make bench-cost` in small: one order of each kind on PostgreSQL, counted across the whole stack.

The counts come from every function's own counters, summed by the GraphQL function's `/metrics`: so this
fails when a function stops counting, when the sum stops reaching /metrics, or when the bench's reading
of them (the scrapes taken apart from the order's own request, the clock's functions left out) drifts.
(The Firestore backend's document counts are proven per operation by tests/contract.)
"""

from __future__ import annotations

import pytest

from bench.cost import SCENARIOS, print_report, run
from tests.bench.measured import assert_positive, captured


def test_each_kind_of_order_counted_in_every_function_and_priced(capsys: pytest.CaptureFixture[str]) -> None:
    report = run("postgres", repeats=1)
    print_report(report)
    printed = captured(capsys)
    completed, declined, sold_out = (report.orders[scenario.name] for scenario in SCENARIOS)
    for cost in (completed, declined, sold_out):
        # The one placeOrder request: the /metrics reads in between are not the order's.
        assert cost.invocations["graphql"] == 1, cost.invocations
        assert cost.invocations["place-order"] >= 1
        assert cost.waited_queries >= 1
        assert cost.deliveries == sum(
            count for function, count in cost.invocations.items() if function != "graphql"
        ), "every other function of an order is a push delivery; the clock's are left out"
        assert cost.published >= 2, "the PlaceOrder command and its OrderPlaced event at least"
        assert cost.published_bytes > cost.published
        assert cost.audited >= cost.published, "the audit record keeps every message published"
        assert cost.audited_bytes > cost.published_bytes
        assert cost.event_store["write"] >= 2
        assert cost.read_models["write"] >= 1
        assert not any(cost.firestore_documents.values()), "PostgreSQL reads no Firestore document"
        assert_positive(*(cost.handler_seconds[function] for function in cost.invocations))
    for function in (
        "reserve-stock",
        "process-payment",
        "ship-order",
        "complete-order",
        "commit-reservation",
    ):
        assert completed.invocations[function] >= 1, function
    assert "ship-order" not in declined.invocations, "a declined card ships nothing"
    assert "process-payment" not in sold_out.invocations, "nothing is charged when stock is short"
    assert not set(report.scheduled) & set(completed.invocations), "the clock's functions are priced apart"
    for name in (*report.orders, "mix (equal shares)"):
        assert f"postgres {name}: " in printed
        line = next(line for line in printed.splitlines() if line.startswith(f"postgres {name}: "))
        dollars = float(line.split("USD per 1,000 orders ")[1].split()[0])
        assert dollars > 0, line
    assert "https://cloud.google.com/run/pricing" in printed
