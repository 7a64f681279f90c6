"""The PostgreSQL deploy step (shared/eventstore/deploy_schema.py) on a real server: what each role may do.

The cloud's functions connect as the writer or the reader role that this step creates, with migrations
off at open. Here the embedded server plays Cloud SQL: the step runs as the owner, then the application's
own stores, opened as each role the way a function opens them, show the writer can do the store's work
but not change the schema, and the reader can read what GraphQL reads and write nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors
from psycopg.conninfo import make_conninfo

from emulators.services import EmbeddedPostgres
from shared.application.operations import projection_status
from shared.eventstore.deploy_schema import READER_TABLES, DeployError, deploy, main
from shared.eventstore.integrity import check_integrity
from shared.eventstore.migrations import available
from shared.eventstore.postgres import PostgresEventStore, open_pool
from shared.messages.envelope import Envelope
from shared.readmodels.postgres import PostgresReadModelStore

DATABASE = "kiroku_deploy"
WRITER, READER = "kiroku_writer", "kiroku_reader"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    # Not under pytest's tmp dir, as tests/conftest.py (postgres_server) explains.
    base = Path(tempfile.mkdtemp(prefix="kiroku-deploy-pg-"))
    embedded = EmbeddedPostgres(base / "data", ephemeral=True)
    embedded.start()
    try:
        # The embedded server trusts every login; make the roles' passwords count, as on Cloud SQL.
        hba = base / "data" / "pg_hba.conf"
        roles = f"{WRITER},{READER}"
        hba.write_text(
            f"local all {roles} scram-sha-256\nhost all {roles} all scram-sha-256\n" + hba.read_text()
        )
        with psycopg.connect(embedded.uri, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
            admin.execute("SELECT pg_reload_conf()")
        yield embedded.uri
    finally:
        embedded.stop()
        shutil.rmtree(base, ignore_errors=True)


def url(server: str, user: str | None = None, password: str | None = None) -> str:
    """The database as the server's own superuser (the owner here) or as a login role."""
    if user is None:
        return make_conninfo(server, dbname=DATABASE)
    return make_conninfo(server, dbname=DATABASE, user=user, password=password)


@pytest.fixture(scope="module")
def deployed(server: str) -> dict[str, str]:
    urls = {
        "owner": url(server),
        "writer": url(server, WRITER, "writer-secret-1"),
        "reader": url(server, READER, "reader-secret-1"),
    }
    applied = deploy(urls["owner"], urls["writer"], urls["reader"])
    assert applied == [migration.name for migration in available()]
    return urls


def _event(aggregate_id: str) -> Envelope:
    return Envelope.originate(
        kind="event",
        type="Incremented",
        aggregate_type="Counter",
        aggregate_id=aggregate_id,
        payload={"by": 1},
    )


def _refused(conn: psycopg.Connection[Any], statement: str) -> None:
    with pytest.raises(errors.InsufficientPrivilege):
        conn.execute(statement)


def test_the_writer_does_the_stores_work_without_migrating_and_cannot_change_the_schema(
    deployed: dict[str, str],
) -> None:
    # Opening as the writer with migrations on fails: it may not create the migrations' table. Hence
    # KIROKU_MIGRATE_ON_OPEN=false in the cloud.
    with pytest.raises(errors.InsufficientPrivilege):
        open_pool(deployed["writer"])
    pool = open_pool(deployed["writer"], migrate_schema=False)
    try:
        events = PostgresEventStore(pool)
        result = events.append("counter-1", [_event("c-1")], expected_version=0, command_id="cmd-1")
        assert events.read_stream("counter-1")[0].aggregate_id == "c-1"
        events.mark_append_published(result)
        read_models = PostgresReadModelStore(pool)
        assert read_models.upsert("counters", "c-1", {"total": 1}, 1)
        with pool.connection() as conn:
            _refused(conn, "CREATE TABLE forged (id int)")
            _refused(conn, "DROP TABLE kiroku_events")
            _refused(conn, "SELECT * FROM schema_migrations")
            _refused(conn, "TRUNCATE kiroku_events")
    finally:
        pool.close()


