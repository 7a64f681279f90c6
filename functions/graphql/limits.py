"""What the public door refuses before running a query: too deep, too costly, too often, wrong origin.

- Depth: strawberry's `QueryDepthLimiter` (fragments followed).
- Complexity: no maintained library computes it for strawberry, so a small validation rule does: every
  selected field costs 1 (each alias and each use of a fragment counted again), a list multiplies what
  is selected under it by the most records it can hold, and a filter that reads more than it returns
  costs what it may read (`SCAN_COST`).
- Rate: the `limits` library's moving window, per uid for signed-in callers and per client IP for
  everything else: readers, the tokens refused, `/health`, `/metrics`. A token is only verified while
  its address and the uid it claims have budget left, so neither a stream of bad tokens nor a caller
  over budget costs a verification. A request spends one unit, or one per root mutation it holds. It
  is kept per instance: with N instances the effective budget is at most N times the setting, which
  bounds abuse without a shared write on every request.
- CORS: an allow-list of origins from configuration (the Vercel frontend), with credentials.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import flask
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValidationRule,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from functions.graphql.results import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PLAIN_LIST_LIMIT
from functions.graphql.traces import MAX_TRACE_SPANS
from shared.messages.envelope import Actor
from shared.messages.orders import MAX_LINES

# What a filter applied after reading costs (`nameContains`: the store finds the names holding its first
# three characters, and the resolver reads those until the page is full, all of them when few hold the
# whole text): as much as reading 1,000 records. The default KIROKU_MAX_QUERY_COMPLEXITY leaves room for
# four. A price range runs in the store, like the equality filters, and costs nothing more.
SCAN_COST = 1000
_SCANNING_FILTERS = {"filter": frozenset({"nameContains"})}

# Lists without paging arguments (parent type.field), counted at the most records they hold.
LIST_LENGTHS: dict[str, int] = {
    # Every category, unpaged as the seed's clients expect: a catalogue's few dozen, counted as a page.
    "Query.categories": DEFAULT_PAGE_SIZE,
    "Order.lines": MAX_LINES,
    # One entry per status an order enters, none of them twice.
    "Order.statusHistory": 7,
    # Two facts per line (reserved, then released or committed), and a few dozen for the steps.
    "Saga.history": 2 * MAX_LINES + 30,
    # A conversation's spans, answered up to MAX_TRACE_SPANS.
    "ConversationTrace.spans": MAX_TRACE_SPANS,
}

# Paged lists that answer everything they hold when given neither `first` nor `after` (parent
# type.field), counted at the most they answer that way; other paged fields answer the default page.
UNPAGED: dict[str, int] = {"Query.products": PLAIN_LIST_LIMIT}

_Composite = GraphQLObjectType | GraphQLInterfaceType


def complexity_rule(max_complexity: int) -> type[ValidationRule]:
    """A validation rule refusing operations whose cost exceeds `max_complexity`."""

    class ComplexityLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            schema = self.context.schema
            cost = _Costing(schema, _fragments(self.context.document)).selections(
                node.selection_set, schema.get_root_type(node.operation), None
            )
            if cost > max_complexity:
                self.report_error(
                    GraphQLError(
                        f"the query's complexity is {cost}, above the limit of {max_complexity}",
                        node,
                        extensions={"code": "BAD_USER_INPUT", "complexity": cost, "limit": max_complexity},
                    )
                )

    return ComplexityLimit


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def _is_paged(field: GraphQLField) -> bool:
    return "first" in field.args


def _page_size(node: FieldNode, unpaged: int) -> int:
    """The records a paged field asks for: a literal `first`; without `first`, the default page after a
    cursor and `unpaged` (what the field answers when not paged at all) without one; for a variable,
    whose value validation does not see, the most either could be."""
    arguments = {argument.name.value: argument.value for argument in node.arguments or ()}
    first, after = arguments.get("first"), arguments.get("after")
    if isinstance(first, IntValueNode):
        return max(1, int(first.value))
    if first is not None and not isinstance(first, NullValueNode):
        return max(MAX_PAGE_SIZE, unpaged)
    if after is None or isinstance(after, NullValueNode):
        return unpaged
    if isinstance(after, StringValueNode):
        return DEFAULT_PAGE_SIZE
    return max(DEFAULT_PAGE_SIZE, unpaged)


def _scans(node: FieldNode) -> bool:
    """Whether the field filters after reading: a scanning filter given, or a variable that may hold one."""
    for argument in node.arguments or ():
        scanning = _SCANNING_FILTERS.get(argument.name.value)
        if scanning is None or isinstance(argument.value, NullValueNode):
            continue
        if not isinstance(argument.value, ObjectValueNode):
            return True
        for given in argument.value.fields:
            if given.name.value in scanning and not isinstance(given.value, NullValueNode):
                return True
    return False


class _Costing:
    """The cost of selections, knowing each field's type from the schema."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self._schema = schema
        self._fragments = fragments

    def selections(
        self,
        selection_set: SelectionSetNode | None,
        parent: GraphQLNamedType | None,
        page: int | None,
        visiting: frozenset[str] = frozenset(),
    ) -> int:
        """What `selection_set` costs on `parent`; `page` is the page of the paged field it belongs to,
        which a connection's lists (`edges`, `nodes`) hold."""
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field(selection, parent, page, visiting)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = self._schema.get_type(condition.name.value) if condition is not None else parent
                total += self.selections(selection.selection_set, narrowed, page, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if fragment is not None and name not in visiting:  # graphql's own rules report a cycle
                    narrowed = self._schema.get_type(fragment.type_condition.name.value)
                    total += self.selections(fragment.selection_set, narrowed, page, visiting | {name})
        return total

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType | None, page: int | None, visiting: frozenset[str]
    ) -> int:
        field = parent.fields.get(node.name.value) if isinstance(parent, _Composite) else None
        # Introspection is answered from the schema in memory: its lists are counted once per field.
        if field is None or parent is None or parent.name.startswith("__"):
            return 1 + self.selections(node.selection_set, None, None, visiting)
        coordinate = f"{parent.name}.{node.name.value}"
        own_page = _page_size(node, UNPAGED.get(coordinate, DEFAULT_PAGE_SIZE)) if _is_paged(field) else None
        extra = SCAN_COST if _scans(node) else 0
        if not is_list_type(get_nullable_type(field.type)):
            # A connection hands its page to the lists it holds.
            return (
                1
                + extra
                + self.selections(node.selection_set, get_named_type(field.type), own_page, visiting)
            )
        length = own_page or LIST_LENGTHS.get(coordinate) or page or MAX_PAGE_SIZE
        children = self.selections(node.selection_set, get_named_type(field.type), None, visiting)
        return 1 + extra + length * children


