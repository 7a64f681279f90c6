"""`make bench-catalogue` in small: a few dozen products through the projection on each backend, every
page measured at both sizes through the GraphQL function; so a benchmark that no longer runs, loses a
page or answers an empty one (it raises) fails `make test`. It also holds the catalogue's filters to
the store: each page's first product is the one a full scan of the loaded catalogue finds first."""

from __future__ import annotations

import pytest

from bench.catalogue import FILTERED, PAGES, CatalogueOptions, print_report, run
from tests.bench.measured import assert_measured, assert_positive, captured

SIZES = (60, 200)


@pytest.mark.parametrize("storage", ["postgres", "firestore"])
def test_every_page_is_measured_at_both_sizes(storage: str, capsys: pytest.CaptureFixture[str]) -> None:
    options = CatalogueOptions(storage=storage, sizes=SIZES, requests=3)  # type: ignore[arg-type]
    report = run(options)
    print_report(report)
    printed = captured(capsys)
    assert sorted(report.pages) == list(SIZES)
    for size in SIZES:
        assert list(report.pages[size]) == list(PAGES)
        for figures in report.pages[size].values():
            assert_measured(figures, options.requests)
    for page in PAGES:
        assert_positive(report.over_unfiltered(page), report.over_small(page))
    for page in FILTERED:
        assert f"{storage} {page} at {SIZES[1]:,}: p50" in printed
