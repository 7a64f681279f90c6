"""Suite-wide fixtures: the Auth emulator (slow to start, so once), the fake payment and shipping gateway,
and the guard that a test session leaves no process of the local cloud running."""

from __future__ import annotations

from collections.abc import Iterator

import psutil
import pytest

from emulators.services import FakeGateway, FirebaseAuthEmulator

AUTH_PROJECT = "kiroku-auth-test"


@pytest.fixture(scope="session", autouse=True)
def no_process_left_behind() -> Iterator[None]:
    yield  # torn down after every other session fixture has stopped what it started
    me = psutil.Process()
    _gone, alive = psutil.wait_procs(me.children(recursive=True), timeout=10)
    left = [f"{process.pid} {process.name()}" for process in alive]
    assert left == [], f"the test session left processes running: {left}"


@pytest.fixture(scope="session")
def auth_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirebaseAuthEmulator]:
    """The real Firebase Auth emulator, started once per session (it takes seconds to start)."""
    emulator = FirebaseAuthEmulator(tmp_path_factory.mktemp("auth-emulator"), AUTH_PROJECT)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(scope="session")
def fake_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeGateway]:
    """The fake gateway as its own process, as the local cloud starts it; each test uses its own orders."""
    gateway = FakeGateway(tmp_path_factory.mktemp("fake-gateway"))
    gateway.start()
    try:
        yield gateway
    finally:
        gateway.stop()
