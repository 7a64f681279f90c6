"""Who may call which operation: one declarative table, enforced for every root field.

A root field without an entry is refused (FORBIDDEN) for everyone, so a new query or mutation is closed
until someone decides who may use it. Ownership rules (a writer sees only their own orders) are applied
by the resolvers named here, on the records they load.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from functions.graphql.errors import api_error
from shared.auth.roles import may
from shared.messages.envelope import Actor, Role

# operation (parent type.field) -> the least role that may call it
OPERATION_ROLES: dict[str, Role] = {
    "Query.categories": "reader",
    "Query.category": "reader",
    "Query.products": "reader",
    "Query.productsConnection": "reader",
    "Query.product": "reader",
    "Query.commandStatus": "writer",  # and only the command's own sender, or an admin
    "Mutation.createCategory": "admin",
    "Mutation.updateCategory": "admin",
    "Mutation.deleteCategory": "admin",
    "Mutation.createProduct": "admin",
    "Mutation.updateProduct": "admin",
    "Mutation.changePrice": "admin",
    "Mutation.restockProduct": "admin",
    "Mutation.adjustStock": "admin",
    "Mutation.deleteProduct": "admin",
    # Orders: a writer's own (the resolvers filter by owner), every order for an admin.
    "Query.orders": "writer",
    "Query.order": "writer",
    "Query.saga": "writer",
    "Mutation.placeOrder": "writer",
    "Mutation.cancelOrder": "writer",  # and the command function checks the order is the caller's
    "Subscription.order": "writer",
    "Subscription.saga": "writer",
    # Operations (the `kiroku` command's, for the web console).
    "Query.eventHistory": "admin",
    "Query.deadLetters": "admin",
    "Query.sagas": "admin",
    "Query.sagaStats": "admin",
    "Query.projectionStatus": "admin",
    "Query.integrityReport": "admin",
    "Query.trace": "admin",
    "Mutation.replayDeadLetters": "admin",
    "Mutation.discardDeadLetters": "admin",
    "Subscription.sagaChanges": "admin",
}


def required_role(operation: str) -> Role | None:
    return OPERATION_ROLES.get(operation)


def refusal(operation: str, actor: Actor) -> GraphQLError | None:
    """Why `actor` may not call the root field `operation` (parent type.field); None when they may."""
    needed = required_role(operation)
    field = operation.rpartition(".")[2]
    if needed is None:
        return api_error("FORBIDDEN", f"{operation} is not open to anyone")
    if may(actor.role, needed):
        return None
    if actor.role == "reader":
        return api_error("UNAUTHENTICATED", f"{field} needs you to sign in")
    return api_error("FORBIDDEN", f"{field} needs the {needed} role")


class AccessControl(SchemaExtension):
    """Checks the caller's role before any root field resolves. A subscription is checked before its stream
    starts as well (app.py): its root field resolves only once its first result comes."""

    def resolve(
        self, _next: Callable[..., Any], root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any
    ) -> Any:
        parent = info.parent_type.name
        if parent in ("Query", "Mutation", "Subscription") and not info.field_name.startswith("__"):
            refused = refusal(f"{parent}.{info.field_name}", info.context.actor)
            if refused is not None:
                raise refused
        return _next(root, info, *args, **kwargs)
