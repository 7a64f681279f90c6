"""`make bench-orders` in small: a few orders (wait: true) through the whole fulfilment saga from one
client, from two on distinct products and from two on one hot product, beside a few createProduct
mutations and raw hops; so a benchmark that no longer runs, leaves an order short of COMPLETED (it
raises), loses its baseline or lengthens an order's critical path fails `make test`."""

from __future__ import annotations

import pytest

from bench.orders import OrdersOptions, print_report, run
from tests.bench.measured import assert_compared, assert_measured, assert_positive, captured, p50_ratio

OPTIONS = OrdersOptions(
    products=2, warm_up=(1, 1), baseline=2, single=2, clients=2, concurrent=2, hop=20, hop_rate=50.0
)
# PlaceOrder, OrderPlaced, ReserveStock, StockReserved, ProcessPayment, PaymentCaptured, StartOrderShipping,
# OrderShippingStarted, ShipOrder, OrderShipped, CompleteOrder, OrderCompleted: a one-line order's path.
CRITICAL_PATH = 12


def test_each_run_completes_its_orders_beside_create_product(capsys: pytest.CaptureFixture[str]) -> None:
    report = run(OPTIONS)
    print_report(report)
    printed = captured(capsys)
    assert_measured(report.baseline, OPTIONS.baseline)
    sent = {
        "1 client": OPTIONS.single,
        f"{OPTIONS.clients} clients": OPTIONS.concurrent,
        f"{OPTIONS.clients} clients, one product": OPTIONS.concurrent,
    }
    assert [name for name, _ in report.runs] == list(sent)
    for name, figures in report.runs:
        assert_measured(figures, sent[name])
    assert_compared(
        printed,
        [
            ("createProduct, 1 client", report.baseline, 1.0),
            *((name, figures, p50_ratio(figures, report.baseline)) for name, figures in report.runs),
        ],
    )
    for name, figures in report.runs:
        assert f"{name}: {figures.throughput:,.1f}/s" in printed
    assert_measured(report.hop, OPTIONS.hop)
    assert report.critical_path == CRITICAL_PATH
    assert f"critical path: {CRITICAL_PATH} hops x the emulator's own hop p50" in printed
    assert f"= floor {report.floor_ms:.1f} ms" in printed
    assert printed.count("target ") == 2 + len(report.runs)
    # Who spent the CPU: the emulator, the runner's process, and each function the order went through.
    groups = report.cpu_groups
    assert {"pubsub-emulator", "postgres", "function graphql", "function place-order"} <= set(groups), groups
    assert_positive(groups["pubsub-emulator"], groups["function place-order"])
    assert "Where one order's CPU goes (1 client), by process" in printed
