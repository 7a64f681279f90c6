"""The public door's HTTP limits through the real function: body size, page size, request rate and
CORS, each just under and just over; and a query too complex for the configured limit."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from functions.graphql.app import MAX_BODY_BYTES
from functions.graphql.results import MAX_PAGE_SIZE
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
