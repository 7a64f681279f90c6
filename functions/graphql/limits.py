"""What the public door refuses before running a query: too deep, too costly, too often, wrong origin.

- Depth: strawberry's `QueryDepthLimiter` (fragments followed).
- Complexity: no maintained library computes it for strawberry, so a small validation rule does: every
  selected field costs 1 (each alias and each use of a fragment counted again), and a field with a page
  size (`first`, or the default page for lists) multiplies what is selected under it.
- Rate: the `limits` library's moving window, per uid for signed-in callers and per client IP for
  readers. It is kept per instance: with N instances the effective budget is at most N times the setting,
  which bounds abuse without a shared write on every request.
- CORS: an allow-list of origins from configuration (the Vercel frontend), with credentials.
"""

from __future__ import annotations

from typing import Any

import flask
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from shared.messages.envelope import Actor

PAGED_DEFAULT = 20  # a list field's page when the query gives no `first`
# Fields that return a page of records: what is selected under them is paid once per record.
_PAGED_FIELDS = frozenset({"products", "productsConnection", "categories"})


def complexity_rule(max_complexity: int, default_page: int = PAGED_DEFAULT) -> type[ValidationRule]:
    """A validation rule refusing operations whose cost exceeds `max_complexity`."""

    class ComplexityLimit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            fragments = {
                definition.name.value: definition
                for definition in self.context.document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
            cost = _cost(node.selection_set, fragments, default_page, set())
            if cost > max_complexity:
                self.report_error(
                    GraphQLError(
                        f"the query's complexity is {cost}, above the limit of {max_complexity}",
                        node,
                        extensions={"code": "BAD_USER_INPUT", "complexity": cost, "limit": max_complexity},
                    )
                )

    return ComplexityLimit


def _page_size(field: FieldNode, default_page: int) -> int:
    """The page a list field asks for: a literal `first`, else the default (a variable's value is only
    known later, and is itself capped by the resolver's maximum page size)."""
    for argument in field.arguments or ():
        if argument.name.value == "first" and isinstance(argument.value, IntValueNode):
            return max(1, int(argument.value.value))
    return default_page


def _cost(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    default_page: int,
    visiting: set[str],
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            children = _cost(selection.selection_set, fragments, default_page, visiting)
            multiplier = _page_size(selection, default_page) if selection.name.value in _PAGED_FIELDS else 1
            total += 1 + multiplier * children
        elif isinstance(selection, InlineFragmentNode):
            total += _cost(selection.selection_set, fragments, default_page, visiting)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in visiting:  # a cycle is reported by graphql's own rules
                total += _cost(fragment.selection_set, fragments, default_page, visiting | {name})
    return total


class RateLimiter:
    """A moving window per caller: `budget` like "120/minute"."""

    def __init__(self, budget: str) -> None:
        self._item = parse(budget)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def allow(self, actor: Actor, client_ip: str) -> bool:
        key = f"uid:{actor.uid}" if actor.role != "reader" else f"ip:{client_ip}"
        return bool(self._limiter.hit(self._item, key))


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
