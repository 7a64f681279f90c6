"""Read models on PostgreSQL: one table for every model, keyed by (model, key), the record as JSONB.

Why one table: projectors come and go, and each would otherwise need its own migration before its first
event; with one table a new read model needs none, and `drop` is one DELETE. Filters are real SQL:
equality filters become one JSONB containment test (`data @> '{"status": "paid"}'`), served by the GIN
index `kiroku_read_models_data` (shared/eventstore/schema.sql), `contains` a containment test of its
field and ranges JSONB number comparisons; key order and keyset pagination ride the primary key. Ordering
by a field sorts the filtered rows; a read model that lists many rows by a field gets its own expression
index in a migration (0007's `kiroku_read_models_by_name` on (model, (data -> 'name'), key)), the
PostgreSQL twin of its composite indexes in firestore.indexes.json. A tombstone is a row whose data is
NULL: it keeps the version, so an older upsert after a delete finds it and changes nothing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from pydantic import JsonValue

from shared.readmodels.changes import Change, Watch, Watchers
from shared.readmodels.store import ListQuery, ReadModelStore, ReadRecord

logger = logging.getLogger(__name__)
_LISTEN_WAIT_SECONDS = 5.0
_INT64 = (-(2**63), 2**63 - 1)
_RECONNECT_SECONDS = 1.0

_WRITE = (
    "INSERT INTO kiroku_read_models (model, key, version, data) VALUES (%s, %s, %s, %s)"
    " ON CONFLICT (model, key) DO UPDATE"
    " SET version = EXCLUDED.version, data = EXCLUDED.data, updated_at = now()"
    " WHERE kiroku_read_models.version < EXCLUDED.version RETURNING 1"
)


class PostgresReadModelStore(ReadModelStore):
    def __init__(self, pool: ConnectionPool[psycopg.Connection[Any]]) -> None:
        self._pool = pool
        self._watchers = Watchers()
        self._listener: _Listener | None = None
        self._listener_lock = threading.Lock()

    def _get_many(self, model: str, keys: list[str]) -> dict[str, ReadRecord]:
        with self._pool.connection() as conn:
            rows = conn.execute(
                "SELECT key, version, data FROM kiroku_read_models"
                " WHERE model = %s AND key = ANY(%s) AND data IS NOT NULL",
                (model, keys),
            ).fetchall()
        return {key: ReadRecord(key, version, data) for key, version, data in rows}

    def _write(self, model: str, key: str, data: dict[str, JsonValue] | None, version: int) -> bool:
        with self._pool.connection() as conn:
            applied = conn.execute(_WRITE, (model, key, version, Jsonb(data) if data is not None else None))
            return applied.fetchone() is not None

    def _upsert(self, model: str, key: str, data: dict[str, JsonValue], version: int) -> bool:
        return self._write(model, key, data, version)

    def _delete(self, model: str, key: str, version: int) -> bool:
        return self._write(model, key, None, version)

    def _list(self, query: ListQuery, fetch: int) -> list[ReadRecord]:
        conditions: list[sql.Composable] = [sql.SQL("model = %s"), sql.SQL("data IS NOT NULL")]
        params: list[Any] = [query.model]
        if query.where:
            conditions.append(sql.SQL("data @> %s"))
            params.append(Jsonb(query.where))
        # `contains` and ranges test one field's value, which no index holds: in a list ordered by a field
        # the planner then walks that field's index and filters, reading about a page's worth of rows
        # when many match, rather than fetching every match to sort it.
        if query.contains is not None:
            field_name, value = query.contains
            conditions.append(sql.SQL("(data -> {}) @> %s").format(sql.Literal(field_name)))
            params.append(Jsonb([value]))
        for field_name, low, high in query.ranges:
            # Bounded on both sides by numbers: JSONB orders null and strings below every number,
            # booleans, arrays and objects above, so only numbers are in range.
            ranged = sql.SQL("(data -> {})").format(sql.Literal(field_name))
            conditions.append(sql.SQL("{} BETWEEN %s AND %s").format(ranged))
            params.extend(
                [Jsonb(_INT64[0] if low is None else low), Jsonb(_INT64[1] if high is None else high)]
            )
        direction = sql.SQL("DESC" if query.descending else "ASC")
        after = sql.SQL("<" if query.descending else ">")
        if query.order_by is None:
            order = sql.SQL("key {}").format(direction)
            if query.after is not None:
                conditions.append(sql.SQL("key {} %s").format(after))
                params.append(query.after[1])
        else:
            field = sql.Literal(query.order_by)
            sort_value = sql.SQL("data -> {}").format(field)
            conditions.append(sql.SQL("data ? {}").format(field))
            order = sql.SQL("{} {}, key {}").format(sort_value, direction, direction)
            if query.after is not None:
                conditions.append(sql.SQL("({}, key) {} (%s, %s)").format(sort_value, after))
                params.extend([Jsonb(query.after[0]), query.after[1]])
        statement = sql.SQL("SELECT key, version, data FROM kiroku_read_models WHERE {} ORDER BY {} LIMIT %s")
        params.append(fetch)
        with self._pool.connection() as conn:
            rows = conn.execute(statement.format(sql.SQL(" AND ").join(conditions), order), params).fetchall()
        return [ReadRecord(key, version, data) for key, version, data in rows]

    def _start_watching(self, watch: Watch) -> None:
        with self._listener_lock:
            if self._listener is None:
                self._listener = _Listener(str(self._pool.conninfo), self._watchers.dispatch)
        self._watchers.add(watch)
        self._listener.wait_listening()

    def _stop_watching(self, watch: Watch) -> None:
        self._watchers.remove(watch)

    def _drop(self, model: str) -> None:
        with self._pool.connection() as conn:
            conn.execute("DELETE FROM kiroku_read_models WHERE model = %s", (model,))


class _Listener:
    """One connection that LISTENs for the notices of migration 0006 and hands each to `tell`; it
    reconnects when the connection breaks (the notices meanwhile are lost, which waiters allow for)."""

    def __init__(self, conninfo: str, tell: Callable[[Change], None]) -> None:
        self._conninfo = conninfo
        self._tell = tell
        self._listening = threading.Event()
        threading.Thread(target=self._run, name="read-model-notices", daemon=True).start()

    def wait_listening(self) -> None:
        """Wait (briefly) for the first LISTEN: a watch opened before it would miss its first notices."""
        self._listening.wait(timeout=_LISTEN_WAIT_SECONDS)

    def _run(self) -> None:
        while True:
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute("LISTEN kiroku_read_model_changes")
                    self._listening.set()
                    for notice in conn.notifies():
                        self._tell(_change(notice.payload))
            except psycopg.Error as error:
                self._listening.clear()
                logger.warning("listening for read-model changes failed, reconnecting: %s", error)
                time.sleep(_RECONNECT_SECONDS)


def _change(payload: str) -> Change:
    notice = json.loads(payload)
    return Change(notice["model"], notice["key"], int(notice["version"]), notice["status"])
