"""Suite-wide fixtures: the Auth emulator (slow to start, so once), the fake payment and shipping gateway,
a real PostgreSQL server, and the guard that a test session leaves no process of the local cloud running.

`make test` runs the suite on two pytest-xdist workers: every test of one storage backend goes to the
same worker (`BackendScheduling`), so each worker starts the local clouds of one backend only and keeps the
order that lets a package's cloud serve all its tests; the rest is spread. Each worker's servers listen on
a port range of its own.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from xdist.scheduler import LoadScopeScheduling

from emulators.processes import PORT_RANGE
from emulators.services import EmbeddedPostgres, FakeGateway, FirebaseAuthEmulator
from shared.eventstore.postgres import open_pool
from tests.contract.harness import TEMPLATE_DATABASE

AUTH_PROJECT = "kiroku-auth-test"
BACKENDS = frozenset({"postgres", "firestore"})
# Below the kernel's ephemeral ports (32768 on), which client connections take.
WORKER_PORTS, FIRST_WORKER_PORT = 3000, 20000


def pytest_configure(config: pytest.Config) -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, ... under xdist
    if worker is not None and PORT_RANGE not in os.environ:
        low = FIRST_WORKER_PORT + int(worker.removeprefix("gw")) * WORKER_PORTS
        os.environ[PORT_RANGE] = f"{low}-{low + WORKER_PORTS - 1}"


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> LoadScopeScheduling:
    return BackendScheduling(config, log)


class BackendScheduling(LoadScopeScheduling):  # type: ignore[misc]  # xdist ships no types
    """xdist's scope scheduling with a test's storage backend as its scope: every test with `postgres` (or
    `firestore`) among its parameter ids is one unit of work, sent whole to one worker, largest first;
    any other test is a unit of its own."""

    def _split_scope(self, nodeid: str) -> str:
        ids = nodeid.rpartition("[")[2].removesuffix("]").split("-") if nodeid.endswith("]") else []
        backends = BACKENDS.intersection(ids)
        return "+".join(sorted(backends)) if backends else nodeid


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


@pytest.fixture(scope="session")
def server_dir() -> Iterator[Callable[[str], Path]]:
    """Makes directories for what runs a PostgreSQL server (removed at the session's end).

    Not under pytest's tmp dir: as root, PostgreSQL runs as its own user, and pytest closes its base
    directory (mode 700) at the end of a session and when any other session on the machine starts, after
    which the server cannot reach its data directory.
    """
    made: list[Path] = []

    def make(name: str) -> Path:
        made.append(Path(tempfile.mkdtemp(prefix=f"kiroku-{name}-")))
        return made[-1]

    yield make
    for path in made:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server(server_dir: Callable[[str], Path]) -> Iterator[str]:
    """A real PostgreSQL server for the session, with a migrated template database to copy."""
    server = EmbeddedPostgres(server_dir("contract-pg") / "data", ephemeral=True)
    server.start()
    try:
        with psycopg.connect(server.uri, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{TEMPLATE_DATABASE}"')
        open_pool(make_conninfo(server.uri, dbname=TEMPLATE_DATABASE)).close()
        yield server.uri
    finally:
        server.stop()
