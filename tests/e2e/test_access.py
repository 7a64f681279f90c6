"""Every query and mutation as reader, writer and admin: allowed ones answer, the others are refused
with UNAUTHENTICATED (reader) or FORBIDDEN (writer) and change nothing."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from emulators.demo import DEMO_USERS
from emulators.fake_gateway import FakeGatewayClient
from functions.graphql.access import OPERATION_ROLES
from functions.graphql.schema import build_schema
from shared.auth.roles import may
from shared.bus.publisher import Publisher
from shared.config import Settings
from shared.messages.envelope import Actor, Envelope
from tests.e2e.conftest import GraphQL, Stack

RESULT = "{ status error { code } }"
SEED = "access-seed"


def _mutation(field: str, arguments: str) -> str:
    return f"mutation {{ {field}({arguments}) {RESULT} }}"


def _operations(category_id: str, product_id: str, order_id: str = "absent-order") -> dict[str, str]:
    """One request per operation of the access table (the table and this list must match)."""
    fresh = uuid.uuid4().hex[:8]
    price = f'price: {{amount: "{uuid.uuid4().int % 90 + 2}", currency: "EUR"}}'
    return {
        "Query.categories": "{ categories { id } }",
        "Query.category": f'{{ category(id: "{category_id}") {{ id }} }}',
        "Query.products": "{ products(first: 1) { id } }",
        "Query.productsConnection": "{ productsConnection(first: 1) { edges { cursor } } }",
        "Query.product": f'{{ product(id: "{product_id}") {{ id }} }}',
        "Query.commandStatus": f'{{ commandStatus(id: "{uuid.uuid4()}") {{ status }} }}',
        "Mutation.createCategory": _mutation("createCategory", f'input: {{id: "c-{fresh}", name: "n"}}'),
        "Mutation.updateCategory": _mutation(
            "updateCategory", f'input: {{id: "{category_id}", name: "{fresh}"}}'
        ),
        "Mutation.deleteCategory": _mutation("deleteCategory", f'id: "{category_id}"'),
        "Mutation.createProduct": _mutation(
            "createProduct", f'input: {{id: "p-{fresh}", name: "n", categoryId: "{category_id}", {price}}}'
        ),
        "Mutation.updateProduct": _mutation(
            "updateProduct", f'input: {{id: "{product_id}", name: "{fresh}"}}'
        ),
        "Mutation.changePrice": _mutation("changePrice", f'input: {{productId: "{product_id}", {price}}}'),
        "Mutation.restockProduct": _mutation(
            "restockProduct", f'input: {{productId: "{product_id}", quantity: 1}}'
        ),
        "Mutation.adjustStock": _mutation(
            "adjustStock", f'input: {{productId: "{product_id}", delta: 1, reason: "count"}}'
        ),
        "Mutation.deleteProduct": _mutation("deleteProduct", f'id: "{product_id}-absent"'),
        "Query.orders": "{ orders(first: 1) { edges { cursor } } }",
        "Query.order": f'{{ order(id: "{order_id}") {{ id }} }}',
        "Query.saga": f'{{ saga(orderId: "{order_id}") {{ status }} }}',
        "Mutation.placeOrder": _mutation(
            "placeOrder",
            f'input: {{lines: [{{productId: "{product_id}", quantity: 1}}], paymentToken: "tok_ok", '
            'shippingAddress: "1 Access Road"}, wait: false',
        ),
        "Mutation.cancelOrder": _mutation("cancelOrder", f'id: "{order_id}"'),
        "Query.eventHistory": (
            f'{{ eventHistory(aggregateType: "Product", aggregateId: "{product_id}") {{ type }} }}'
        ),
        "Query.deadLetters": '{ deadLetters(function: "create-category") { messageId } }',
        "Query.sagas": "{ sagas(first: 1) { edges { cursor } } }",
        "Query.sagaStats": "{ sagaStats { total } }",
        "Query.projectionStatus": "{ projectionStatus(first: 1) { model } }",
        "Query.integrityReport": "{ integrityReport { ok } }",
        "Query.trace": f'{{ trace(correlationId: "{uuid.uuid4()}") {{ kept }} }}',
        "Mutation.replayDeadLetters": (
            'mutation { replayDeadLetters(function: "create-category", ids: ["absent"]) { missing } }'
        ),
        "Mutation.discardDeadLetters": (
            'mutation { discardDeadLetters(function: "create-category", ids: ["absent"]) { missing } }'
        ),
    }


def test_every_root_field_has_an_entry_in_the_access_table() -> None:
    schema = build_schema(Settings())
    roots = (
        ("Query", schema._schema.query_type),
        ("Mutation", schema._schema.mutation_type),
        ("Subscription", schema._schema.subscription_type),
    )
    fields = {f"{kind}.{name}" for kind, root in roots if root is not None for name in root.fields}
    assert fields == set(OPERATION_ROLES)
    # Subscriptions are streamed, not answered: tests/e2e/test_live.py asks them as a reader and a writer.
    answered = {operation for operation in OPERATION_ROLES if not operation.startswith("Subscription.")}
    assert set(_operations("c", "p")) == answered


@pytest.fixture
def writer(stack: Stack) -> GraphQL:
    return stack.signed_in(*DEMO_USERS["writer"])


def _state(stack: Stack, caller: GraphQL) -> Any:
    """What a refused call must leave as it was: the read models and the caller's events in the log."""
    return stack.admin.data(
        "{ categories { id name version } products(first: 100) { id name price stock version } }"
    ), stack.events_by({caller.uid})


