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
from typing import Annotated, Generic, TypeVar

import strawberry
from pydantic import BaseModel, ValidationError
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from functions.graphql.commands import Sent, send_command
from functions.graphql.context import RequestContext
from functions.graphql.errors import api_error
from shared.messages.fields import COMMAND_ID_PATTERN, ID_PATTERN, MAX_COMMAND_ID_LENGTH, MAX_ID_LENGTH

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# The most records a plain list asked for without `first` or `after` answers (the seed's clients read
# the whole catalogue that way); past it the list is refused, never cut short.
PLAIN_LIST_LIMIT = 500
RequestInfo = Info[RequestContext, None]
Node = TypeVar("Node")

# Descriptions many fields and arguments share: the schema's documentation (schema.graphql, GraphiQL).
ID_RULE = f"a letter or digit, then letters, digits and `_ - . :`, at most {MAX_ID_LENGTH} characters"
LOOKUP_ID = f"The {{}}'s id: {ID_RULE} (BAD_USER_INPUT otherwise)."
NEW_ID = (
    f"The new {{0}}'s id: {ID_RULE}. Absent: derived from `commandId` when given (a retry then addresses "
    "the same {0}), else chosen by the server. A taken id is rejected with ALREADY_EXISTS."
)
VERSION = (
    "The aggregate's version this record reflects (its event count, from 1): send it as `expectedVersion` "
    "to refuse a change made against an older view."
)
EXPECTED_VERSION = (
    "The version the change was decided against (a record's `version`, at least 0): when the aggregate "
    "has moved on, the command is rejected with STALE_VERSION. Absent: no check."
)
FIRST = (
    f"How many records a page holds: 1 to {MAX_PAGE_SIZE}, {DEFAULT_PAGE_SIZE} when absent "
    "(BAD_USER_INPUT otherwise)."
)
AFTER = (
    "Start right after this cursor (a previous page's `pageInfo.endCursor` or an edge's `cursor`); "
    "absent: from the start. A cursor this list did not hand out is BAD_USER_INPUT."
)
WAIT = (
    "With true, answer once the command is decided (and, when accepted, read back), or TIMED_OUT after "
    "the server's wait (10 seconds by default); with false, answer PENDING at once."
)
COMMAND_ID = (
    "Your id for this command, to retry it safely: the same id for the same command has one effect and "
    "answers the first outcome; for another command it is a CONFLICT (reason COMMAND_ID_REUSED). A letter "
    f"or digit, then letters, digits, `_ - .`, at most {MAX_COMMAND_ID_LENGTH} characters."
)
FirstArgument = Annotated[int | None, strawberry.argument(description=FIRST)]
AfterArgument = Annotated[str | None, strawberry.argument(description=AFTER)]
WaitArgument = Annotated[bool, strawberry.argument(description=WAIT)]
CommandIdArgument = Annotated[strawberry.ID | None, strawberry.argument(description=COMMAND_ID)]


def described_field(description: str) -> StrawberryField:
    """`@strawberry.field(description=...)`, typed as the bare `@strawberry.field` is: strawberry types the
    call Any, which strict mypy refuses as a decorator. The field it makes takes its resolver when called."""
    field: StrawberryField = strawberry.field(description=description)
    return field


def described_mutation(description: str) -> StrawberryField:
    """`@strawberry.mutation(description=...)`, typed (see `described_field`)."""
    mutation: StrawberryField = strawberry.mutation(description=description)
    return mutation


def described_subscription(description: str) -> StrawberryField:
    """`@strawberry.subscription(description=...)`, typed (see `described_field`)."""
    subscription: StrawberryField = strawberry.subscription(description=description)
    return subscription


@strawberry.type(description="Where a page of a connection stands in its list (Relay's PageInfo).")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether records follow this page: ask for them with `after: endCursor`."
    )
    # Pages go forward only (`first`, `after`): a page asked for after a cursor has records before it.
    has_previous_page: bool = strawberry.field(
        description="Whether records come before this page: true when it was asked for with `after`."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first record; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last record, to pass as `after` for the next page; null "
        "when the page is empty."
    )


