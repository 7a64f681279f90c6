"""The last error of a dead letter in a deployed project, looked up in Cloud Logging, which has no emulator:
the client library's `Client` is replaced by one that answers from a list of entries the way the service
filters them, so the filter the command sends is the thing checked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from google.cloud import logging as cloud_logging

from kiroku_cli.dead_letters import last_errors
from kiroku_cli.target import Target
from shared.application.dead_letters import DeadLetter
from shared.config import Settings

TRACEBACK = """Traceback (most recent call last):
  File "shared/application/commands.py", line 80, in handle
    state = fold(events)
pydantic_core._pydantic_core.ValidationError: 1 validation error for CategoryCreated
name
  Field required"""


@dataclass
class Entry:
    severity: str
    labels: dict[str, str]
    service: str
    payload: Any


class Logs:
    """Cloud Logging's `list_entries` over `entries`, for the filters `last_errors` writes."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.filters: list[str] = []

    def client(self, project: str) -> Logs:
        assert project == "kiroku-prod"
        return self

    def list_entries(self, filter_: str, order_by: str, max_results: int) -> Iterator[Entry]:
        assert order_by == cloud_logging.DESCENDING
        self.filters.append(filter_)
        clauses = dict(clause.split("=", 1) for clause in filter_.split(" AND ") if "=" in clause)
        assert filter_.startswith("severity>=ERROR AND ")
        found = [
            entry
            for entry in reversed(self.entries)
            if entry.severity == "ERROR"
            and f'"{entry.labels.get("message_id")}"' == clauses["labels.message_id"]
            and f'"{entry.service}"' == clauses["resource.labels.service_name"]
        ]
        return iter(found[:max_results])


def _letter(envelope_id: str) -> DeadLetter:
    return DeadLetter(
        message_id=f"pubsub-{envelope_id}",
        publish_time=datetime(2026, 12, 1, tzinfo=UTC),
        data=b"{}",
        attributes={"id": envelope_id},
        ordering_key="",
        dead_letter_attributes={},
        ack_id="ack",
    )


def _cloud() -> Target:
    return Target(Settings(project_id="kiroku-prod", storage="firestore"), local=False)


def test_the_newest_error_of_the_letters_function_and_message_is_shown_in_short(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logs = Logs(
        [
            Entry("ERROR", {"message_id": "cmd-1"}, "update-category", {"message": "an older failure"}),
            Entry("ERROR", {"message_id": "cmd-1"}, "update-product", {"message": "another function's"}),
            Entry("INFO", {"message_id": "cmd-1"}, "update-category", {"message": "not an error"}),
            Entry("ERROR", {"message_id": "cmd-1"}, "update-category", {"message": TRACEBACK}),
        ]
    )
    monkeypatch.setattr(cloud_logging, "Client", logs.client)

    errors = last_errors(_cloud(), "update-category", [_letter("cmd-1"), _letter("cmd-2")])

    assert errors == {"cmd-1": "ValidationError: 1 validation error for CategoryCreated name"}
    assert sorted(logs.filters) == [
        f'severity>=ERROR AND labels.message_id="{message_id}" '
        'AND resource.labels.service_name="update-category"'
        for message_id in ("cmd-1", "cmd-2")
    ]


def test_without_cloud_logging_each_letter_says_why_its_error_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refused(project: str) -> None:
        raise PermissionError("logging.entries.list denied")

    monkeypatch.setattr(cloud_logging, "Client", refused)

    errors = last_errors(_cloud(), "update-category", [_letter("cmd-1")])

    assert errors == {"cmd-1": "(Cloud Logging not read: logging.entries.list denied)"}
