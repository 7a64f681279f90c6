"""The GraphQL schema, assembled: each area's root fields (catalogue, orders, operations, command status)
merged into one Query and one Mutation, with this environment's guards."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import AddValidationRules, DisableIntrospection
from strawberry.extensions.query_depth_limiter import create_validator as create_depth_validator
from strawberry.types import ExecutionContext

from functions.graphql.access import AccessControl
from functions.graphql.catalogue import CatalogueMutation, CatalogueQuery
from functions.graphql.limits import complexity_rule
from functions.graphql.live import LiveSubscription
from functions.graphql.operations import OperationsMutation, OperationsQuery
from functions.graphql.orders import OrderMutation, OrderQuery
from functions.graphql.results import CommandQuery
from functions.graphql.traces import TraceQuery
from shared.config import Settings

# merge_types, with a description: the root types are the first page of the API's manual.
Query = strawberry.type(
    type("Query", (CatalogueQuery, OrderQuery, CommandQuery, OperationsQuery, TraceQuery), {}),
    description="What can be read: the catalogue, orders and their sagas, a command's outcome, and (for "
    "admins) event histories, dead letters and a conversation's trace.",
)
Mutation = strawberry.type(
    type("Mutation", (CatalogueMutation, OrderMutation, OperationsMutation), {}),
    description="What can be asked: catalogue changes (admins), placing and cancelling orders (writers), "
    "and replaying or discarding dead letters (admins). A catalogue or order mutation sends one command "
    "and, with `wait`, answers its outcome.",
)

Subscription = strawberry.type(
    type("Subscription", (LiveSubscription,), {}),
    description="What can be followed as it changes, over Server-Sent Events (POST with `Accept: "
    "text/event-stream`, graphql-sse's distinct connections): an order and its saga.",
)


def validation_rules(config: Settings) -> list[type[ASTValidationRule]]:
    """The query limits: depth (strawberry's own rule, fragments followed) and complexity."""
    return [
        create_depth_validator(config.max_query_depth, should_ignore=None),
        complexity_rule(config.max_query_complexity),
    ]


class _Schema(strawberry.Schema):
    """A client's mistake answered with a code is an answer, not a fault of the server: strawberry would
    log each one with its traceback at ERROR, burying real faults under every refused request. The door
    (app._clean) logs each error that has no code, with the id the client is shown."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        return None


def build_schema(config: Settings) -> strawberry.Schema:
    """The schema with this environment's guards: access control, query limits, and no introspection in
    production."""
    rules = validation_rules(config)
    extensions: list[Any] = [AccessControl, lambda: AddValidationRules(list(rules))]
    if config.environment == "prod":
        extensions.append(DisableIntrospection)
    return _Schema(query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions)
