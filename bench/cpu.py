"""Where a benchmark's CPU goes: the local cloud's processes, grouped by what they are.

The machine's busy time (`bench.bus.busy_cpu_seconds`) says what an order costs; this says who spent
it. Each service's process tree is a group of its own (the Pub/Sub emulator's JVM, PostgreSQL's server
and its backends, the Firestore and Auth emulators, the fake gateway); each function's server (a child
of the function host, told apart by the port its tree listens on) is one; and this process, where the
runner's routers and pushers run beside the benchmark's clients, is one. psutil reads each process's
user and system time, counted in the kernel's clock ticks: over a few orders a group's figure is only
good to a tick or two, and the groups' sum need not match the machine's busy time to the millisecond.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import psutil

from emulators.processes import process_tree
from emulators.stack import LocalCloud

RUNNER = "runner and the benchmark's clients (one process)"
_readings_cost = [0.0]  # CPU seconds this process has spent in cpu_by_group


def _seconds(processes: Iterable[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue  # a process that ended took its time with it: the groups undercount, never overcount
        total += times.user + times.system
    return total


def _listening_ports(processes: Iterable[psutil.Process]) -> set[int]:
    ports: set[int] = set()
    for process in processes:
        try:
            connections = process.net_connections(kind="tcp")
        except psutil.NoSuchProcess:
            continue
        ports |= {
            connection.laddr.port for connection in connections if connection.status == psutil.CONN_LISTEN
        }
    return ports


def cpu_by_group(cloud: LocalCloud) -> dict[str, float]:
    """Each group's CPU seconds so far (user and system, every process of the group alive now)."""
    this_process = psutil.Process()
    began = _seconds([this_process])
    groups: defaultdict[str, float] = defaultdict(float)
    for service in cloud.services:
        groups[service.name] += _seconds(process for pid in service.pids() for process in process_tree(pid))
    runner = cloud.runner
    if runner is not None:
        by_port = {server.port: name for name, server in runner.servers.items()}
        for host_pid in runner.pids():
            host = process_tree(host_pid)[:1]
            groups["function host"] += _seconds(host)
            for child in host[0].children() if host else []:
                tree = process_tree(child.pid)
                names = {by_port[port] for port in _listening_ports(tree) if port in by_port}
                groups[f"function {', '.join(sorted(names)) or '?'}"] += _seconds(tree)
    # What the readings themselves cost this process (listing forty-odd processes' sockets) is left out.
    ended = _seconds([this_process])
    _readings_cost[0] += ended - began
    groups[RUNNER] = ended - _readings_cost[0]
    return dict(groups)


def spent(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    """What each group spent between two readings, the largest first."""
    changes = {group: after.get(group, 0.0) - before.get(group, 0.0) for group in after}
    return dict(sorted(changes.items(), key=lambda item: -item[1]))
