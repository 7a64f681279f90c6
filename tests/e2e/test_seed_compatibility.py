"""The seed system's clients, unchanged, against the local stack on each backend: every request its README
and operations manual quote (`curl -X POST .../graphql`, `curl .../health`, `curl .../metrics`), answered
with the fields and shapes those documents show."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tests.e2e.conftest import Stack, assert_no_internal_error

CATEGORIES = "{ categories { id name } }"
PRODUCTS = "{ products { id name price category { id name } } }"
BOTH = "{ categories { id name } products { id name price category { id name } } }"


def _post(url: str, query: str) -> dict[str, Any]:
    response = requests.post(
        url, json={"query": query}, headers={"Content-Type": "application/json"}, timeout=60
    )
    assert response.status_code == 200, response.text[:500]
    body: dict[str, Any] = response.json()
    assert_no_internal_error(body)
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def _every_product_id(stack: Stack) -> list[str]:
    ids: list[str] = []
    after = "null"
    while True:
        query = f"productsConnection(first: 100, after: {after})"
        page = stack.reader.data(f"{{ {query} {{ nodes {{ id }} pageInfo {{ hasNextPage endCursor }} }} }}")[
            "productsConnection"
        ]
        ids += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = f'"{page["pageInfo"]["endCursor"]}"'


@pytest.mark.parametrize("path", ["", "graphql"])
def test_the_seed_readme_queries_answer_the_whole_catalogue_in_its_shape(stack: Stack, path: str) -> None:
    stack.product(stock=1)  # at least one product and category
    url = f"{stack.reader.url}{path}"
    categories = _post(url, CATEGORIES)["categories"]
    assert categories
    assert all(set(category) == {"id", "name"} for category in categories)
    products = _post(url, PRODUCTS)["products"]
    assert sorted(product["id"] for product in products) == sorted(_every_product_id(stack))
    for product in products:
        assert set(product) == {"id", "name", "price", "category"}
        assert set(product["category"]) == {"id", "name"}
    both = _post(url, BOTH)
    assert set(both) == {"categories", "products"}
    assert len(both["products"]) >= len(products)


def test_the_seed_health_and_metrics_requests(stack: Stack) -> None:
    health = requests.get(f"{stack.reader.url}health", timeout=30)
    body = health.json()
    assert health.status_code == 200
    assert body["status"] == "ok"
    assert isinstance(body["version"], str)
    assert body["version"]
    assert body["services"] == {"database": "connected", "pubsub": "connected"}
    metrics = requests.get(f"{stack.reader.url}metrics", timeout=30)
    assert metrics.status_code == 200
    assert "# TYPE" in metrics.text
