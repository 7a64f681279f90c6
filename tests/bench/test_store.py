"""`make bench-store` in small: one append per writer and round of every workload, in two rounds, on
PostgreSQL (against each baseline) and on the Firestore emulator, then every read; so a benchmark that
no longer runs, drops a workload or a baseline, or miscounts what it appended fails `make test`."""

from __future__ import annotations

import pytest

from bench.store import BATCH, WRITERS, StoreOptions, run
from tests.bench.measured import assert_positive, captured, table_rows

OPTIONS = StoreOptions(scale=0.0, rounds=2)  # the least of every workload: one append per writer and round
BASELINES = {"postgres": 4, "firestore": 1}
WORKLOADS = [(batch, writers) for batch in (1, BATCH) for writers in WRITERS]


def test_every_workload_and_read_measured_on_both_backends(capsys: pytest.CaptureFixture[str]) -> None:
    report = run(OPTIONS)
    printed = captured(capsys)
    assert list(report.backends) == list(BASELINES)
    printed_rows = table_rows(printed)
    for name, backend in report.backends.items():
        assert len(backend.baselines) == BASELINES[name]
        assert len(backend.appends) == len(WORKLOADS)
        for rates, (batch, writers) in zip(backend.appends, WORKLOADS, strict=True):
            assert rates.workload.startswith(f"{batch}-event appends, {writers} writer")
            assert len(rates.baselines) == BASELINES[name]
            assert rates.kiroku is not None
            assert_positive(rates.kiroku, *rates.baselines, *rates.ratios())
            assert rates.events == writers * batch * OPTIONS.rounds  # one append per writer and round
        stream_read = backend.reads[-1]
        assert stream_read.workload.startswith(f"stream read ({OPTIONS.rounds} streams,")
        # The single writer's batch streams, read whole: every event it appended.
        assert stream_read.events == backend.appends[WORKLOADS.index((BATCH, 1))].events
        assert_positive(*(rates.kiroku for rates in backend.reads if rates.kiroku is not None))
        # Its table: a row per workload, Kiroku's ratio to each baseline beside it.
        workloads = [*backend.appends, *backend.reads]
        rows, printed_rows = printed_rows[: len(workloads)], printed_rows[len(workloads) :]
        assert [row[0] for row in rows] == [rates.workload for rates in workloads]
        for row, rates in zip(rows, backend.appends, strict=False):
            assert rates.kiroku is not None
            assert row[3:-1:2] == [f"{rates.kiroku / baseline:.0%}" for baseline in rates.baselines]
    postgres = report.backends["postgres"]
    appended = sum(rates.events for rates in postgres.appends)
    assert [(rates.workload, rates.events) for rates in postgres.reads[:2]] == [
        ("read_all (pages of 1,000)", appended),
        ("raw SELECT, same pages, not decoded", appended),
    ]
    assert printed_rows == []
    assert f"total {report.seconds:.0f} s" in printed
