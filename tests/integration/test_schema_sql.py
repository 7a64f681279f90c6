"""shared/eventstore/schema.sql is what the migrations build today: regenerated here, on a real server,
and compared with the committed file, so it cannot drift from the migrations it is read in place of."""

from __future__ import annotations

import difflib

import psycopg
import pytest

from deploy.schema_dump import COMMAND, DUMP_DATABASE, READER, SCHEMA_SQL, WRITER, dump


def test_schema_sql_is_what_the_migrations_and_the_deploy_grants_build(postgres_server: str) -> None:
    built = dump(postgres_server)
    committed = SCHEMA_SQL.read_text()
    if committed != built:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                built.splitlines(keepends=True),
                "shared/eventstore/schema.sql (committed)",
                "built from the migrations",
            )
        )
        pytest.fail(f"shared/eventstore/schema.sql is stale: run `{COMMAND}`\n{diff}")


def _databases_and_roles(server: str) -> tuple[list[tuple[str]], list[tuple[str]]]:
    with psycopg.connect(server, autocommit=True) as admin:
        databases = admin.execute("SELECT datname FROM pg_database ORDER BY datname").fetchall()
        roles = admin.execute("SELECT rolname FROM pg_roles ORDER BY rolname").fetchall()
    return databases, roles


def test_the_dump_leaves_the_server_as_it_found_it(postgres_server: str) -> None:
    before = _databases_and_roles(postgres_server)
    dump(postgres_server)
    assert _databases_and_roles(postgres_server) == before
    assert (DUMP_DATABASE,) not in before[0]
    assert {(WRITER,), (READER,)}.isdisjoint(before[1])