def unbounded_lists(schema: GraphQLSchema) -> list[str]:
    """The list fields of objects that the complexity rule can only count at the largest page: neither
    paged, nor in `LIST_LENGTHS`, nor held by a paged connection."""
    types = [
        named
        for name, named in schema.type_map.items()
        if not name.startswith("__") and isinstance(named, _Composite)
    ]
    connections = {
        get_named_type(field.type).name
        for named in types
        for field in named.fields.values()
        if _is_paged(field) and not is_list_type(get_nullable_type(field.type))
    }
    return sorted(
        f"{named.name}.{name}"
        for named in types
        for name, field in named.fields.items()
        if is_list_type(get_nullable_type(field.type))
        and isinstance(get_named_type(field.type), _Composite)
        and not _is_paged(field)
        and f"{named.name}.{name}" not in LIST_LENGTHS
        and named.name not in connections
    )


def root_mutations(document: DocumentNode, operation: OperationDefinitionNode) -> int:
    """How many root fields a mutation operation runs (aliases and fragments counted; `__typename` not)."""
    fragments = _fragments(document)

    def count(selection_set: SelectionSetNode, visiting: frozenset[str]) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += not selection.name.value.startswith("__")
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in fragments and name not in visiting:
                    total += count(fragments[name].selection_set, visiting | {name})
        return total

    return count(operation.selection_set, frozenset()) if operation.operation == OperationType.MUTATION else 0


