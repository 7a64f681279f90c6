"""Suite-wide guard: a test session leaves no process of the local cloud running."""

from __future__ import annotations

from collections.abc import Iterator

import psutil
import pytest


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    yield  # torn down after every other session fixture has stopped what it started
    me = psutil.Process()
    _gone, alive = psutil.wait_procs(me.children(recursive=True), timeout=10)
    left = [f"{process.pid} {process.name()}" for process in alive]
    assert left == [], f"the test session left processes running: {left}"
