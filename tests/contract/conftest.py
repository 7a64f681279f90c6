"""Session services for the contract suite, started here and stopped at the end: never assumed running.

The official Firestore emulator (and the suite's PostgreSQL, tests/conftest.py) start only when a selected
test needs them; `backend` runs each contract test once per backend on a fresh, empty store. The in-memory
backend runs the contract too: the service-layer tests that use it (tests/unit/shared/application) rely
on it keeping the same promises.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulators.services import FirestoreEmulator
from shared.storage import Storage
from tests.contract.harness import FirestoreHarness, Harness, MemoryHarness, PostgresHarness


@pytest.fixture(scope="session")
def firestore_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    emulator = FirestoreEmulator(Path(tmp_path_factory.mktemp("firestore-logs")))
    emulator.start()
    previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
    os.environ.update(emulator.environment())
    try:
        yield emulator.host
    finally:
        emulator.stop()
        if previous is None:
            os.environ.pop("FIRESTORE_EMULATOR_HOST", None)
        else:
            os.environ["FIRESTORE_EMULATOR_HOST"] = previous


def open_harness(name: str, request: pytest.FixtureRequest) -> Harness:
    if name == "postgres":
        return PostgresHarness(request.getfixturevalue("postgres_server"))
    if name == "memory":
        return MemoryHarness()
    request.getfixturevalue("firestore_emulator")
    return FirestoreHarness()


@pytest.fixture(params=["postgres", "firestore", "memory"])
def backend(request: pytest.FixtureRequest) -> Iterator[Harness]:
    harness = open_harness(request.param, request)
    yield harness
    harness.close()


@pytest.fixture
def storage(backend: Harness) -> Storage:
    """Both stores of one backend, as a function opens them."""
    return Storage(backend.event_store(), backend.read_models(), lambda: None)


@pytest.fixture
def other_backend(backend: Harness, request: pytest.FixtureRequest) -> Iterator[Harness]:
    """A second empty store on the same backend (an import target)."""
    harness = open_harness(backend.name, request)
    yield harness
    harness.close()


@pytest.fixture
def postgres(request: pytest.FixtureRequest) -> Iterator[PostgresHarness]:
    harness = PostgresHarness(request.getfixturevalue("postgres_server"))
    yield harness
    harness.close()
