"""Property-based fuzzing of the public schema, as a reader and as a writer, over real HTTP.

hypothesis-graphql generates valid queries and mutations from the schema itself, with random arguments
and variables-free literals of every shape. Whatever it sends, the API answers with a JSON body holding
`data` or `errors` and never with a 5xx, and no request it refuses leaves anything in the event store:
after the run, no event in the log was caused by the fuzzing reader or by the fuzzing writer's refused
mutations.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
import requests
from graphql import IntValueNode, ObjectFieldNode, StringValueNode, Visitor, parse, print_ast, visit
from hypothesis import HealthCheck, example, given, settings
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
    """A writer's own mutations may be accepted; whatever their arguments, the answer stays well formed,
    and every order the fuzzing placed goes on through the saga.

    Two sources of orders: mutations generated from the schema whose lines are pointed at products that
    exist, and orders well formed by construction with fuzzed quantities, addresses and cards. A fixed
    well-formed order is always among the examples, so at least one order is placed on every run.
    """
    products = [stack.product(stock=1_000) for _ in range(3)]
    well_formed = _place_order(
        [{"productId": products[0], "quantity": 1}], address="1 Fuzz Lane", card="tok_ok"
    )

    @FUZZ
    @example(query=well_formed)
    @given(query=st.one_of(_schema_orders(products), _well_formed_orders(products)))
    def as_writer(query: str) -> None:
        _well_formed(fuzz_writer, query)

    as_writer()
    placed = {
        entry.split()[0].removeprefix("Order/")
        for entry in stack.events_by({fuzz_writer.uid})
        if entry.endswith(" OrderPlaced")
    }
    assert placed, "the explicit well-formed example places an order"
    deadline = time.monotonic() + 60
    while unsaga := {
        order_id
        for order_id in placed
        if not stack.storage.events.stream_version(f"FulfilmentSaga-{order_id}")
    }:
        assert time.monotonic() < deadline, f"placed orders never reached the saga: {unsaga}"
        time.sleep(0.2)


def _place_order(lines: list[dict[str, object]], address: str, card: str) -> str:
    inputs = ", ".join(
        f'{{productId: "{line["productId"]}", quantity: {line["quantity"]}}}' for line in lines
    )
    return (
        f"mutation {{ placeOrder(input: {{id: {json.dumps(uuid.uuid4().hex)}, lines: [{inputs}], "
        f"paymentToken: {json.dumps(card)}, shippingAddress: {json.dumps(address)}}}, wait: false) "
        "{ status aggregateId error { code } } }"
    )


def _well_formed_orders(products: list[str]) -> st.SearchStrategy[str]:
    """placeOrder mutations of the right shape: one to three lines of existing products, fuzzed
    quantities (some out of range), fuzzed addresses and one of the fake gateway's cards."""
    line = st.fixed_dictionaries({"productId": st.sampled_from(products), "quantity": st.integers(-2, 5)})
    return st.builds(
        _place_order,
        lines=st.lists(line, min_size=1, max_size=3),
        address=st.text(min_size=0, max_size=60),
        card=st.sampled_from(CARDS),
    )


@st.composite
def _schema_orders(draw: st.DrawFn, products: list[str]) -> str:
    """A writer's mutation generated from the schema, its lines pointed at real products, often with a
    small quantity, a plain address and a fresh order id; the card is always one of the fake gateway's."""
    query = draw(graphql_strategies.mutations(SCHEMA, fields=WRITER_MUTATIONS))

    class Lines(Visitor):
        def enter_object_field(self, node: ObjectFieldNode, *_: object) -> ObjectFieldNode | None:
            name = node.name.value
            if name == "productId":
                return ObjectFieldNode(
                    name=node.name, value=StringValueNode(value=draw(st.sampled_from(products)))
                )
            if name == "quantity" and draw(st.booleans()):
                return ObjectFieldNode(name=node.name, value=IntValueNode(value=str(draw(st.integers(1, 3)))))
            if name == "id" and draw(st.booleans()):
                return ObjectFieldNode(name=node.name, value=StringValueNode(value=uuid.uuid4().hex))
            if name == "shippingAddress" and draw(st.booleans()):
                return ObjectFieldNode(name=node.name, value=StringValueNode(value="1 Fuzz Lane"))
            if name == "paymentToken":
                return ObjectFieldNode(
                    name=node.name, value=StringValueNode(value=draw(st.sampled_from(CARDS)))
                )
            return None

    return print_ast(visit(parse(query.replace("wait: true", "wait: false")), Lines()))
