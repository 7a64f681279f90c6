"""A local cloud of the operations tests' own, once per storage backend, as `make run` starts it: every
function behind the runner, the emulators, the Auth emulator, and the `stack.json` that
`python -m emulators run` writes, which is how the `kiroku` command finds a running cloud.

Its own, and without the end-to-end suite's fault injection: the seed test needs it empty, a rebuild is
compared with live models that nothing else is changing, and a poison message must fail for its own
reason only. Damage "by hand" is done here the way an operator's slip or a bad migration would do it:
straight in the database or the Firestore documents, past every check of the stores.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from google.cloud import firestore
from psycopg import sql
from typer.testing import CliRunner, Result

from emulators.auth_users import AuthEmulatorUsers
from emulators.demo import ADMIN_EMAIL, DEMO_USERS
from emulators.stack import LocalCloud, StackOptions
from kiroku_cli.main import app
from shared.bus.manifest import Manifest
from shared.eventstore.firestore import version_id
from shared.readmodels.firestore import records_collection
from shared.storage import Storage
from tests.e2e.conftest import GraphQL, until

PROJECT = "kiroku-cli"


@dataclass
class Cloud:
    """The running local cloud, its clients, and the `kiroku` command pointed at it."""

    cloud: LocalCloud
    backend: str
    state_dir: Path
    admin: GraphQL
    writer: GraphQL
    storage: Storage

    @property
    def environment(self) -> dict[str, str]:
        return self.cloud.environment()

    def kiroku(self, *args: str, code: int | None = 0, target: list[str] | None = None) -> Result:
        """`kiroku --state-dir <this cloud's> ARGS` in this process (typer's runner), or with the `target`
        options instead; `code`: the exit code it must end with (None: any)."""
        options = target if target is not None else ["--state-dir", str(self.state_dir)]
        result = CliRunner().invoke(app, [*options, *args], catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, f"kiroku {' '.join(args)}: {result.exit_code}\n{result.output}"
        return result

    def kiroku_json(self, *args: str, code: int | None = 0, target: list[str] | None = None) -> Any:
        """The JSON `kiroku ARGS --json` prints."""
        return json.loads(self.kiroku(*args, "--json", code=code, target=target).stdout)

    def completed_order(self) -> tuple[str, str]:
        """A one-line order of the demo catalogue placed by the writer and run to its saga's end: its
        correlation id (the placeOrder commandId) and its id."""
        self.kiroku_json("seed")  # fixed ids, so nothing twice
        placed = self.writer.data(
            'mutation { placeOrder(input: {lines: [{productId: "tea-sencha-classic", quantity: 1}], '
            'paymentToken: "tok_ok", shippingAddress: "1 Market Street"}) { commandId order { id status } } }'
        )["placeOrder"]
        assert placed["order"]["status"] == "COMPLETED"
        order_id: str = placed["order"]["id"]
        # The order answers COMPLETED before its saga records the completion and ends.
        until(lambda: self.kiroku_json("saga", order_id)["timeline"][-1]["event"] == "SagaEnded")
        return placed["commandId"], order_id

    # Damage by hand ----------------------------------------------------------------------------------

    def _firestore(self) -> firestore.Client:
        return firestore.Client(project=self.cloud.options.project_id)

    def event_field(self, stream_id: str, version: int, field: str) -> Any:
        """A stored event's column (PostgreSQL) or document field (Firestore), as stored."""
        if self.backend == "postgres":
            with psycopg.connect(self.environment["DATABASE_URL"]) as conn:
                row = conn.execute(
                    f"SELECT {field}::text FROM kiroku_events WHERE stream_id = %s AND version = %s",  # noqa: S608
                    (stream_id, version),
                ).fetchone()
            assert row is not None
            return row[0]
        document = self._firestore().collection("streams").document(stream_id).collection("events")
        return document.document(version_id(version)).get().get(field)

    def set_event_field(self, stream_id: str, version: int, field: str, value: Any) -> None:
        """Overwrite a stored event's payload (JSON text) or version, as no append ever would."""
        if self.backend == "postgres":
            cast = "::json" if field == "payload" else ""
            with psycopg.connect(self.environment["DATABASE_URL"], autocommit=True) as conn:
                changed = conn.execute(
                    f"UPDATE kiroku_events SET {field} = %s{cast} WHERE stream_id = %s AND version = %s",  # noqa: S608
                    (value, stream_id, version),
                ).rowcount
            assert changed == 1
            return
        events = self._firestore().collection("streams").document(stream_id).collection("events")
        events.document(version_id(version)).update({field: value})

    def delete_event(self, stream_id: str, version: int) -> Callable[[], None]:
        """Delete a stored event; returns what puts it back, as it was."""
        if self.backend == "postgres":
            backup = sql.Identifier(f"kiroku_test_deleted_{version}")
            where = (stream_id, version)
            with (
                psycopg.connect(self.environment["DATABASE_URL"], autocommit=True) as conn,
                conn.transaction(),
            ):
                conn.execute(
                    sql.SQL(
                        "CREATE TABLE {} AS SELECT * FROM kiroku_events WHERE stream_id = %s AND version = %s"
                    ).format(backup),
                    where,
                )
                deleted = conn.execute(
                    "DELETE FROM kiroku_events WHERE stream_id = %s AND version = %s", where
                )
                assert deleted.rowcount == 1

            def restore_row() -> None:
                with (
                    psycopg.connect(self.environment["DATABASE_URL"], autocommit=True) as conn,
                    conn.transaction(),
                ):
                    conn.execute(sql.SQL("INSERT INTO kiroku_events SELECT * FROM {}").format(backup))
                    conn.execute(sql.SQL("DROP TABLE {}").format(backup))

            return restore_row
        document = self._firestore().collection("streams").document(stream_id).collection("events")
        reference = document.document(version_id(version))
        kept = reference.get().to_dict()
        assert kept is not None
        reference.delete()
        return lambda: reference.set(kept)

    def set_record_field(self, model: str, key: str, field: str, value: Any) -> None:
        """Overwrite one field of a read-model record, keeping its version."""
        if self.backend == "postgres":
            with psycopg.connect(self.environment["DATABASE_URL"], autocommit=True) as conn:
                changed = conn.execute(
                    "UPDATE kiroku_read_models SET data = jsonb_set(data, %s, %s::jsonb)"
                    " WHERE model = %s AND key = %s",
                    ([field], json.dumps(value), model, key),
                ).rowcount
            assert changed == 1
            return
        self._firestore().collection(records_collection(model)).document(key).update({f"data.{field}": value})


@pytest.fixture(scope="package", params=["postgres", "firestore"])
def cloud(request: pytest.FixtureRequest, server_dir: Callable[[str], Path]) -> Iterator[Cloud]:
    state_dir = server_dir(f"cli-{request.param}")
    options = StackOptions(
        project_id=PROJECT,
        storage=request.param,
        auth=True,
        state_dir=state_dir,
        manifest=Manifest.load(),
        extra_env={"ADMIN_EMAIL": ADMIN_EMAIL},
    )
    with LocalCloud(options) as cloud:
        assert cloud.runner is not None
        environment = cloud.environment()
        functions = {name: cloud.runner.url(name) for name in cloud.runner.servers}
        # What `python -m emulators run` writes (emulators/__main__.py), for `kiroku` to find this cloud.
        (state_dir / "stack.json").write_text(
            json.dumps({"environment": environment, "functions": functions, "pids": cloud.pids()})
        )
        users = AuthEmulatorUsers(environment["FIREBASE_AUTH_EMULATOR_HOST"], PROJECT)
        admin, writer = (
            users.ensure_user(*DEMO_USERS[role], email_verified=True) for role in ("admin", "writer")
        )
        with cloud.open_storage() as storage:
            yield Cloud(
                cloud,
                request.param,
                state_dir,
                GraphQL(functions["graphql"], admin.id_token),
                GraphQL(functions["graphql"], writer.id_token),
                storage,
            )
