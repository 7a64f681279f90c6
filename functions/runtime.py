"""The composition root: what a function instance opens once and reuses across requests (storage,
publisher, gateways, handlers), and the one place that chooses their concrete adapters.

Cloud Functions reuse an instance for many requests; opening the database pool or the Pub/Sub client per
request would dominate latency. Everything here is created on first use, so a function only pays for
what it uses (the GraphQL function never opens a command handler).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from google.cloud.pubsub_v1 import SubscriberClient

from shared.adapters.gateways import payment_gateway, shipping_gateway
from shared.application.aggregates import KINDS
from shared.application.commands import AfterCommit, CommandHandler
from shared.application.facts import FactFinder
from shared.bus.manifest import running_function
from shared.bus.publisher import Publisher
from shared.config import settings
from shared.eventstore.store import SnapshotPolicy
from shared.storage import Storage, open_storage


@cache
def storage() -> Storage:
    policy = SnapshotPolicy(
        {
            kind.aggregate_type: kind.snapshot_every
            for kind in KINDS.values()
            if kind.snapshot_every is not None
        }
    )
    return open_storage(settings(), snapshot_policy=policy)


@cache
def publisher() -> Publisher:
    return Publisher(settings().project_id)


@cache
def subscriber() -> SubscriberClient:
    """For peeking at dead letters (the GraphQL function's admin query)."""
    return SubscriberClient()


_after_commit: list[AfterCommit] = []


def install_after_commit(hook: AfterCommit) -> None:
    """Give this process's command handler a hook between commit and publish: the local cloud's fault
    injection crashes a function there (emulators/faults.py). Only before the handler is first used."""
    if command_handler.cache_info().currsize:
        raise RuntimeError("the command handler is already built: install the hook before serving")
    _after_commit[:] = [hook]


@cache
def command_handler() -> CommandHandler:
    return CommandHandler(
        storage(),
        publisher(),
        FactFinder(storage(), payment_gateway, shipping_gateway),
        after_commit=_after_commit[0] if _after_commit else None,
        redelivery_backoff=_redelivery_backoff(),
    )


def _redelivery_backoff() -> Callable[[int], float] | None:
    """This function's retry policy, from the manifest its subscription was made from (none when the
    function is not in it, as in a test that builds handlers itself)."""
    spec = running_function()
    return spec.retry.backoff_seconds if spec is not None else None
