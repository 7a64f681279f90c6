"""PostgreSQL schema migrations: numbered `.sql` files here, applied at start, each exactly once.

Every cold start calls `migrate`; it takes a transaction-scoped advisory lock first, so instances that
start together apply a migration once and the others wait, then find it applied. A migration edited after
it was applied is refused (its checksum no longer matches) rather than silently skipped.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from shared.eventstore.errors import MigrationError

MIGRATIONS_DIR = Path(__file__).resolve().parent
# Any fixed number: the key of the advisory lock migrations hold ("kiroku" in ASCII).
_LOCK_KEY = 0x6B69726F6B75
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def available() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = _NAME.match(path.name)
        if match is None:
            raise MigrationError(f"migration file {path.name} is not named NNNN_name.sql")
        found.append(Migration(int(match.group(1)), path.name, path.read_text()))
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"two migrations share a number: {versions}")
    return found


def migrate(conn: psycopg.Connection[Any], up_to: int | None = None) -> list[str]:
    """Apply what is missing (up to migration `up_to`, if given), in order, in one transaction; returns the
    names applied now."""
    applied_now = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        rows = conn.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
        applied = {version: (name, checksum) for version, name, checksum in rows}
        for migration in available():
            if up_to is not None and migration.version > up_to:
                break
            if migration.version in applied:
                name, checksum = applied[migration.version]
                if checksum != migration.checksum:
                    raise MigrationError(f"migration {name} was changed after it was applied")
                continue
            conn.execute(migration.sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                (migration.version, migration.name, migration.checksum),
            )
            applied_now.append(migration.name)
    return applied_now
