"""Ports for the local cloud's servers: picked before any of them binds, so they must never repeat."""

from __future__ import annotations

import socket

from emulators.processes import free_port

SERVERS = 300


def test_ports_handed_out_never_repeat_and_are_free() -> None:
    ports = [free_port() for _ in range(SERVERS)]
    assert len(set(ports)) == SERVERS
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", ports[-1]))
