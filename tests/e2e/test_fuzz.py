"""Property-based fuzzing of the public schema, as a reader and as a writer, over real HTTP.

hypothesis-graphql generates valid queries and mutations from the schema itself, with random arguments
and variables-free literals of every shape. Whatever it sends, the API answers with a JSON body holding
`data` or `errors` and never with a 5xx, and no request it refuses leaves anything in the event store:
after the run, no event in the log was caused by the fuzzing reader or by the fuzzing writer's refused
mutations.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import strategies as graphql_strategies

from functions.graphql.access import OPERATION_ROLES
from functions.graphql.schema import build_schema
from shared.auth.tokens import READER
from shared.config import Settings
from tests.e2e.conftest import GraphQL, Stack

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
    for error in body.get("errors") or []:
        assert error.get("extensions", {}).get("code"), (query, error)
    return body


def _events_by(stack: Stack, uids: set[str]) -> list[str]:
    events = stack.storage.events
    return [
        f"{stored.aggregate_type}/{stored.aggregate_id} {envelope.type}"
        for stored in events.iter_log()
        if (envelope := events.envelope(stored)).actor.uid in uids
    ]


@pytest.fixture
def fuzz_writer(stack: Stack) -> GraphQL:
    return stack.signed_in(f"fuzz-{uuid.uuid4().hex[:8]}@kiroku.local")


def test_fuzzed_requests_are_answered_cleanly_and_refusals_change_nothing(
    stack: Stack, fuzz_writer: GraphQL
) -> None:
    assert fuzz_writer.token is not None
    writer_uid = _uid(fuzz_writer.token)
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

    as_reader()
    as_writer()
    time.sleep(2)  # anything published would have been handled by now
    assert _events_by(stack, {READER.uid, writer_uid}) == []


def test_fuzzed_order_mutations_never_fail_the_server(stack: Stack, fuzz_writer: GraphQL) -> None:
    """A writer's own mutations may be accepted; whatever their arguments, the answer stays well formed."""

    @FUZZ
    @given(query=graphql_strategies.mutations(SCHEMA, fields=WRITER_MUTATIONS))
    def as_writer(query: str) -> None:
        _well_formed(fuzz_writer, query.replace("wait: true", "wait: false"))

    as_writer()


def _uid(token: str) -> str:
    """The uid an ID token names (read, not verified: the API verifies it)."""
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(claims["user_id"])
