"""`make bench-bus` in small: a few dozen messages flooded and paced through the emulator alone and
through the runner and a function, so a benchmark that no longer runs or measures fails `make test`."""

from __future__ import annotations

import pytest

from bench.bus import BusOptions, print_report, run
from tests.bench.measured import assert_measured, assert_positive, captured, table_rows

OPTIONS = BusOptions(flood=40, paced=20, paced_rate=50.0, warm_up=10)


def test_both_paths_measured_under_both_loads(capsys: pytest.CaptureFixture[str]) -> None:
    report = run(OPTIONS)
    print_report(report)
    printed = captured(capsys)
    sent = {"flood": OPTIONS.flood, "paced": OPTIONS.paced}
    assert list(report.loads) == list(sent)
    rows = {(row[0], row[1]): row for row in table_rows(printed)}
    for load, comparison in report.loads.items():
        assert_measured(comparison.baseline, sent[load])
        assert_measured(comparison.kiroku, sent[load])
        baseline, kiroku = comparison.baseline, comparison.kiroku
        ratios = comparison.ratios()
        assert_positive(*ratios)
        assert ratios == (
            kiroku.percentile(0.5) / baseline.percentile(0.5),
            kiroku.percentile(0.99) / baseline.percentile(0.99),
            kiroku.throughput / baseline.throughput,
        )
        assert rows[load, "emulator"][-3:] == ["1.00", "1.00", "1.00"]
        assert rows[load, "runner+function"][-3:] == [f"{ratio:.2f}" for ratio in ratios]
        assert f"{load}: runner+function {kiroku.throughput:,.0f} msg/s" in printed
