"""Ports for the local cloud's servers: picked before any of them binds, so they must never repeat; with
a range of the process's own, only from it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from emulators.processes import PORT_RANGE, ServiceStartError, free_port
from tests.conftest import FIRST_WORKER_PORT, WORKER_PORTS

SERVERS = 300


def test_ports_handed_out_never_repeat_and_are_free() -> None:
    ports = [free_port() for _ in range(SERVERS)]
    assert len(set(ports)) == SERVERS
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", ports[-1]))


def test_with_a_range_every_port_comes_from_it_and_a_port_in_use_is_passed_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Below the kernel's ephemeral ports, which a port of the kernel's choice (another test's, handed out
    # by this process, or a client's connection) may take, and above the test workers' ranges.
    low, high = 31900, 31919
    ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    assert high < ephemeral_low
    assert low >= FIRST_WORKER_PORT + WORKER_PORTS * 3
    monkeypatch.setenv(PORT_RANGE, f"{low}-{high}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", low))
        taken.listen()
        ports = [free_port() for _ in range(high - low)]
        assert sorted(ports) == list(range(low + 1, high + 1))
        with pytest.raises(ServiceStartError, match=PORT_RANGE):
            free_port()