def test_the_reader_reads_read_models_and_events_and_writes_nothing(deployed: dict[str, str]) -> None:
    writer = open_pool(deployed["writer"], migrate_schema=False)
    reader = open_pool(deployed["reader"], migrate_schema=False)
    try:
        PostgresEventStore(writer).append(
            "counter-2", [_event("c-2")], expected_version=0, command_id="cmd-2"
        )
        PostgresReadModelStore(writer).upsert("command_outcomes", "cmd-2", {"status": "ACCEPTED"}, 1)
        reads = PostgresReadModelStore(reader)
        found = reads.get("command_outcomes", "cmd-2")
        assert found is not None
        assert found.data == {"status": "ACCEPTED"}
        assert [event.aggregate_id for event in PostgresEventStore(reader).read_stream("counter-2")] == [
            "c-2"
        ]
        with pytest.raises(errors.InsufficientPrivilege):
            reads.upsert("command_outcomes", "cmd-forged", {"status": "ACCEPTED"}, 1)
        with pytest.raises(errors.InsufficientPrivilege):
            PostgresEventStore(reader).append("counter-2", [_event("c-2")], expected_version=1)
        with reader.connection() as conn:
            readable = {
                row[0]
                for row in conn.execute(
                    "SELECT table_name FROM information_schema.role_table_grants"
                    " WHERE grantee = current_user AND privilege_type = 'SELECT'"
                )
            }
            assert readable == set(READER_TABLES)
            privileges = {
                row[0]
                for row in conn.execute(
                    "SELECT privilege_type FROM information_schema.role_table_grants"
                    " WHERE grantee = current_user"
                )
            }
            assert privileges == {"SELECT"}
            tables = {
                row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            }
            assert {"kiroku_commands", "kiroku_outbox", "kiroku_snapshots", "schema_migrations"} <= tables
            for table in sorted(tables - set(READER_TABLES)):
                _refused(conn, f'SELECT * FROM "{table}"')  # noqa: S608 - the server's own table names
            _refused(conn, "CREATE TABLE forged (id int)")
            _refused(conn, "DELETE FROM kiroku_read_models")
    finally:
        writer.close()
        reader.close()


def test_the_reader_answers_the_admins_projection_status_and_integrity_report(
    deployed: dict[str, str],
) -> None:
    """What GraphQL's admin fields run, as the door's role: one pass over the log in order and the store's
    own bookkeeping checks, read-only."""
    writer = open_pool(deployed["writer"], migrate_schema=False)
    reader = open_pool(deployed["reader"], migrate_schema=False)
    try:
        written = PostgresEventStore(writer)
        for number in range(3):
            written.append(f"counter-report-{number}", [_event(f"r-{number}")], expected_version=0)
        as_writer = check_integrity(written)
        as_reader = check_integrity(PostgresEventStore(reader))
        assert as_reader.problems == []
        assert (as_reader.events, as_reader.streams) == (as_writer.events, as_writer.streams)
        statuses = projection_status(PostgresEventStore(reader), PostgresReadModelStore(reader))
        head = max(event.position or 0 for event in written.iter_log())
        assert {status.head_position for status in statuses} == {head}
    finally:
        writer.close()
        reader.close()


def test_running_the_step_again_migrates_nothing_and_rotates_the_passwords(
    server: str, deployed: dict[str, str]
) -> None:
    rotated = {
        "writer": url(server, WRITER, "writer-secret-2"),
        "reader": url(server, READER, "reader-secret-2"),
    }
    assert deploy(deployed["owner"], rotated["writer"], rotated["reader"]) == []
    for role in ("writer", "reader"):
        with psycopg.connect(rotated[role]) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(deployed[role]).close()
    deploy(deployed["owner"], deployed["writer"], deployed["reader"])


def test_the_step_refuses_roles_it_cannot_tell_apart_and_names_missing_settings(
    server: str, deployed: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(DeployError, match="three different roles"):
        deploy(deployed["owner"], deployed["writer"], deployed["writer"])
    with pytest.raises(DeployError, match="user and password"):
        deploy(deployed["owner"], deployed["writer"], url(server, READER))
    monkeypatch.delenv("KIROKU_READER_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", deployed["owner"])
    monkeypatch.setenv("KIROKU_WRITER_DATABASE_URL", deployed["writer"])
    assert main([]) == 2
    assert "KIROKU_READER_DATABASE_URL" in capsys.readouterr().err
