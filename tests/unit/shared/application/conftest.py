"""The service layer on the in-memory stores: the real handler classes, no database, no bus, no network.

Given events (appended through the real handlers), when a command or an event is delivered, then the
events stored and published, or the outcome recorded. The in-memory backend passes the same contract
suite as PostgreSQL and Firestore (tests/contract), which is what lets these tests stand for them.
"""

from __future__ import annotations

import pytest

from shared.eventstore.memory import MemoryEventStore
from shared.readmodels.memory import MemoryReadModelStore
from shared.storage import Storage
from tests.contract.test_command_handling import RecordingPublisher


@pytest.fixture
def storage() -> Storage:
    return Storage(MemoryEventStore(), MemoryReadModelStore(), lambda: None)


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()
