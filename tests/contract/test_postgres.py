"""What only the PostgreSQL backend promises: a global position in commit order, and its migrations."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from shared.eventstore import ANY, NO_STREAM, ConcurrencyConflict, EventStoreError, MigrationError, Upcasters
from shared.eventstore.integrity import check_integrity
from shared.eventstore.migrations import available, migrate
from shared.eventstore.model import prepare_append
from shared.eventstore.postgres import SEQUENCER_LOCK, SERVER_SETTINGS, PostgresEventStore, open_pool
from shared.eventstore.upcasting import Payload
from tests.contract.factories import event, events
from tests.contract.harness import PostgresHarness

LATER_WRITERS = 3


def _lock_waiters(conn: psycopg.Connection[Any]) -> int:
    """How many sessions of this connection's database wait for a lock."""
    row = conn.execute(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).fetchone()
    return int(row[0]) if row else 0


def _waiting_for_locks(harness: PostgresHarness) -> int:
    with harness.pool.connection() as conn:
        return _lock_waiters(conn)


def _wait_until(condition: Callable[[], object], failure: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, failure
        time.sleep(0.01)


def _blocked_or_done(harness: PostgresHarness, threads: list[threading.Thread]) -> bool:
    return _waiting_for_locks(harness) + sum(not thread.is_alive() for thread in threads) >= len(threads)


def test_a_poller_never_skips_an_append_that_commits_after_later_ones(postgres: PostgresHarness) -> None:
    store = postgres.event_store()
    store.append("counter-first", events("first", 1), NO_STREAM)
    cursor = store.read_all()[-1].position
    seen: list[int] = []
    with psycopg.connect(postgres.uri, autocommit=True) as slow_conn, slow_conn.transaction():
        slow = store.append_within(
            slow_conn, prepare_append("counter-slow", events("slow", 2), NO_STREAM, None)
        )
        later = [
            threading.Thread(target=store.append, args=(f"counter-later-{n}", events(str(n), 1), NO_STREAM))
            for n in range(LATER_WRITERS)
        ]
        for thread in later:
            thread.start()
        _wait_until(lambda: _blocked_or_done(postgres, later), "later appends neither blocked nor finished")
        # The slow append holds positions it has not committed: a poller now must see nothing new.
        seen.extend(recorded.position for recorded in store.read_all(cursor))
    for thread in later:
        thread.join()
    while len(seen) < 2 + LATER_WRITERS:
        page = store.read_all(seen[-1] if seen else cursor)
        assert page, "events went missing"
        seen.extend(recorded.position for recorded in page)
    assert seen == list(range(cursor + 1, cursor + 3 + LATER_WRITERS))
    assert (slow.first_position, slow.last_position) == (cursor + 1, cursor + 2)


def test_appends_that_commit_while_the_sequencer_is_busy_get_positions_in_commit_order(
    postgres: PostgresHarness,
) -> None:
    store = postgres.event_store()
    store.append("counter-first", events("first", 1), NO_STREAM)
    cursor = store.read_all()[-1].position
    with psycopg.connect(postgres.uri, autocommit=True) as slow_conn, slow_conn.transaction():
        with psycopg.connect(postgres.uri, autocommit=True) as sequencer, sequencer.transaction():
            sequencer.execute("SELECT pg_advisory_xact_lock(%s, %s)", SEQUENCER_LOCK)
            slow = store.append_within(
                slow_conn, prepare_append("counter-slow", events("slow", 2), NO_STREAM, None)
            )
            later = [store.append(f"counter-later-{n}", events(str(n), 1), NO_STREAM) for n in range(3)]
            assert [result.first_position for result in [slow, *later]] == [None] * 4
            # Committed, but not positioned while another holds the sequencer: nothing to read yet.
            assert store.read_all(cursor) == []
        # The sequencer is free: a reader positions what committed, not the append still open.
        first_read = store.read_all(cursor)
        assert [(r.position, r.stream_id) for r in first_read] == [
            (cursor + 1 + n, f"counter-later-{n}") for n in range(3)
        ]
    rest = store.read_all(cursor + 3)
    assert [(r.position, r.stream_id) for r in rest] == [
        (cursor + 4, "counter-slow"),
        (cursor + 5, "counter-slow"),
    ]
    slow = store.positioned(slow)
    assert (slow.first_position, slow.last_position) == (cursor + 4, cursor + 5)
    assert store.positioned(later[2]).first_position == cursor + 3
    assert check_integrity(store).ok


def test_an_append_that_races_another_inside_a_transaction_reports_a_conflict(
    postgres: PostgresHarness,
) -> None:
    store = postgres.event_store()
    with (
        psycopg.connect(postgres.uri, autocommit=True) as first,
        psycopg.connect(postgres.uri, autocommit=True) as second,
        ThreadPoolExecutor(1) as pool,
    ):
        with first.transaction():
            store.append_within(first, prepare_append("counter-race", events("a", 1), NO_STREAM, None))
            # Both see an empty stream; the second waits at the primary key for the first to commit.
            racing = pool.submit(_append_in_transaction, store, second)
            _wait_until(lambda: _waiting_for_locks(postgres), "the racing append never waited")
        with pytest.raises(ConcurrencyConflict) as conflict:
            racing.result(timeout=60)
    assert conflict.value.actual == 1
    assert [e.payload for e in store.read_stream("counter-race")] == [events("a", 1)[0].payload]


def test_an_append_in_a_repeatable_read_transaction_is_refused(postgres: PostgresHarness) -> None:
    # A transaction-wide snapshot could give positions the previous sequencer gave already.
    store = postgres.event_store()
    prepared = prepare_append("counter-rr", events("r", 1), NO_STREAM, None)
    with psycopg.connect(postgres.uri, autocommit=True) as conn, conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        with pytest.raises(EventStoreError, match="READ COMMITTED"):
            store.append_within(conn, prepared)
    assert store.stream_version("counter-rr") == 0


def _append_in_transaction(store: PostgresEventStore, conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        store.append_within(conn, prepare_append("counter-race", events("b", 1), ANY, None))


@pytest.mark.parametrize("damage", ["positioned", "twice"])
def test_an_append_waiting_for_positions_twice_is_reported_then_appends_resume_once_removed(
    postgres: PostgresHarness, damage: str
) -> None:
    store = postgres.event_store()
    store.append("stuck-before", events("before", 1), NO_STREAM)
    with postgres.pool.connection() as sequencer, sequencer.transaction():
        sequencer.execute("SELECT pg_advisory_xact_lock(%s, %s)", SEQUENCER_LOCK)
        waiting = store.append("stuck", events("stuck", 2), NO_STREAM)
        assert waiting.first_position is None  # it waits
    with postgres.pool.connection() as conn:
        # By hand, as only the migration race fixed in 0004 did: a second queue row, or a queue row of an
        # append positioned already.
        if damage == "twice":
            conn.execute("INSERT INTO kiroku_waiting SELECT * FROM kiroku_waiting")
        else:
            conn.execute("SELECT kiroku_sequence(NULL, NULL)")
            conn.execute(
                "INSERT INTO kiroku_waiting (append_order, stream_id, first_version, last_version)"
                " SELECT append_order, stream_id, first_version, last_version FROM kiroku_appends"
                " WHERE stream_id = 'stuck'"
            )
    with pytest.raises(EventStoreError, match="run the integrity check"):
        store.append("stuck-after", events("after", 1), NO_STREAM)
    with pytest.raises(EventStoreError, match="run the integrity check"):
        list(store.iter_log())
    with pytest.raises(EventStoreError, match="run the integrity check"):
        store.read_all()
    if damage == "twice":
        with pytest.raises(EventStoreError, match="run the integrity check"):
            store.positioned(waiting)
    else:  # its own position is found without positioning what waits
        assert store.positioned(waiting).first_position == 2

    report = check_integrity(store)
    assert [(problem.kind, problem.stream_id) for problem in report.problems] == [
        ("stuck_sequencer", "stuck")
    ]
    assert ("it has already" if damage == "positioned" else "2 times over") in report.problems[0].detail

    with postgres.pool.connection() as conn:
        if damage == "twice":
            conn.execute("DELETE FROM kiroku_waiting WHERE ctid = (SELECT min(ctid) FROM kiroku_waiting)")
        else:
            conn.execute("DELETE FROM kiroku_waiting")
    store.append("stuck-after", events("after", 1), NO_STREAM)
    assert check_integrity(store).ok
    assert [(event.stream_id, event.position) for event in store.iter_log()] == [
        ("stuck-before", 1),
        ("stuck", 2),
        ("stuck", 3),
        ("stuck-after", 4),
    ]


def test_the_embedded_server_runs_with_the_settings_cloud_sql_gets(postgres: PostgresHarness) -> None:
    with postgres.pool.connection() as conn:
        settings = dict(
            conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", (list(SERVER_SETTINGS),)
            ).fetchall()
        )
    assert settings == SERVER_SETTINGS


def test_read_all_pages_in_position_order_and_upcasts(postgres: PostgresHarness) -> None:
    upcasters = Upcasters()

    @upcasters.register("Renamed", 1)
    def add_locale(payload: Payload) -> Payload:
        return {**payload, "locale": "ja-JP"}

    store = postgres.event_store(upcasters=upcasters)
    store.append("counter-a", events("a", 3), NO_STREAM)
    store.append("person-1", [event("1", "Renamed", payload={"name": "Aoi"})], NO_STREAM)
    store.append("counter-a", events("a", 2, start=3), 3)
    first, rest = store.read_all(0, limit=2), store.read_all(2)
    assert [(r.position, r.stream_id, r.envelope.aggregate_version) for r in first + rest] == [
        (1, "counter-a", 1),
        (2, "counter-a", 2),
        (3, "counter-a", 3),
        (4, "person-1", 1),
        (5, "counter-a", 4),
        (6, "counter-a", 5),
    ]
    assert rest[1].envelope.payload == {"name": "Aoi", "locale": "ja-JP"}


def test_migrations_apply_once_even_when_cold_starts_race(postgres_server: str) -> None:
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute('CREATE DATABASE "kiroku_migrations"')
    url = make_conninfo(postgres_server, dbname="kiroku_migrations")

    together = threading.Barrier(4)

    def cold_start(_: int) -> list[str]:
        with psycopg.connect(url, autocommit=True) as conn:
            return migrate(conn)

    def racing_cold_start(index: int) -> list[str]:
        with psycopg.connect(url, autocommit=True) as conn:
            together.wait(timeout=30)  # all four connected: they migrate at the same moment
            return migrate(conn)

    with ThreadPoolExecutor(4) as pool:
        applied = list(pool.map(racing_cold_start, range(4)))
    assert sorted(applied, key=len) == [[], [], [], [m.name for m in available()]]
    assert cold_start(0) == []
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
        with pytest.raises(MigrationError):
            migrate(conn)


def _database_before_the_queue(postgres_server: str) -> str:
    """A new database at migration 0003, the last without the waiting queue."""
    name = f"kiroku_upgrade_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(postgres_server, dbname=name)
    with psycopg.connect(url, autocommit=True) as conn:
        migrate(conn, up_to=3)
    return url


def _old_append(conn: psycopg.Connection[Any], stream_id: str, count: int = 1) -> int | None:
    """An append as the code before the queue made it; its first position, None while it waits."""
    events_json = prepare_append(stream_id, events(stream_id, count), NO_STREAM, None).events_json
    row = conn.execute(
        "SELECT r_first_position FROM kiroku_append(%s, 0, NULL, %s::json, true)", (stream_id, events_json)
    ).fetchone()
    assert row is not None
    return int(row[0]) if row[0] is not None else None


def _migrating_behind(url: str, hold: Callable[[], object]) -> None:
    """Migrate on another connection; once it waits for a lock the code before it holds, `hold()` ends."""
    with ThreadPoolExecutor(1) as pool, psycopg.connect(url, autocommit=True) as watcher:
        migrating = pool.submit(_migrate, url)
        _wait_until(lambda: _lock_waiters(watcher), "the migration never waited")
        hold()
        assert migrating.result(timeout=60) == [m.name for m in available() if m.version > 3]


def _migrate(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return migrate(conn)


def _read_all_after_the_queue(url: str) -> list[tuple[int, str]]:
    pool = open_pool(url)
    try:
        store = PostgresEventStore(pool)
        assert check_integrity(store).ok
        return [(r.position, r.stream_id) for r in store.read_all()]
    finally:
        pool.close()


def test_the_waiting_queue_migration_keeps_appends_that_wait_for_positions(postgres_server: str) -> None:
    url = _database_before_the_queue(postgres_server)
    with psycopg.connect(url, autocommit=True) as conn, psycopg.connect(url, autocommit=True) as sequencer:
        assert _old_append(conn, "counter-before", 2) == 1
        with sequencer.transaction():
            sequencer.execute("SELECT pg_advisory_xact_lock(%s, %s)", SEQUENCER_LOCK)
            assert _old_append(conn, "counter-waiting") is None
        assert migrate(conn) == [m.name for m in available() if m.version > 3]
    assert _read_all_after_the_queue(url) == [
        (1, "counter-before"),
        (2, "counter-before"),
        (3, "counter-waiting"),
    ]


def test_the_waiting_queue_migration_waits_for_an_old_sequencer(postgres_server: str) -> None:
    # Copied while an old sequencer positions it, an append would end up queued and positioned both.
    url = _database_before_the_queue(postgres_server)
    with psycopg.connect(url, autocommit=True) as conn, psycopg.connect(url, autocommit=True) as sequencer:
        sequencer.execute("BEGIN")
        sequencer.execute("SELECT pg_advisory_xact_lock(%s, %s)", SEQUENCER_LOCK)
        assert _old_append(conn, "counter-w") is None
        sequencer.execute("SELECT kiroku_position_waiting()")
        _migrating_behind(url, lambda: sequencer.execute("COMMIT"))
    assert _read_all_after_the_queue(url) == [(1, "counter-w")]


def test_the_waiting_queue_migration_waits_for_an_old_append(postgres_server: str) -> None:
    # An unpositioned append committing during the move would be lost, or fail the NOT NULL.
    url = _database_before_the_queue(postgres_server)
    with psycopg.connect(url, autocommit=True) as conn, psycopg.connect(url, autocommit=True) as sequencer:
        with sequencer.transaction():
            sequencer.execute("SELECT pg_advisory_xact_lock(%s, %s)", SEQUENCER_LOCK)
            conn.execute("BEGIN")
            assert _old_append(conn, "counter-w") is None
        _migrating_behind(url, lambda: conn.execute("COMMIT"))
    assert _read_all_after_the_queue(url) == [(1, "counter-w")]
