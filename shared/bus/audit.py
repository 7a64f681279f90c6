"""The audit record: every message the bus carried on the manifest's `audited` topics, as published.

In the cloud a BigQuery subscription per audited topic (`<topic>-audit`, terraform/modules/audit) writes
each message to one table, with no function run per message. Locally the runner's router, which pulls
each topic once anyway, appends the same row to `<log dir>/audit.jsonl`. A row has the table's columns
(Pub/Sub's own, for a subscription that writes metadata): the subscription, Pub/Sub's message id and
publish time, the attributes, and the data (an envelope's JSON). Delivery is at least once in both, so a
message may have two rows with one `message_id`; readers keep the first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.messages.envelope import Envelope

AUDIT_FILE = "audit.jsonl"
# The cloud's audit table within its project: dataset and table (terraform/modules/audit).
AUDIT_DATASET, AUDIT_TABLE = "kiroku_audit", "bus_messages"
_SUBSCRIPTION_SUFFIX = "-audit"


def audit_subscription(topic: str) -> str:
    """The subscription that keeps a topic's messages (the same name in Terraform's module audit)."""
    return f"{topic}{_SUBSCRIPTION_SUFFIX}"


class AuditRow(BaseModel):
    """One row of the audit table."""

    model_config = ConfigDict(frozen=True)

    subscription_name: str
    message_id: str
    publish_time: datetime
    data: str
    attributes: dict[str, str]

    @property
    def topic(self) -> str:
        return self.subscription_name.removesuffix(_SUBSCRIPTION_SUFFIX)

    def envelope(self) -> Envelope | None:
        """The message as an envelope; None for data that is not one (a stray publish is kept too)."""
        try:
            return Envelope.model_validate_json(self.data)
        except ValidationError:
            return None


class AuditFile:
    """The local record: one JSON line per row, appended by the runner's routers (one thread each)."""

    def __init__(self, log_dir: Path) -> None:
        self.path = log_dir / AUDIT_FILE
        self._lock = threading.Lock()

    def keep(
        self, topic: str, message_id: str, publish_time: datetime, data: bytes, attributes: Mapping[str, str]
    ) -> None:
        row = AuditRow(
            subscription_name=audit_subscription(topic),
            message_id=message_id,
            publish_time=publish_time,
            data=data.decode("utf-8", errors="replace"),
            attributes=dict(attributes),
        )
        line = row.model_dump_json() + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(line)

    def rows(self) -> list[AuditRow]:
        """Every row kept, in the order written; a line cut short by a crash is skipped."""
        if not self.path.exists():
            return []
        rows: list[AuditRow] = []
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    rows.append(AuditRow.model_validate_json(line))
                except ValidationError:
                    continue
        return rows


def conversation(rows: Iterable[AuditRow], correlation_id: str) -> list[tuple[AuditRow, Envelope]]:
    """The messages of one conversation, each once (its first row), in publish order."""
    seen: set[str] = set()
    found: list[tuple[AuditRow, Envelope]] = []
    for row in rows:
        envelope = row.envelope()
        if envelope is None or envelope.correlation_id != correlation_id or row.message_id in seen:
            continue
        seen.add(row.message_id)
        found.append((row, envelope))
    return sorted(found, key=lambda pair: pair[0].publish_time)


def bigquery_command(project_id: str, correlation_id: str) -> list[str]:
    """The same question of a deployed environment's audit table: a `bq` command line, the correlation
    id passed as a query parameter."""
    table = f"{project_id}.{AUDIT_DATASET}.{AUDIT_TABLE}"
    sql = (
        "SELECT publish_time, subscription_name, JSON_VALUE(data, '$.type') AS type, "  # noqa: S608
        "JSON_VALUE(data, '$.aggregate_id') AS aggregate_id, message_id "
        f"FROM `{table}` WHERE JSON_VALUE(data, '$.correlation_id') = @correlation_id "
        "QUALIFY ROW_NUMBER() OVER (PARTITION BY message_id ORDER BY publish_time) = 1 "
        "ORDER BY publish_time"
    )
    return [
        "bq",
        "query",
        f"--project_id={project_id}",
        "--use_legacy_sql=false",
        f"--parameter=correlation_id:STRING:{correlation_id}",
        sql,
    ]
