"""The PostgreSQL deploy step: apply the schema migrations, then give the functions' roles what they may do.

In the cloud the functions neither migrate nor own the schema: they start with
`KIROKU_MIGRATE_ON_OPEN=false` and connect as one of two login roles that cannot change it. This runs
once per deploy, before the new functions deploy (the `kiroku-migrate` Cloud Run job, which
cloudbuild.deploy.yaml executes between its two applies), connected as the schema's owner:

    python -m shared.eventstore.deploy_schema

It reads three connection URLs from the environment, each a secret Terraform generates:

- `DATABASE_URL`: the owner, who applies the migrations and creates the roles;
- `KIROKU_WRITER_DATABASE_URL`: the role of every `database: write` function: reads and writes the rows
  of every Kiroku table and runs its functions, never changes the schema;
- `KIROKU_READER_DATABASE_URL`: the role of `database: read` functions (the public GraphQL door):
  SELECT on the read models (which hold the command outcomes and sagas too), on the events (the
  admins' `eventHistory`) and on the log's bookkeeping (appends, waiting appends, outbox: the admins'
  `projectionStatus` and `integrityReport` read the log in order and check it), and nothing else.

Each role is created, or its password reset, from the user and password of its URL, and its grants are
revoked and given again, so the grants are exactly the ones below after every run, whatever a migration
added. Locally (`make run`, tests) there is one database user and the functions migrate at open.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from shared.eventstore.migrations import migrate

logger = logging.getLogger(__name__)

OWNER_URL = "DATABASE_URL"
WRITER_URL = "KIROKU_WRITER_DATABASE_URL"
READER_URL = "KIROKU_READER_DATABASE_URL"
# What the reader may SELECT: read models (command outcomes and sagas included), the event streams, and
# the tables that order and publish them (stream ids and positions: no payload lives there).
READER_TABLES = ("kiroku_read_models", "kiroku_events", "kiroku_appends", "kiroku_waiting", "kiroku_outbox")
# The migrations' own bookkeeping: the owner's alone.
OWNER_ONLY_TABLES = ("schema_migrations",)


class DeployError(RuntimeError):
    """The deploy step cannot run; the message names what is missing."""


def login(url: str) -> tuple[str, str]:
    """The (user, password) of a connection URL."""
    parts = conninfo_to_dict(url)
    user, password = parts.get("user"), parts.get("password")
    if not user or not password:
        raise DeployError("a role's URL must name its user and password")
    return str(user), str(password)


def _ensure_login_role(conn: psycopg.Connection[Any], role: str, password: str) -> None:
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
    verb = sql.SQL("ALTER ROLE" if exists else "CREATE ROLE")
    conn.execute(
        sql.SQL("{} {} WITH LOGIN NOCREATEDB NOCREATEROLE PASSWORD {}").format(
            verb, sql.Identifier(role), sql.Literal(password)
        )
    )


def grant(conn: psycopg.Connection[Any], writer: str, reader: str) -> None:
    """Exactly the writer's and the reader's privileges on the current database's `public` schema."""
    names = {"writer": sql.Identifier(writer), "reader": sql.Identifier(reader)}
    owner_only = sql.SQL(", ").join(map(sql.Identifier, OWNER_ONLY_TABLES))
    # Only grants on what the migrations created, which the owner owns. Connecting and using the `public`
    # schema are PUBLIC's by default and creating in it is nobody's since PostgreSQL 15 (Cloud SQL runs 18).
    statements = [
        # Nobody but the writer runs the store's functions (kiroku_append, ...).
        "REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC",
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {writer}, {reader}",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {writer}, {reader}",
        "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM {writer}, {reader}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {writer}",
        "REVOKE ALL ON {owner_only} FROM {writer}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {writer}",
        "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {writer}",
        "GRANT SELECT ON {reader_tables} TO {reader}",
    ]
    with conn.transaction():
        for statement in statements:
            conn.execute(
                sql.SQL(statement).format(
                    **names,
                    owner_only=owner_only,
                    reader_tables=sql.SQL(", ").join(map(sql.Identifier, READER_TABLES)),
                )
            )


def deploy(owner_url: str, writer_url: str, reader_url: str) -> list[str]:
    """Migrate, then create or update both roles and their grants; returns the migrations applied now."""
    writer, writer_password = login(writer_url)
    reader, reader_password = login(reader_url)
    owner = conninfo_to_dict(owner_url).get("user")
    if len({owner, writer, reader}) != 3:
        raise DeployError("the owner, writer and reader must be three different roles")
    with psycopg.connect(owner_url, autocommit=True) as conn:
        applied = migrate(conn)
        _ensure_login_role(conn, writer, writer_password)
        _ensure_login_role(conn, reader, reader_password)
        grant(conn, writer, reader)
    return applied


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    del argv  # no options: everything comes from the environment, as the job's secrets
    missing = [name for name in (OWNER_URL, WRITER_URL, READER_URL) if not os.environ.get(name)]
    if missing:
        print(f"deploy_schema: set {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        applied = deploy(os.environ[OWNER_URL], os.environ[WRITER_URL], os.environ[READER_URL])
    except (DeployError, psycopg.Error) as error:
        print(f"deploy_schema: {error}", file=sys.stderr)
        return 1
    logger.info("migrations applied now: %s; roles granted", ", ".join(applied) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