@strawberry.type(description="A record of a connection's page, with the cursor that points at it.")
class Edge(Generic[Node]):
    cursor: str = strawberry.field(
        description="An opaque cursor: pass it as `after` to continue the list right after this record."
    )
    node: Node = strawberry.field(description="The record.")


@strawberry.type(
    description="One page of a list, as a Relay connection: its records with their cursors, and where "
    "the page stands. Pages go forward with `first` and `after`."
)
class Connection(Generic[Node]):
    """A Relay connection: one page of nodes, each with its cursor. GraphQL names it after its node
    (`ProductConnection`, `OrderConnection`), as it names its edges (`ProductEdge`)."""

    edges: list[Edge[Node]] = strawberry.field(description="The page's records, in the list's order.")
    page_info: PageInfo = strawberry.field(description="Where the page stands: is there more, its cursors.")

    @described_field("The page's records without their cursors: `edges { node }`, shorter.")
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


@strawberry.enum(description="Where a command stands.")
class CommandStatus(Enum):
    ACCEPTED = strawberry.enum_value(
        "ACCEPTED", description="Carried out: its events (if it changed anything) are stored."
    )
    REJECTED = strawberry.enum_value(
        "REJECTED", description="Refused by the rules (`error` says why); nothing changed."
    )
    PENDING = strawberry.enum_value(
        "PENDING", description="Sent, not decided yet: ask `commandStatus` with its `commandId`."
    )
    TIMED_OUT = strawberry.enum_value(
        "TIMED_OUT",
        description="Not decided within the wait; it may still be: ask `commandStatus` with its `commandId`.",
    )


@strawberry.type(
    description="Why a command was rejected. A mutation also reports it as a GraphQL error, with the "
    "rejection's category (BAD_USER_INPUT, NOT_FOUND, CONFLICT or FORBIDDEN) as `extensions.code` and "
    "its `code` as `extensions.reason`."
)
class CommandError:
    code: str = strawberry.field(
        description="A stable code to switch on, e.g. NOT_FOUND, ALREADY_EXISTS, STALE_VERSION, "
        "INVALID_PRICE, UNKNOWN_CATEGORY, CATEGORY_IN_USE, INSUFFICIENT_STOCK, STOCK_RESERVED, "
        "UNKNOWN_PRODUCT, CURRENCY_MISMATCH, ORDER_NOT_CANCELLABLE, INVALID_INPUT."
    )
    message: str = strawberry.field(description="What was wrong, in English, for people.")
    field: str | None = strawberry.field(
        description="The input field at fault, e.g. `expectedVersion` or `lines.0.productId`; null when "
        "none is."
    )


@strawberry.type(description="What a command came to: its id, its status, and on rejection, why.")
class CommandResult:
    command_id: strawberry.ID = strawberry.field(
        description="The command's id: the `commandId` sent, or one the server chose. Ask `commandStatus` "
        "with it."
    )
    status: CommandStatus = strawberry.field(description="Where the command stands.")
    aggregate_id: strawberry.ID = strawberry.field(
        description="The id of the category, product or order the command addresses: for a create, the "
        "new one's id."
    )
    version: int | None = strawberry.field(
        description="The aggregate's version after the command, when ACCEPTED; null otherwise."
    )
    error: CommandError | None = strawberry.field(description="Why, when REJECTED; null otherwise.")


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
    @described_field(
        "A command's result by its id, for its sender or an admin; null when unknown or "
        "someone else's. A rejection is reported only in the result here, not as an error. Needs "
        "sign-in (UNAUTHENTICATED otherwise)."
    )
    def command_status(
        self,
        info: RequestInfo,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The command's id, as a mutation answered it (`commandId`); BAD_USER_INPUT "
                "when it is not a well-formed id."
            ),
        ],
    ) -> CommandResult | None:
        context = info.context
        outcome = context.outcomes.get(looked_up_id(id, rule=ANY_COMMAND_ID))
        if outcome is None or (context.actor.role != "admin" and outcome.actor_uid != context.actor.uid):
            return None
        return command_result(
            context, Sent(outcome.command_id, outcome.aggregate_id, outcome, False), report_rejection=False
        )
