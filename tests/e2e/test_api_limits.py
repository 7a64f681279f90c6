"""The public door's HTTP limits through the real function: body size, page size, request rate and
CORS, each just under and just over; a query too complex for the configured limit (name searches
counted by what they read); mutations never over GET, at most so many per request, each spending the
rate limit; an operation that cannot be chosen; `/health` and `/metrics` spending it too."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from functions.graphql.app import MAX_BODY_BYTES
from functions.graphql.results import MAX_PAGE_SIZE
from shared.config import Settings
from tests.e2e.conftest import ALLOWED_ORIGIN, RATE_LIMIT, Stack


def _post(stack: Stack, body: Any, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(stack.reader.url, json=body, headers=headers or {}, timeout=30)


def _codes(response: requests.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", [])]


def _padded(total_bytes: int) -> bytes:
    """A valid request body of exactly `total_bytes` (the query padded with a comment)."""
    head, tail = b'{"query": "{ categories { id } } #', b'"}'
    return head + b"x" * (total_bytes - len(head) - len(tail)) + tail


def test_body_size_just_under_and_just_over(stack: Stack) -> None:
    headers = {"Content-Type": "application/json"}
    under = requests.post(stack.reader.url, data=_padded(MAX_BODY_BYTES), headers=headers, timeout=30)
    assert (under.status_code, _codes(under)) == (200, [])
    over = requests.post(stack.reader.url, data=_padded(MAX_BODY_BYTES + 1), headers=headers, timeout=30)
    assert (over.status_code, _codes(over)) == (413, ["BAD_USER_INPUT"])


def test_page_size_just_under_and_just_over(stack: Stack) -> None:
    under = _post(
        stack, {"query": f"{{ productsConnection(first: {MAX_PAGE_SIZE}) {{ edges {{ cursor }} }} }}"}
    )
    assert _codes(under) == []
    over = _post(
        stack, {"query": f"{{ productsConnection(first: {MAX_PAGE_SIZE + 1}) {{ edges {{ cursor }} }} }}"}
    )
    assert _codes(over) == ["BAD_USER_INPUT"]
    assert over.json()["errors"][0]["extensions"]["field"] == "first"


def test_a_query_over_the_complexity_limit_is_refused_before_running(stack: Stack) -> None:
    fields = "id name description price currency stock inStock categoryId version createdAt updatedAt"
    aliases = " ".join(f"p{n}: products(first: 100) {{ {fields} }}" for n in range(6))  # 6 x 1,101
    response = _post(stack, {"query": f"{{ {aliases} }}"})
    assert response.json()["data"] is None
    assert _codes(response) == ["BAD_USER_INPUT"]
    assert "complexity is 6606" in response.json()["errors"][0]["message"]


def test_the_request_rate_is_limited_per_client(stack: Stack) -> None:
    client = {"X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250}, 198.51.100.{uuid.uuid4().int % 250}"}
    query = {"query": "{ __typename }"}
    with requests.Session() as session:
        answers = [
            session.post(stack.reader.url, json=query, headers=client, timeout=30).status_code
            for _ in range(RATE_LIMIT)
        ]
        assert answers == [200] * RATE_LIMIT
        refused = session.post(stack.reader.url, json=query, headers=client, timeout=30)
    assert (refused.status_code, _codes(refused)) == (429, ["RATE_LIMITED"])
    # Another client is not affected.
    assert _post(stack, query, {"X-Forwarded-For": "192.0.2.77"}).status_code == 200


def test_cors_preflight_from_an_allowed_and_a_refused_origin(stack: Stack) -> None:
    asked = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = requests.options(stack.reader.url, headers={"Origin": ALLOWED_ORIGIN, **asked}, timeout=30)
    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    assert allowed.headers["Access-Control-Allow-Credentials"] == "true"
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    assert "authorization" in allowed.headers["Access-Control-Allow-Headers"].lower()

    refused = requests.options(
        stack.reader.url, headers={"Origin": "https://evil.example", **asked}, timeout=30
    )
    assert refused.status_code == 403
    assert "Access-Control-Allow-Origin" not in refused.headers

    actual = _post(stack, {"query": "{ __typename }"}, {"Origin": ALLOWED_ORIGIN})
    assert actual.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGIN
    other = _post(stack, {"query": "{ __typename }"}, {"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def _address() -> dict[str, str]:
    """A client address of its own, so that a test spends no other test's budget."""
    return {"X-Forwarded-For": f"203.0.113.{uuid.uuid4().int % 250}, 192.0.2.{uuid.uuid4().int % 250}"}


