"""What every list and every mutation answers: pages, and a command's result.

Shared by the catalogue's and the orders' fields. A command's rejection is reported twice, on purpose: in
the result (`status`, `error`) for clients that read it, and as a coded GraphQL error for clients that
only look at `errors`; a status query reports it only in the result.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Generic, TypeVar

import strawberry
from pydantic import BaseModel, ValidationError
from strawberry.types import Info

from functions.graphql.commands import Sent, send_command
from functions.graphql.context import RequestContext
from functions.graphql.errors import api_error
from shared.messages.fields import COMMAND_ID_PATTERN, ID_PATTERN

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# The most records a plain list asked for without `first` or `after` answers (the seed's clients read
# the whole catalogue that way); past it the list is refused, never cut short.
PLAIN_LIST_LIMIT = 500
RequestInfo = Info[RequestContext, None]
Node = TypeVar("Node")


@strawberry.type
class PageInfo:
    has_next_page: bool
    # Pages go forward only (`first`, `after`): a page asked for after a cursor has records before it.
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[Node]):
    cursor: str
    node: Node


@strawberry.type
class Connection(Generic[Node]):
    """A Relay connection: one page of nodes, each with its cursor. GraphQL names it after its node
    (`ProductConnection`, `OrderConnection`), as it names its edges (`ProductEdge`)."""

    edges: list[Edge[Node]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[Node]:
        return [edge.node for edge in self.edges]

    @classmethod
    def page(cls, edges: list[Edge[Node]], has_next_page: bool, after: str | None) -> Connection[Node]:
        """The page of `edges` asked for after the cursor `after` (None: the first page)."""
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )


@strawberry.enum
class CommandStatus(Enum):
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    PENDING = "PENDING"
    TIMED_OUT = "TIMED_OUT"


@strawberry.type
class CommandError:
    code: str
    message: str
    field: str | None


@strawberry.type
class CommandResult:
    command_id: strawberry.ID
    status: CommandStatus
    aggregate_id: strawberry.ID
    version: int | None
    error: CommandError | None


def page_size(first: int | None) -> int:
    size = DEFAULT_PAGE_SIZE if first is None else first
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise api_error("BAD_USER_INPUT", f"first must be between 1 and {MAX_PAGE_SIZE}", field="first")
    return size


def command_result(context: RequestContext, sent: Sent, report_rejection: bool = True) -> CommandResult:
    """The mutation's answer; a rejection is also reported as a coded GraphQL error, except when the
    caller only asked for a status (then REJECTED is the answer, not an error)."""
    outcome = sent.outcome
    if outcome is None:
        status = CommandStatus.TIMED_OUT if sent.timed_out else CommandStatus.PENDING
        return CommandResult(
            command_id=strawberry.ID(sent.command_id),
            status=status,
            aggregate_id=strawberry.ID(sent.aggregate_id),
            version=None,
            error=None,
        )
    error = None
    if outcome.error is not None:
        error = CommandError(
            code=outcome.error.code, message=outcome.error.message, field=outcome.error.field
        )
        if report_rejection:
            context.rejections.append(
                api_error(
                    outcome.error.category,
                    outcome.error.message,
                    reason=outcome.error.code,
                    field=outcome.error.field,
                    commandId=outcome.command_id,
                )
            )
    return CommandResult(
        command_id=strawberry.ID(outcome.command_id),
        status=CommandStatus(outcome.status),
        aggregate_id=strawberry.ID(outcome.aggregate_id),
        version=outcome.version,
        error=error,
    )


@contextmanager
def command_input() -> Iterator[None]:
    """Around a mutation's construction of its command: a value the command's model refuses is a
    BAD_USER_INPUT error naming the input field (camelCase), and nothing is sent."""
    try:
        yield
    except ValidationError as invalid:
        problem = invalid.errors()[0]
        field = ".".join(_camel(str(part)) for part in problem["loc"])
        raise api_error("BAD_USER_INPUT", f"{field}: {problem['msg']}", field=field) from None


def _camel(field: str) -> str:
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


async def send(
    info: RequestInfo,
    command: BaseModel,
    wait: bool,
    command_id: strawberry.ID | None,
    deleting: bool = False,
) -> CommandResult:
    context = info.context
    sent = await send_command(
        context, command, wait, str(command_id) if command_id is not None else None, deleting
    )
    return command_result(context, sent)


# Namespace of the ids the API gives new aggregates of a command whose client chose its id.
_CREATED_IDS = uuid.UUID("2b0f3c54-9a7e-4d41-8f0e-5c6a9e1d7b20")


ENTITY_ID = re.compile(ID_PATTERN)
ANY_COMMAND_ID = re.compile(f"{ID_PATTERN}|{COMMAND_ID_PATTERN}")  # a client's, or one the system derived


def looked_up_id(value: strawberry.ID, field: str = "id", rule: re.Pattern[str] = ENTITY_ID) -> str:
    """The id a lookup asks for, if it is one the id rule allows; otherwise BAD_USER_INPUT, as for any
    other bad argument, rather than a question the stores refuse to be asked."""
    text = str(value)
    if not rule.fullmatch(text):
        raise api_error(
            "BAD_USER_INPUT",
            f"{field} is not an id: ids start with a letter or digit, then letters, digits and _ - . :",
            field=field,
        )
    return text


def new_id(info: RequestInfo, given: strawberry.ID | None, command_id: strawberry.ID | None) -> str:
    """The id of an aggregate a command creates: the client's, else one derived from the client's command
    id (a retry with that id then addresses the same aggregate, and answers the first outcome), else new."""
    if given is not None:
        return str(given)
    if command_id is not None:
        return str(uuid.uuid5(_CREATED_IDS, f"{info.context.actor.uid}:{command_id}"))
    return str(uuid.uuid4())


@strawberry.type
class CommandQuery:
    @strawberry.field
    def command_status(self, info: RequestInfo, id: strawberry.ID) -> CommandResult | None:
        context = info.context
        outcome = context.outcomes.get(looked_up_id(id, rule=ANY_COMMAND_ID))
        if outcome is None or (context.actor.role != "admin" and outcome.actor_uid != context.actor.uid):
            return None
        return command_result(
            context, Sent(outcome.command_id, outcome.aggregate_id, outcome, False), report_rejection=False
        )
