"""Property-based fuzzing of the public schema, as a reader and as a writer, over real HTTP.

hypothesis-graphql generates valid queries and mutations from the schema itself, with random arguments
and variables-free literals of every shape. Whatever it sends, the API answers with a JSON body holding
`data` or `errors` and never with a 5xx, and no request it refuses leaves anything in the event store:
after the run, no event in the log was caused by the fuzzing reader or by the fuzzing writer's refused
mutations.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests
from graphql import IntValueNode, ObjectFieldNode, StringValueNode, Visitor, parse, print_ast, visit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import strategies as graphql_strategies

from functions.graphql.access import OPERATION_ROLES
from functions.graphql.schema import build_schema
from shared.config import Settings
from tests.e2e.conftest import GraphQL, Stack, assert_no_internal_error

SCHEMA = build_schema(Settings()).as_str()
EXAMPLES = 150
WRITER_MUTATIONS = sorted(
    name.split(".")[1]
    for name, role in OPERATION_ROLES.items()
    if name.startswith("Mutation") and role == "writer"
)
ADMIN_MUTATIONS = sorted(
    name.split(".")[1]
    for name, role in OPERATION_ROLES.items()
    if name.startswith("Mutation") and role == "admin"
)
# The fake gateway's cards that answer at once: one that pays and one that is declined.
CARDS = ["tok_ok", "tok_declined"]
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)


def _well_formed(api: GraphQL, query: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {api.token}"} if api.token else {}
    response = requests.post(api.url, json={"query": query}, headers=headers, timeout=60)
    assert response.status_code < 500, (query, response.status_code, response.text[:500])
    body: dict[str, Any] = response.json()
    assert "data" in body or "errors" in body, (query, body)
    assert_no_internal_error(body)
    return body


@pytest.fixture
def fuzz_writer(stack: Stack) -> GraphQL:
    return stack.signed_in(f"fuzz-{uuid.uuid4().hex[:8]}@kiroku.local")


def test_fuzzed_requests_are_answered_cleanly_and_refusals_change_nothing(
    stack: Stack, fuzz_writer: GraphQL
) -> None:
    queries = graphql_strategies.queries(SCHEMA)
    refused_mutations = graphql_strategies.mutations(SCHEMA, fields=ADMIN_MUTATIONS)
    any_mutation = graphql_strategies.mutations(SCHEMA)

    @FUZZ
    @given(query=st.one_of(queries, any_mutation))
    def as_reader(query: str) -> None:
        body = _well_formed(stack.reader, query)
        if query.lstrip().startswith("mutation"):
            assert body.get("errors"), body  # a reader may not change anything

    @FUZZ
    @given(query=st.one_of(queries, refused_mutations))
    def as_writer(query: str) -> None:
        body = _well_formed(fuzz_writer, query)
        if query.lstrip().startswith("mutation"):
            assert {error["extensions"]["code"] for error in body["errors"]} <= {
                "FORBIDDEN",
                "BAD_USER_INPUT",
            }

    with stack.commands_published() as published:
        as_reader()
        as_writer()
    fuzzers = {stack.reader.uid, fuzz_writer.uid}
    assert [command for command in published if command["actor_uid"] in fuzzers] == []
    assert stack.events_by(fuzzers) == []


def test_fuzzed_order_mutations_never_fail_the_server(stack: Stack, fuzz_writer: GraphQL) -> None:
    """A writer's own mutations may be accepted; whatever their arguments, the answer stays well formed.

    The lines name products that exist, often in quantities they hold, and the cards are the fake
    gateway's, so accepted orders go on through the saga rather than stopping at an unknown product.
    """
    products = [stack.product(stock=1_000) for _ in range(3)]

    @FUZZ
    @given(query=graphql_strategies.mutations(SCHEMA, fields=WRITER_MUTATIONS), data=st.data())
    def as_writer(query: str, data: st.DataObject) -> None:
        _well_formed(
            fuzz_writer, _with_real_products(query.replace("wait: true", "wait: false"), data, products)
        )

    as_writer()


def _with_real_products(query: str, data: st.DataObject, products: list[str]) -> str:
    """The query with each order line's product drawn from `products`, and often a small quantity, a
    plain address and a fresh order id; the card is always one of the fake gateway's."""

    class Lines(Visitor):
        def enter_object_field(self, node: ObjectFieldNode, *_: object) -> ObjectFieldNode | None:
            name = node.name.value
            if name == "productId":
                return ObjectFieldNode(
                    name=node.name, value=StringValueNode(value=data.draw(st.sampled_from(products)))
                )
            if name == "quantity" and data.draw(st.booleans()):
                return ObjectFieldNode(
                    name=node.name, value=IntValueNode(value=str(data.draw(st.integers(1, 3))))
                )
            if name == "id" and data.draw(st.booleans()):
                return ObjectFieldNode(name=node.name, value=StringValueNode(value=uuid.uuid4().hex))
            if name == "shippingAddress" and data.draw(st.booleans()):
                return ObjectFieldNode(name=node.name, value=StringValueNode(value="1 Fuzz Lane"))
            if name == "paymentToken":
                return ObjectFieldNode(
                    name=node.name, value=StringValueNode(value=data.draw(st.sampled_from(CARDS)))
                )
            return None

    return print_ast(visit(parse(query), Lines()))
