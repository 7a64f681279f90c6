"""Interpreter settings a Kiroku process applies once, at start: function instances and the benchmarks.

CPython's cyclic garbage collector makes a young-generation pass every 700 net container allocations.
Handling messages allocates containers by the thousand (pydantic models, payload dicts, rows), so at
that threshold reading one page of events runs dozens of passes that find nothing to collect (figures in
bench/README.md). Reference counting frees nearly
everything here when it goes out of use; the collector is only there for cycles, which a larger young
generation still collects, a little later.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 50_000


def tune_garbage_collector() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
