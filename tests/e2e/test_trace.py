"""A conversation's trace through the API, as the console's trace page asks for it: from an order's
correlation id (its placeOrder commandId) alone, the spans every function of the local cloud kept, in
causal order, the request first; admins only."""

from __future__ import annotations

import uuid
from itertools import pairwise
from typing import Any

from emulators.demo import DEMO_USERS
from tests.e2e.conftest import Stack, until

PLACE = """mutation($input: PlaceOrderInput!, $commandId: ID) {
  placeOrder(input: $input, wait: true, commandId: $commandId) { status }
}"""
TRACE = """query($id: ID!) {
  trace(correlationId: $id) { correlationId kept url spans { spanId function name kind depth offsetMs
    durationMs messageType status } }
}"""


def test_an_orders_trace_is_every_hops_span_in_causal_order(stack: Stack) -> None:
    writer = stack.signed_in(*DEMO_USERS["writer"])
    command_id = f"trace-{uuid.uuid4().hex[:12]}"
    variables = {
        "input": {
            "lines": [{"productId": stack.product(stock=2), "quantity": 1}],
            "paymentToken": "tok_ok",
            "shippingAddress": "1 Trace Street",
        },
        "commandId": command_id,
    }
    assert writer.data(PLACE, variables)["placeOrder"]["status"] == "ACCEPTED"

    def completed_trace() -> dict[str, Any] | None:
        trace: dict[str, Any] = stack.admin.data(TRACE, {"id": command_id})["trace"]
        handled = {span["messageType"] for span in trace["spans"]}
        # The request's own span is written by the GraphQL function's exporter, a moment after it ends.
        rooted = bool(trace["spans"]) and trace["spans"][0]["function"] == "graphql"
        return trace if "CompleteOrder" in handled and rooted else None

    trace = until(completed_trace, timeout=90)
    assert (trace["correlationId"], trace["kept"], trace["url"]) == (command_id, "local", None)
    spans = trace["spans"]
    first = spans[0]
    assert (first["function"], first["kind"], first["depth"], first["offsetMs"]) == (
        "graphql",
        "SERVER",
        0,
        0,
    )
    # Pub/Sub may deliver the command twice: each delivery is a span of the function that handled it.
    assert {span["function"] for span in spans if span["messageType"] == "PlaceOrder"} == {"place-order"}
    assert {"reserve-stock", "process-payment", "ship-order", "complete-order"} <= {
        span["function"] for span in spans
    }
    # Causal order: depth first, so each span's depth is at most one below the span before it.
    assert all(later["depth"] <= earlier["depth"] + 1 for earlier, later in pairwise(spans))
    assert all(span["durationMs"] >= 0 and span["offsetMs"] >= 0 for span in spans)


def test_a_trace_is_for_admins_and_an_unknown_conversation_has_no_span(stack: Stack) -> None:
    writer = stack.signed_in(*DEMO_USERS["writer"])
    refused = writer.post(TRACE, {"id": "anything"})
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    unknown = stack.admin.data(TRACE, {"id": f"nobody-{uuid.uuid4().hex}"})["trace"]
    assert (unknown["kept"], unknown["spans"]) == ("local", [])
