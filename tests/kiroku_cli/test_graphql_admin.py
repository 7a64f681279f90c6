"""The same operations as admin-only GraphQL fields, for the web console: sagas (a Relay connection, by
status or stuck), their counts, the read models' lag, the integrity check, and replaying or discarding
dead letters. An admin is answered; a writer is refused every one of them, and so is a reader."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import GraphQL, until
from tests.kiroku_cli.conftest import Cloud
from tests.kiroku_cli.test_dead_letters import FUNCTION, dead_letter_of, poison_update

# Each root field of the admin API, as the smallest document that asks for it.
ADMIN_FIELDS = {
    "sagas": "{ sagas(first: 1) { edges { node { orderId } } } }",
    "sagaStats": "{ sagaStats { total } }",
    "projectionStatus": "{ projectionStatus { model } }",
    "integrityReport": "{ integrityReport { ok } }",
    "replayDeadLetters": f'mutation {{ replayDeadLetters(function: "{FUNCTION}", ids: ["x"]) '
    "{ missing } }",
    "discardDeadLetters": f'mutation {{ discardDeadLetters(function: "{FUNCTION}", ids: ["x"]) '
    "{ missing } }",
}


@pytest.mark.parametrize("field", sorted(ADMIN_FIELDS))
def test_only_admins_may_operate(cloud: Cloud, field: str) -> None:
    query = ADMIN_FIELDS[field]
    answer = cloud.admin.data(query)
    assert answer[field] is not None
    refused = cloud.writer.post(query)
    assert [error["extensions"]["code"] for error in refused["errors"]] == ["FORBIDDEN"]
    assert (refused.get("data") or {}).get(field) is None
    anonymous = GraphQL(cloud.admin.url).post(query)
    assert [error["extensions"]["code"] for error in anonymous["errors"]] == ["UNAUTHENTICATED"]


def _place(cloud: Cloud, token: str) -> dict[str, Any]:
    placed = cloud.writer.data(
        'mutation($token: String!) { placeOrder(input: {lines: [{productId: "tea-genmaicha", quantity: 1}], '
        'paymentToken: $token, shippingAddress: "2 Console Way"}) { order { id status cancelReason } } }',
        {"token": token},
    )
    order: dict[str, Any] = placed["placeOrder"]["order"]
    return order


def test_sagas_page_by_page_and_counted_by_status_and_cancel_reason(cloud: Cloud) -> None:
    if not cloud.admin.data('{ product(id: "tea-genmaicha") { id } }')["product"]:
        cloud.kiroku("seed")
    completed = _place(cloud, "tok_ok")
    declined = _place(cloud, "tok_declined")
    assert completed["status"] == "COMPLETED"
    # A declined order's placement answers once its saga compensates; it ends CANCELLED soon after.
    until(
        lambda: (
            cloud.admin.data(f'{{ saga(orderId: "{declined["id"]}") {{ status }} }}')["saga"]["status"]
            == "CANCELLED"
        )
    )
    until(
        lambda: (
            cloud.admin.data(f'{{ saga(orderId: "{completed["id"]}") {{ status }} }}')["saga"]["status"]
            == "COMPLETED"
        )
    )

    query = (
        "query($after: String) { sagas(status: CANCELLED, first: 1, after: $after) { "
        "edges { cursor node { orderId status failure history { event } } } "
        "pageInfo { hasNextPage hasPreviousPage endCursor } } }"
    )
    seen: list[str] = []
    after = None
    while True:
        page = cloud.admin.data(query, {"after": after})["sagas"]
        assert len(page["edges"]) <= 1
        assert page["pageInfo"]["hasPreviousPage"] == (after is not None)
        for edge in page["edges"]:
            assert edge["node"]["status"] == "CANCELLED"
            assert edge["node"]["history"][-1]["event"] == "SagaEnded"
            seen.append(edge["node"]["orderId"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert declined["id"] in seen
    assert completed["id"] not in seen
    assert len(seen) == len(set(seen))

    stats = cloud.admin.data(
        "{ sagaStats { total running compensating completed cancelled stuck "
        "cancelReasons { reason sagas } } }"
    )["sagaStats"]
    assert (
        stats["total"] == stats["running"] + stats["compensating"] + stats["completed"] + stats["cancelled"]
    )
    assert stats["completed"] >= 1
    assert stats["stuck"] == 0
    reasons = {count["reason"]: count["sagas"] for count in stats["cancelReasons"]}
    assert reasons.get("PAYMENT_DECLINED", 0) >= 1
    assert sum(reasons.values()) == stats["cancelled"]
    cli = cloud.kiroku_json("sagas")["stats"]
    assert (cli["total"], cli["by_cancel_reason"]) == (stats["total"], reasons)
    assert cloud.admin.data("{ sagas(stuck: true) { edges { cursor } } }")["sagas"]["edges"] == []
    bad = cloud.admin.post('{ sagas(after: "not-a-cursor") { edges { cursor } } }')
    assert [error["extensions"]["code"] for error in bad["errors"]] == ["BAD_USER_INPUT"]


def test_projection_status_and_integrity_report_answer_what_the_command_answers(cloud: Cloud) -> None:
    fields = (
        "model aggregateType events streams records behind lag lastEventAt lastAppliedPosition headPosition"
    )

    def caught_up() -> list[dict[str, Any]] | None:
        found: list[dict[str, Any]] = cloud.admin.data(f"{{ projectionStatus {{ {fields} }} }}")[
            "projectionStatus"
        ]
        return found if all(status["lag"] == 0 for status in found) else None

    statuses = until(caught_up)
    assert [s["model"] for s in statuses] == ["categories", "products", "orders"]
    cli = {s["model"]: s for s in cloud.kiroku_json("projections")}
    for status in statuses:
        assert status["records"] == cli[status["model"]]["records"]
        assert status["behind"] == 0
        if cloud.backend == "firestore":
            assert status["headPosition"] is None
        else:
            assert status["lastAppliedPosition"] <= status["headPosition"]
    report = cloud.admin.data("{ integrityReport { ok events streams problemCount problems { kind } } }")
    assert report["integrityReport"]["ok"]
    assert report["integrityReport"]["problemCount"] == 0
    assert report["integrityReport"]["events"] > 0


def test_an_admin_replays_a_command_functions_dead_letter_and_discards_another(cloud: Cloud) -> None:
    category, command_id, original = poison_update(cloud, "Replayed from the console")
    letter = until(lambda: dead_letter_of(cloud, command_id), timeout=120, every=2)
    listed = cloud.admin.data(
        f'{{ deadLetters(function: "{FUNCTION}", first: 100) '
        "{ messageId type aggregateId deliveryAttempts } }"
    )["deadLetters"]
    assert {
        "messageId": letter["message_id"],
        "type": "UpdateCategory",
        "aggregateId": category,
        "deliveryAttempts": 5,
    } in listed
    cloud.set_event_field(f"Category-{category}", 1, "payload", original)

    replayed = cloud.admin.data(
        f'mutation {{ replayDeadLetters(function: "{FUNCTION}", ids: ["{command_id}", "nope"]) '
        "{ function messageIds missing failed } }"
    )["replayDeadLetters"]

    assert replayed == {
        "function": FUNCTION,
        "messageIds": [letter["message_id"]],
        "missing": ["nope"],
        "failed": [],
    }
    until(
        lambda: (
            cloud.admin.data(f'{{ category(id: "{category}") {{ name }} }}')["category"]["name"]
            == "Replayed from the console"
        )
    )
    assert [e.type for e in cloud.storage.events.read_stream(f"Category-{category}")] == [
        "CategoryCreated",
        "CategoryUpdated",
    ]
    events_function = cloud.admin.post(
        'mutation { replayDeadLetters(function: "project-orders") { missing } }'
    )
    assert [error["extensions"]["code"] for error in events_function["errors"]] == ["BAD_USER_INPUT"]
    assert "kiroku dead-letters replay" in events_function["errors"][0]["message"]

    other, other_command, other_original = poison_update(cloud, "Dropped")
    dropped = until(lambda: dead_letter_of(cloud, other_command), timeout=120, every=2)
    cloud.set_event_field(f"Category-{other}", 1, "payload", other_original)
    discarded = cloud.admin.data(
        f'mutation {{ discardDeadLetters(function: "{FUNCTION}", ids: ["{dropped["message_id"]}"]) '
        "{ messageIds missing } }"
    )["discardDeadLetters"]
    assert discarded == {"messageIds": [dropped["message_id"]], "missing": []}
    assert dead_letter_of(cloud, other_command) is None
    assert cloud.admin.data(f'{{ category(id: "{other}") {{ name }} }}')["category"]["name"] == "Poisoned"
    empty = cloud.admin.post(
        f'mutation {{ discardDeadLetters(function: "{FUNCTION}", ids: []) {{ missing }} }}'
    )
    assert [error["extensions"]["code"] for error in empty["errors"]] == ["BAD_USER_INPUT"]
