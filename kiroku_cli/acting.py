"""Running a command against its target: resolved once per invocation, closed at the end, and the
failures that mean "cannot act there" (no stack, a database or emulator that does not answer, a wrong
name) turned into a message and exit code 2 instead of a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import typer
from google.api_core.exceptions import GoogleAPICallError, RetryError
from google.auth.exceptions import DefaultCredentialsError
from psycopg_pool import PoolTimeout

from kiroku_cli.output import UNUSABLE, fail
from kiroku_cli.target import NoTarget, Target, TargetOptions
from shared.application.dead_letters import UnknownFunction
from shared.application.operations import UnknownName
from shared.eventstore.errors import EventStoreError
from shared.readmodels.store import InvalidReadModelInput

UNREACHABLE = (
    psycopg.OperationalError,
    PoolTimeout,
    GoogleAPICallError,
    RetryError,
    DefaultCredentialsError,
)


@contextmanager
def acting(ctx: typer.Context) -> Iterator[Target]:
    """The invocation's target, closed when the command ends."""
    options = ctx.find_root().obj
    if not isinstance(options, TargetOptions):
        options = TargetOptions()
    try:
        target = options.resolve()
    except NoTarget as error:
        raise fail(str(error)) from None
    try:
        yield target
    except (UnknownName, UnknownFunction, InvalidReadModelInput) as error:
        raise fail(str(error)) from None
    except UNREACHABLE as error:
        raise fail(f"cannot reach the {target.describe}: {error}", UNUSABLE) from None
    except EventStoreError as error:
        raise fail(f"the event store of the {target.describe} refused: {error}", UNUSABLE) from None
    finally:
        target.close()
