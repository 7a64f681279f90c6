"""Ports for the local cloud's servers: picked before any of them binds, so they must never repeat; with
a range of the process's own, only from it."""

from __future__ import annotations

import socket

import pytest

from emulators.processes import PORT_RANGE, ServiceStartError, free_port

SERVERS = 300


def test_ports_handed_out_never_repeat_and_are_free() -> None:
    ports = [free_port() for _ in range(SERVERS)]
    assert len(set(ports)) == SERVERS
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", ports[-1]))


def test_with_a_range_every_port_comes_from_it_and_a_port_in_use_is_passed_over(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The high end of the ephemeral range: free here, and never one of another test's ranges.
    low, high = 60900, 60919
    monkeypatch.setenv(PORT_RANGE, f"{low}-{high}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", low))
        taken.listen()
        ports = [free_port() for _ in range(high - low)]
        assert sorted(ports) == list(range(low + 1, high + 1))
        with pytest.raises(ServiceStartError, match=PORT_RANGE):
            free_port()
