"""Faults the local cloud injects into the functions themselves (the runner's `FaultInjection` says which).

A crash between an append's commit and its publication is the worst moment for a command handler: the
events are stored, their outcome is not recorded and nobody has published them. Real instances die there
(an out-of-memory kill, a deploy); this makes one die there on purpose, through the handler's after-commit
seam (`functions.runtime.install_after_commit`), so the tests can prove the redelivery finishes the work.
Nothing in the production code reads a fault setting.
"""

from __future__ import annotations

import logging
import os

from shared.application.commands import AfterCommit
from shared.bus.subscription_filter import parse_filter
from shared.messages.envelope import Envelope

logger = logging.getLogger(__name__)

CRASH_EXIT_STATUS = 70


def crash_after_commit(commands: str) -> AfterCommit:
    """A hook that kills the process once the first delivery of a command matching `commands` (a Pub/Sub
    subscription filter on the message's attributes) has committed."""
    crashes = parse_filter(commands)

    def crash(envelope: Envelope, delivery_attempt: int | None) -> None:
        if delivery_attempt == 1 and crashes(envelope.attributes()):
            logger.critical("fault injection: dying between commit and publish of %s", envelope.id)
            os._exit(CRASH_EXIT_STATUS)

    return crash
