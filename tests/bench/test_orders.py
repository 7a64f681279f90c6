"""`make bench-orders` in small: a few orders (wait: true) through the whole fulfilment saga from one
client, from two on distinct products and from two on one hot product, beside a few createProduct
mutations; so a benchmark that no longer runs, leaves an order short of COMPLETED (it raises) or loses
its baseline fails `make test`."""

from __future__ import annotations

import pytest

from bench.orders import OrdersOptions, print_report, run
from tests.bench.measured import assert_compared, assert_measured, captured, p50_ratio

OPTIONS = OrdersOptions(products=2, warm_up=(1, 1), baseline=2, single=1, clients=2, concurrent=2)


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
