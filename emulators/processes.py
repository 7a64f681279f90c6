"""Child processes of the local cloud: started in their own process group, stopped with all they spawned.

The gcloud launchers are shell scripts that start a `java` child, and functions-framework may fork
workers, so stopping the direct child is not enough. Each managed process leads a new session; stopping
signals the whole group, then kills any descendant that escaped it (found through psutil before the
signal), so nothing is left behind and nothing is ever stopped by name.
"""

from __future__ import annotations

import itertools
import logging
import os
import random
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import IO

import psutil
import requests

logger = logging.getLogger(__name__)


class ServiceStartError(RuntimeError):
    """A local service did not come up; the message carries the tail of its log."""


# Where the local cloud's servers listen: `low-high`, when several processes on one machine start local
# clouds side by side (the test suite's workers each get a range of their own); any free port otherwise.
PORT_RANGE = "KIROKU_PORT_RANGE"

_ports_handed_out: set[int] = set()
_ports_lock = threading.Lock()


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now, and that this process never handed out.

    The probe is closed before the caller's server binds, so the kernel may offer the same port to the next
    probe: a stack picks ports for thirty-odd servers before any of them binds, and two got the same one.
    Another process probing at the same moment could be offered it too, which a range of this process's
    own (`KIROKU_PORT_RANGE`) rules out.
    """
    with _ports_lock:
        for wanted in _wanted_ports():
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                try:
                    probe.bind(("127.0.0.1", wanted))
                except OSError:
                    continue  # in use
                port = int(probe.getsockname()[1])
            if port not in _ports_handed_out:
                _ports_handed_out.add(port)
                return port
    raise ServiceStartError(f"no free port left in {PORT_RANGE}={os.environ.get(PORT_RANGE)}")


def _wanted_ports() -> Iterable[int]:
    """Each port of the range once, from a random one on (0 without a range: the kernel's choice)."""
    span = os.environ.get(PORT_RANGE)
    if not span:
        return itertools.repeat(0)
    low, high = (int(bound) for bound in span.split("-"))
    start = random.randint(low, high)  # noqa: S311 - spreading probes, not a secret
    return itertools.chain(range(start, high + 1), range(low, start))


def http_ok(url: str, timeout: float = 1.0) -> bool:
    """Whether `url` answers 200 (any connection problem counts as not yet)."""
    try:
        return requests.get(url, timeout=timeout).status_code == 200
    except requests.RequestException:
        return False


class ManagedProcess:
    """One child process with its own process group and log file."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = dict(env) if env is not None else None
        self.cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        logger.info("starting %s: %s", self.name, " ".join(self.argv))
        self._process = subprocess.Popen(
            self.argv,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            cwd=self.cwd,
            start_new_session=True,
        )

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def wait_until(self, ready: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll `ready` until it holds; fail with the log tail if the process dies or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise ServiceStartError(
                    f"{self.name} exited with code {self._process.returncode if self._process else '?'} "
                    f"before {what}; last lines of {self.log_path}:\n{self.log_tail()}"
                )
            if ready():
                return
            time.sleep(0.1)
        self.stop()
        raise ServiceStartError(
            f"{self.name} did not become ready ({what}) within {timeout:.0f}s; "
            f"last lines of {self.log_path}:\n{self.log_tail()}"
        )

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the process group, wait, then SIGKILL the group and every remaining descendant."""
        process = self._process
        if process is None:
            return
        descendants = _descendants(process.pid)
        if process.poll() is None or descendants:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGTERM)
            _, alive = psutil.wait_procs(descendants, timeout=grace)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(grace / 2, 1.0))
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            for straggler in alive:
                with suppress(psutil.NoSuchProcess):
                    straggler.kill()
            psutil.wait_procs(alive, timeout=grace)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
        if self._log is not None:
            self._log.close()
            self._log = None
        self._process = None


def _descendants(pid: int) -> list[psutil.Process]:
    return process_tree(pid)[1:]


def process_tree(pid: int) -> list[psutil.Process]:
    """The process and every descendant of it alive now; none when it is gone."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
