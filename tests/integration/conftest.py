"""One local cloud for the runner's tests: the real Pub/Sub emulator, the runner, real function servers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from google.cloud.pubsub_v1 import SubscriberClient

from emulators.runner import FaultInjection
from emulators.stack import LocalCloud, StackOptions
from shared.bus.manifest import Manifest
from shared.bus.publisher import Publisher

BUS_MANIFEST = Path(__file__).with_name("bus_manifest.yaml")


@pytest.fixture(scope="session")
def records_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("records")
    os.environ["KIROKU_TEST_RECORDS"] = str(path)
    return path


@pytest.fixture(scope="session")
def bus_cloud(records_dir: Path, server_dir: Callable[[str], Path]) -> Iterator[LocalCloud]:
    options = StackOptions(
        project_id="kiroku-bus-test",
        state_dir=server_dir("bus-cloud"),
        manifest=Manifest.load(BUS_MANIFEST),
        faults=FaultInjection(
            duplicate_probability=1.0, concurrent_duplicates=1.0, functions=frozenset({"duplicated"})
        ),
    )
    with LocalCloud(options) as cloud:
        yield cloud


@pytest.fixture(scope="session")
def publisher(bus_cloud: LocalCloud) -> Publisher:
    return Publisher(bus_cloud.options.project_id)


@pytest.fixture(scope="session")
def subscriber(bus_cloud: LocalCloud) -> Iterator[SubscriberClient]:
    client = SubscriberClient()
    yield client
    client.close()