def test_the_role_by_operation_matrix(stack: Stack, writer: GraphQL) -> None:
    category_id, product_id = f"{SEED}-{uuid.uuid4().hex[:6]}", f"{SEED}-p-{uuid.uuid4().hex[:6]}"
    stack.admin.created("createCategory", f'input: {{id: "{category_id}", name: "Access"}}')
    stack.admin.data(
        f'mutation {{ createProduct(input: {{id: "{product_id}", name: "Access", categoryId: "{category_id}",'
        f' price: {{amount: "5", currency: "EUR"}}}}) {RESULT} }}'
    )
    callers = {"reader": stack.reader, "writer": writer, "admin": stack.admin}
    for operation, query in _operations(category_id, product_id).items():
        needed = OPERATION_ROLES[operation]
        for role, api in callers.items():
            if may(role, needed):  # type: ignore[arg-type]
                continue
            before = _state(stack, api)
            body = api.post(query)
            expected = "UNAUTHENTICATED" if role == "reader" else "FORBIDDEN"
            assert [error["extensions"]["code"] for error in body["errors"]] == [expected], (
                operation,
                role,
                body,
            )
            assert not any((body["data"] or {}).values()), (operation, role)  # nothing answered
            assert _state(stack, api) == before, (operation, role)
    for operation, query in _operations(category_id, product_id).items():
        needed = OPERATION_ROLES[operation]
        body = callers.get(needed, stack.admin).post(query)
        codes = [error["extensions"]["code"] for error in body.get("errors", [])]
        assert "FORBIDDEN" not in codes, (operation, body)
        assert "UNAUTHENTICATED" not in codes, (operation, body)
        assert body["data"] is not None, (operation, body)


FORGED_COMMANDS: dict[str, tuple[str, Callable[[str], dict[str, Any]]]] = {
    "CreateCategory": ("Category", lambda id_: {"category_id": id_, "name": "Forged"}),
    "ProcessPayment": (
        "Payment",
        lambda id_: {
            "order_id": id_,
            "amount": {"amount": "1.00", "currency": "EUR"},
            "payment_token": "tok_ok",
        },
    ),
    "RefundPayment": ("Payment", lambda id_: {"order_id": id_, "reason": "forged"}),
    "StartOrderShipping": ("Order", lambda id_: {"order_id": id_, "charge_id": "ch_forged"}),
}


@pytest.mark.parametrize("command_type", sorted(FORGED_COMMANDS))
def test_a_command_function_refuses_a_command_whose_actor_lacks_the_role(
    stack: Stack, command_type: str
) -> None:
    """Anything able to publish on the bus must not gain authority: the function checks the actor, and a
    customer cannot pass for the saga to be charged, refunded or marked paid."""
    aggregate_id = f"forged-{uuid.uuid4().hex[:8]}"
    aggregate_type, payload = FORGED_COMMANDS[command_type]
    forged = Envelope.originate(
        kind="command",
        type=command_type,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        actor=Actor(uid="someone", role="writer"),
        payload=payload(aggregate_id),
    )
    Publisher(stack.cloud.options.project_id).publish("commands", forged)
    status_query = f'{{ commandStatus(id: "{forged.id}") {{ status error {{ code }} }} }}'
    deadline = time.monotonic() + 30
    status = None
    # Until its outcome is recorded the command's id shows its claim (PENDING).
    while (status is None or status["status"] == "PENDING") and time.monotonic() < deadline:
        status = stack.admin.data(status_query)["commandStatus"]
        time.sleep(0.1)
    assert status == {"status": "REJECTED", "error": {"code": "FORBIDDEN"}}
    assert stack.storage.events.stream_version(f"{aggregate_type}-{aggregate_id}") == 0
    if command_type in ("ProcessPayment", "RefundPayment"):
        assert FakeGatewayClient(stack.gateway_url).payment(aggregate_id)["capture_requests"] == 0


def test_a_command_status_is_shown_to_its_sender_and_admins_only(stack: Stack, writer: GraphQL) -> None:
    product_id = stack.product(stock=5)
    command_id = f"status-{uuid.uuid4().hex[:8]}"
    placed = writer.data(
        "mutation($input: PlaceOrderInput!, $commandId: ID) "
        "{ placeOrder(input: $input, commandId: $commandId, wait: false) { status } }",
        {
            "commandId": command_id,
            "input": {
                "lines": [{"productId": product_id, "quantity": 1}],
                "paymentToken": "tok_ok",
                "shippingAddress": "1 Status Street",
            },
        },
    )["placeOrder"]
    assert placed["status"] in ("ACCEPTED", "PENDING"), placed
    query = f'{{ commandStatus(id: "{command_id}") {{ commandId }} }}'
    other = stack.signed_in(f"other-{uuid.uuid4().hex[:8]}@kiroku.local")
    deadline = time.monotonic() + 30
    while (shown := writer.data(query)["commandStatus"]) is None:  # until the handler has claimed it
        assert time.monotonic() < deadline, "the sender never saw its command's status"
        time.sleep(0.1)
    assert shown == {"commandId": command_id}
    assert stack.admin.data(query)["commandStatus"] == {"commandId": command_id}
    assert other.data(query)["commandStatus"] is None
    assert stack.reader.post(query)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