def test_a_thousand_name_searches_are_refused_before_running(stack: Stack) -> None:
    # Issue 15's request: every alias would read the whole catalogue.
    search = 'products(filter: {nameContains: "~"}, first: 1) { id }'
    refused = _post(stack, {"query": "{ " + " ".join(f"s{n}: {search}" for n in range(1000)) + " }"})
    assert (refused.json()["data"], _codes(refused)) == (None, ["BAD_USER_INPUT"])
    assert "complexity is 1002000" in refused.json()["errors"][0]["message"]
    accepted = _post(stack, {"query": "{ " + " ".join(f"s{n}: {search}" for n in range(4)) + " }"})
    assert (accepted.status_code, _codes(accepted)) == (200, [])


def test_a_mutation_never_runs_over_get(stack: Stack) -> None:
    admin = {"Authorization": f"Bearer {stack.admin.token}"}
    category_id = f"get-{uuid.uuid4().hex[:8]}"
    create = f'createCategory(input: {{id: "{category_id}", name: "By GET"}}) {{ status }}'
    for arguments in (
        {"query": f"# a comment first\nmutation {{ {create} }}"},
        {"query": f"query Look {{ __typename }} mutation Make {{ {create} }}", "operationName": "Make"},
    ):
        refused = requests.get(stack.admin.url, params=arguments, headers=admin, timeout=30)
        assert (refused.status_code, _codes(refused)) == (405, ["BAD_USER_INPUT"]), arguments
    looked = requests.get(
        stack.admin.url,
        params={
            "query": f"query Look {{ __typename }} mutation Make {{ {create} }}",
            "operationName": "Look",
        },
        headers=admin,
        timeout=30,
    )
    assert looked.json() == {"data": {"__typename": "Query"}}
    found = stack.admin.data(f'{{ category(id: "{category_id}") {{ id }} }}')
    assert found == {"category": None}


def test_an_operation_that_cannot_be_chosen_is_bad_user_input_never_a_500(stack: Stack) -> None:
    for body in (
        {"query": "query A { __typename }", "operationName": "B"},
        {"query": "fragment F on Query { __typename }"},
    ):
        refused = _post(stack, body)
        assert (refused.status_code, _codes(refused)) == (400, ["BAD_USER_INPUT"]), body


def test_root_mutations_are_limited_and_each_spends_the_rate_limit(stack: Stack) -> None:
    limit = Settings().max_mutations_per_request
    restock = 'restockProduct(input: {productId: "p", quantity: 1}) { status }'

    def mutations(count: int) -> dict[str, str]:
        return {"query": "mutation { " + " ".join(f"m{n}: {restock}" for n in range(count)) + " }"}

    over = _post(stack, mutations(limit + 1), _address())
    assert (over.status_code, _codes(over)) == (400, ["BAD_USER_INPUT"])
    under = _post(stack, mutations(limit), _address())
    assert (under.status_code, set(_codes(under))) == (200, {"UNAUTHENTICATED"})

    writer = stack.signed_in(f"units-{uuid.uuid4().hex[:8]}@kiroku.local")
    signed_in = {"Authorization": f"Bearer {writer.token}"}
    with requests.Session() as session:
        answers = [
            session.post(stack.reader.url, json=mutations(limit), headers=signed_in, timeout=30)
            for _ in range(RATE_LIMIT // limit)
        ]
        assert [(answer.status_code, set(_codes(answer))) for answer in answers] == [(200, {"FORBIDDEN"})] * (
            RATE_LIMIT // limit
        )
        refused = session.post(
            stack.reader.url, json={"query": "{ __typename }"}, headers=signed_in, timeout=30
        )
    assert (refused.status_code, _codes(refused)) == (429, ["RATE_LIMITED"])


def test_health_and_metrics_spend_the_address_budget(stack: Stack) -> None:
    client = _address()
    with requests.Session() as session:
        spent = [
            session.get(f"{stack.reader.url}metrics", headers=client, timeout=30).status_code
            for _ in range(RATE_LIMIT - 1)
        ]
        assert spent == [200] * (RATE_LIMIT - 1)
        health = session.get(f"{stack.reader.url}health", headers=client, timeout=30)
        assert (health.status_code, health.json()) == (
            200,
            {
                "status": "ok",
                "version": "local",
                "services": {"database": "connected", "pubsub": "connected"},
                "checks": {"storage": "ok", "pubsub": "ok"},
            },
        )
        for path in ("health", "metrics", "?query={__typename}"):
            refused = session.get(f"{stack.reader.url}{path}", headers=client, timeout=30)
            assert (refused.status_code, _codes(refused)) == (429, ["RATE_LIMITED"]), path
