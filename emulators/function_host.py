"""Serves every function of the local cloud, one process each, forked from a parent that imported once.

In the cloud each function is its own server, and the local cloud keeps that: one functions-framework
server process per function, with its own environment, port and log file. What it does not copy is
paying for the imports in every process: google-cloud-pubsub, grpc, flask, gunicorn, pydantic and the
rest cost each Python process about three seconds of CPU, so thirty-odd functions on a laptop's two
cores took minutes to start. This host imports the libraries once and forks one child per function (as
gunicorn's `preload_app` does for workers), so the children share the parent's modules copy-on-write
and start in a fraction of a second.

Only libraries are preloaded, never the project's own modules: those read the environment, which each
child sets to its function's before importing them. Nothing here opens a client or a thread before
forking (grpc must not have a channel open across a fork). The children stay in the host's process
group, so stopping the host's group stops every function and every gunicorn worker they spawned.

Usage: `python -m emulators.function_host SPEC.json`, where the spec lists, per function: name, source,
target, port, environment, log file and which commands to crash after commit (emulators/faults.py).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from emulators.query_shapes import RECORD_VARIABLE, record_query_shapes

# Imported before forking: expensive to import, and nothing in them runs at import time that a fork
# would break. Optional ones (firestore for the Firestore backend) are skipped when absent.
PRELOADED = (
    "functions_framework",
    "functions_framework._http.gunicorn",
    "flask",
    "gunicorn.app.base",
    "google.cloud.pubsub_v1",
    "google.cloud.logging",
    "google.cloud.logging.handlers",
    "google.cloud.firestore",
    "firebase_admin",
    "firebase_admin.auth",
    "psycopg",
    "psycopg_pool",
    "pydantic",
    "pydantic_settings",
    "strawberry",
    "strawberry.flask.views",
    "requests",
    "tenacity",
    "pybreaker",
    "prometheus_client",
    "opentelemetry.sdk.trace",
    "yaml",
    "limits",
    "iso4217",
)
KEEPALIVE_SECONDS = 600


def main(argv: list[str]) -> None:
    functions: list[dict[str, Any]] = json.loads(Path(argv[1]).read_text())
    for module in PRELOADED:
        try:
            importlib.import_module(module)
        except ImportError:
            continue
    children: dict[int, str] = {}
    for function in functions:
        pid = os.fork()
        if pid == 0:
            _serve(function)
        children[pid] = function["name"]
    signal.signal(signal.SIGTERM, lambda *_: _stop(children))
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        name = children.pop(pid, "?")
        print(f"function {name} (pid {pid}) exited: status {status}", file=sys.stderr, flush=True)


def _stop(children: dict[int, str]) -> None:
    for pid in children:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue


def _serve(function: dict[str, Any]) -> None:
    """Become the function's server; never returns."""
    try:
        log = os.open(function["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.environ.clear()
        os.environ.update(function["environment"])
        sys.path.insert(0, function["pythonpath"])
        if function.get("crash_after_commit"):
            from emulators.faults import crash_after_commit
            from functions.runtime import install_after_commit

            install_after_commit(crash_after_commit(function["crash_after_commit"]))
        if function["environment"].get(RECORD_VARIABLE):
            record_query_shapes(Path(function["environment"][RECORD_VARIABLE]))
        from functions_framework import create_app
        from functions_framework._http import create_server

        app = create_app(function["target"], function["source"], "http")  # type: ignore[no-untyped-call]
        # The runner keeps its connections open, as Cloud Run's front end does, rather than connecting
        # for every push; gunicorn would close one idle for 2 s, and a push racing that close is reset.
        server = create_server(app, False, keepalive=KEEPALIVE_SECONDS)  # type: ignore[no-untyped-call]
        server.run("127.0.0.1", int(function["port"]))
    except SystemExit as exit_:  # gunicorn's arbiter and workers leave this way when they stop
        os._exit(exit_.code if isinstance(exit_.code, int) else 0)
    except BaseException:  # the child must never return into the parent's loop
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(1)
    os._exit(0)


if __name__ == "__main__":
    main(sys.argv)
