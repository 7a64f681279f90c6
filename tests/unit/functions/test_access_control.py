"""A root field the access table does not name is refused to everyone, admins included: a field added to
the schema and forgotten in the table is closed, never open."""

from __future__ import annotations

from types import SimpleNamespace

import strawberry

from functions.graphql.access import OPERATION_ROLES, AccessControl
from shared.messages.envelope import Actor


@strawberry.type
class _Query:
    @strawberry.field
    def categories(self) -> int:
        return 1

    @strawberry.field
    def forgotten(self) -> int:
        return 2


def test_a_root_field_missing_from_the_access_table_is_refused_even_to_an_admin() -> None:
    assert "Query.forgotten" not in OPERATION_ROLES
    schema = strawberry.Schema(query=_Query, extensions=[AccessControl])
    admin = SimpleNamespace(actor=Actor(uid="admin-1", role="admin"))

    allowed = schema.execute_sync("{ categories }", context_value=admin)
    refused = schema.execute_sync("{ forgotten }", context_value=admin)

    assert (allowed.data, allowed.errors) == ({"categories": 1}, None)
    assert refused.data is None
    assert refused.errors is not None
    [error] = refused.errors
    assert error.extensions == {"code": "FORBIDDEN"}
    assert error.message == "Query.forgotten is not open to anyone"
