"""`bench/rebuild.py` in small: a thousand events, one round; so a benchmark that no longer runs, drops
its baseline or miscounts what the command rebuilt fails `make test`."""

from __future__ import annotations

import pytest

from bench.rebuild import PER_PRODUCT, run
from tests.bench.measured import assert_positive, captured, table_rows

EVENTS = 10 * PER_PRODUCT


def test_the_rebuild_and_its_baseline_are_measured_on_the_same_events(
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = run(events=EVENTS, rounds=1)
    printed = captured(capsys)
    assert [row.workload for row in rows] == [
        "read_all (baseline)",
        "kiroku rebuild products",
        "kiroku rebuild products --shadow",
    ]
    assert [row.events for row in rows] == [EVENTS] * 3
    assert_positive(*(row.rate for row in rows), *(row.wall_seconds or 0 for row in rows[1:]))
    assert [cells[0] for cells in table_rows(printed)] == [row.workload for row in rows]
    assert "events/s" in printed