def subscribed_field(document: DocumentNode, operation: OperationDefinitionNode) -> str | None:
    """The root field a subscription operation follows (the spec allows one), through fragments too;
    None for another operation, "" for a subscription that names none (which validation refuses)."""
    if operation.operation != OperationType.SUBSCRIPTION:
        return None
    fragments = _fragments(document)
    selections = list(operation.selection_set.selections)
    while selections:
        selection = selections.pop(0)
        if isinstance(selection, FieldNode) and not selection.name.value.startswith("__"):
            return selection.name.value
        if isinstance(selection, InlineFragmentNode):
            selections[:0] = selection.selection_set.selections
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
            selections[:0] = fragments[selection.name.value].selection_set.selections
    return ""


class RateLimiter:
    """A moving window per caller: `budget` like "120/minute"."""

    def __init__(self, budget: str) -> None:
        self.budget = budget
        self._item = parse(budget)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def admits(self, client_ip: str, authorization: str | None) -> bool:
        """Whether a request may go on to have its token verified: its address has budget left, and so
        has the uid its token claims. Only tested, never spent: an unverified claim must not let anyone
        spend someone else's budget."""
        keys = [_address(client_ip)]
        if (uid := claimed_uid(authorization)) is not None:
            keys.append(f"uid:{uid}")
        return all(self._limiter.test(self._item, key) for key in keys)

    def spend(self, client_ip: str, actor: Actor | None = None, units: int = 1) -> bool:
        """Spend `units` of a signed-in actor's budget, or else of the client address's; False (and
        nothing spent) when fewer are left."""
        key = f"uid:{actor.uid}" if actor is not None and actor.role != "reader" else _address(client_ip)
        return bool(self._limiter.hit(self._item, key, cost=units))


def _address(client_ip: str) -> str:
    return f"ip:{client_ip}"


def claimed_uid(authorization: str | None) -> str | None:
    """The uid a bearer token says it is for (Firebase's `sub`), read without verifying anything."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    parts = token.strip().split(".")
    if scheme.lower() != "bearer" or len(parts) != 3:
        return None
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError, RecursionError):  # whatever the header holds, it is no claim
        return None
    uid = claims.get("sub") if isinstance(claims, dict) else None
    return uid if isinstance(uid, str) and 0 < len(uid) <= 128 else None


def client_ip(request: flask.Request) -> str:
    """The caller's address: the hop Google's front end appended last to X-Forwarded-For (earlier hops
    are whatever the client sent, so never trusted), else the peer."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    return forwarded.split(",")[-1].strip() or (request.remote_addr or "unknown")


CORS_METHODS = "GET, POST, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type"


def cors_headers(origin: str | None, allowed: frozenset[str]) -> dict[str, str]:
    """The CORS headers for an allowed origin (none for a refused or absent one)."""
    if origin is None or origin not in allowed:
        return {}
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Vary": "Origin",
    }


def preflight(request: flask.Request, allowed: frozenset[str]) -> flask.Response:
    """Answer an OPTIONS preflight: 204 with the grant for an allowed origin, 403 otherwise."""
    headers = cors_headers(request.headers.get("Origin"), allowed)
    if not headers:
        return flask.Response("origin not allowed", status=403, mimetype="text/plain")
    headers |= {
        "Access-Control-Allow-Methods": CORS_METHODS,
        "Access-Control-Allow-Headers": CORS_HEADERS,
        "Access-Control-Max-Age": "600",
    }
    return flask.Response(status=204, headers=headers)
