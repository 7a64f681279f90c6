"""`make run` starts the whole local cloud with its demo data (once), its options do what they say,
`make token` signs in to it, and Ctrl-C leaves no process of it behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import requests

from emulators.processes import process_tree

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# The demo catalogue, and a field only an admin may read.
DEMO_QUERY = '{ categories { id } products { id } deadLetters(function: "place-order") { messageId } }'
CREATE = 'mutation { createCategory(input: {id: "made-here", name: "Made here"}) { status } }'


def _developer_environment() -> dict[str, str]:
    """The environment of a developer's shell: none of the settings other tests' clouds exported."""
    stack_variables = ("KIROKU_", "DATABASE_URL", "GOOGLE_CLOUD_PROJECT", "ADMIN_EMAIL")
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(stack_variables) and not name.endswith("_EMULATOR_HOST")
    }


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@dataclass
class Running:
    """A `make run` that said it is running: what it wrote to stack.json and what it printed."""

    stack: dict[str, Any]
    output: list[str]
    processes: list[psutil.Process]

    @property
    def graphql_url(self) -> str:
        url: str = self.stack["functions"]["graphql"]
        return url

    def ask(self, query: str, token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer: dict[str, Any] = requests.post(
            self.graphql_url, json={"query": query}, headers=headers, timeout=60
        ).json()
        return answer


@contextmanager
def _make_run(state_dir: Path, *options: str) -> Iterator[Running]:
    """`make run` with these options, stopped with Ctrl-C afterwards; then nothing of it may be left."""
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"RUN_ARGS=--state-dir {state_dir} {' '.join(options)}"],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job is
        env={**_developer_environment(), "COLUMNS": "200"},
    )
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert make.stdout is not None
        for line in make.stdout:
            output.append(line)
            if "Kiroku is running" in line:
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    processes: dict[int, psutil.Process] = {}
    try:
        assert ready.wait(180), "make run never said it was running:\n" + "".join(output)
        stack = json.loads((state_dir / "stack.json").read_text())
        processes = {process.pid: process for process in process_tree(make.pid)}
        for pid in stack["pids"]:
            processes.update({process.pid: process for process in process_tree(pid)})
        yield Running(stack, output, list(processes.values()))
    finally:
        os.killpg(make.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        make.wait(timeout=90)
        reader.join(timeout=5)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(process) for process in processes.values()):
        time.sleep(0.2)
    left = [f"{process.pid} {process.name()}" for process in processes.values() if _alive(process)]
    assert left == [], f"processes left behind after Ctrl-C: {left}\n" + "".join(output)
    assert "stopped." in "".join(output)


def _make_token(state_dir: Path, user: str = "admin") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "--silent",
            "token",
            f"USER={user}",
            f"TOKEN_ARGS=--state-dir {state_dir}",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=_developer_environment(),
        timeout=120,
        check=False,
    )


def test_make_run_serves_the_demo_once_fresh_empties_it_and_ctrl_c_stops_every_process(
    server_dir: Callable[[str], Path],
) -> None:
    state_dir = server_dir("make-run")
    with _make_run(state_dir) as running:  # kept data: not --fresh
        names = " ".join(process.name() for process in running.processes if _alive(process))
        assert "java" in names, names  # the emulator launchers' detached children are in the tree
        assert "postgres" in names, names
        printed = "".join(running.output)
        assert "PUBSUB_EMULATOR_HOST" in printed
        assert "DATABASE_URL" in printed
        assert "demo catalogue:" in printed
        # Where the start's time went, phase by phase, and since `make run` began.
        answering = next(line for line in running.output if line.startswith("answering: "))
        assert "emulators, database and functions" in answering, answering
        assert "web app start" in answering, answering
        assert "after `make run` began, set-up included" in answering, answering
        assert "demo data: demo catalogue" in printed
        web_url = running.stack["web"]
        assert printed.index(web_url) < printed.index("PUBSUB_EMULATOR_HOST"), printed  # its URL first
        storefront = requests.get(web_url, timeout=60)
        assert storefront.status_code == 200
        assert "Arita Yunomi" in storefront.text  # the demo catalogue's first product by name
        token = _make_token(state_dir)
        assert token.returncode == 0, token.stderr
        assert token.stdout.strip().count(".") == 2, token.stdout  # a JWT
        first = running.ask(DEMO_QUERY, token.stdout.strip())
        assert "errors" not in first, first  # deadLetters answered: the token is the demo admin's
        assert first["data"]["categories"], first
        assert first["data"]["products"], first
    # Started again on the same data, it finds the catalogue there and creates nothing twice.
    with _make_run(state_dir) as again:
        assert "demo catalogue: present" in "".join(again.output)
        kept = again.ask("{ categories { id } products { id } }")["data"]
    assert kept == {key: first["data"][key] for key in ("categories", "products")}
    # --fresh starts from an empty database; without the Auth emulator nobody signs in, so no demo either.
    with _make_run(state_dir, "--fresh", "--no-auth") as bare:
        assert "FIREBASE_AUTH_EMULATOR_HOST" not in bare.stack["environment"]
        assert bare.ask("{ categories { id } products { id } }") == {
            "data": {"categories": [], "products": []}
        }
        refused = bare.ask(CREATE)
        assert [error["extensions"]["code"] for error in refused["errors"]] == ["UNAUTHENTICATED"]
        token = _make_token(state_dir)
        assert token.returncode != 0
        assert "without the Auth emulator" in token.stdout + token.stderr


def test_make_run_on_firestore_without_the_demo(server_dir: Callable[[str], Path]) -> None:
    state_dir = server_dir("make-run-firestore")
    with _make_run(state_dir, "--fresh", "--storage firestore", "--no-demo") as running:
        environment = running.stack["environment"]
        assert environment["KIROKU_STORAGE"] == "firestore"
        assert "FIRESTORE_EMULATOR_HOST" in environment
        assert "DATABASE_URL" not in environment
        assert running.ask("{ categories { id } }") == {"data": {"categories": []}}
        token = _make_token(state_dir)
        assert token.returncode == 0, token.stderr
        created = running.ask(CREATE, token.stdout.strip())
        assert created == {"data": {"createCategory": {"status": "ACCEPTED"}}}, created
        assert running.ask("{ categories { id } }") == {"data": {"categories": [{"id": "made-here"}]}}
