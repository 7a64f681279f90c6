"""`make run` starts the whole local cloud, and Ctrl-C leaves no process of it behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import psutil

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _developer_environment() -> dict[str, str]:
    """The environment of a developer's shell: none of the settings other tests' clouds exported."""
    stack_variables = ("KIROKU_", "DATABASE_URL", "GOOGLE_CLOUD_PROJECT", "ADMIN_EMAIL")
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(stack_variables) and not name.endswith("_EMULATOR_HOST")
    }


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_make_run_serves_and_ctrl_c_stops_every_process(tmp_path: Path) -> None:
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"RUN_ARGS=--state-dir {tmp_path} --fresh"],
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
    try:
        assert ready.wait(180), "make run never said it was running:\n" + "".join(output)
        stack = json.loads((tmp_path / "stack.json").read_text())
        processes = {process.pid: process for process in _tree(make.pid)}
        for pid in stack["pids"]:
            processes.update({process.pid: process for process in _tree(pid)})
        names = " ".join(process.name() for process in processes.values() if _alive(process))
        assert "java" in names, names  # the emulator launchers' detached children are in the tree
        assert "postgres" in names, names
        assert len(stack["functions"]) >= 1
        printed = "".join(output)
        assert "PUBSUB_EMULATOR_HOST" in printed
        assert "DATABASE_URL" in printed
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
