"""`make bench-store`'s scale run in small: a few thousand events filled through Kiroku's own append,
every workload measured before and after on PostgreSQL and on the Firestore emulator; so a scale run
that no longer runs, fills short, drops a workload or loses its ratio or disk figure fails `make test`."""

from __future__ import annotations

import pytest

from bench.store import BATCH
from bench.store_scale import WRITERS, ScaleOptions, run
from tests.bench.measured import assert_positive, captured

OPTIONS = ScaleOptions(
    fill=3_000, firestore_fill=400, read_window=1_000, single_appends=2, batch_appends=1, rounds=1
)


def test_each_workload_is_measured_empty_and_at_the_far_end(capsys: pytest.CaptureFixture[str]) -> None:
    backends = run(OPTIONS)
    printed = captured(capsys)
    measured = OPTIONS.rounds * WRITERS * (OPTIONS.single_appends + OPTIONS.batch_appends * BATCH)
    postgres, emulator = backends["postgres"], backends["firestore"]
    assert postgres.filled == OPTIONS.fill + measured
    assert emulator.filled == OPTIONS.firestore_fill
    for backend in backends.values():
        assert [rates.workload.split(",")[0].split(" (")[0] for rates in backend.rates][:2] == [
            "1-event appends",
            f"{BATCH}-event appends",
        ]
        assert len(backend.rates) == 3
        assert_positive(*(rate for rates in backend.rates for rate in (rates.empty, rates.full, rates.ratio)))
        for rates in backend.rates:
            assert f"{rates.workload}: {rates.full:,.0f} ev/s, {rates.ratio:.2f} x" in printed
    assert postgres.bytes_per_million is not None
    assert_positive(postgres.bytes_per_million)
    assert "MiB of disk per million events" in printed
