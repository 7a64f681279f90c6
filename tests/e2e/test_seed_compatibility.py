"""The seed system's clients, unchanged, against the local stack on each backend: every request its README
and operations manual quote (`curl -X POST .../graphql`, `curl .../health`, `curl .../metrics`), answered
with the fields and shapes those documents show."""

from __future__ import annotations

import pytest
import requests

from tests.e2e.conftest import GraphQL, Stack

CATEGORIES = "{ categories { id name } }"
PRODUCTS = "{ products { id name price category { id name } } }"
BOTH = "{ categories { id name } products { id name price category { id name } } }"


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
    client = GraphQL(url=f"{stack.reader.url}{path}")  # anonymous, as the seed's curl examples
    categories = client.data(CATEGORIES)["categories"]
    assert categories
    assert all(set(category) == {"id", "name"} for category in categories)
    products = client.data(PRODUCTS)["products"]
    assert sorted(product["id"] for product in products) == sorted(_every_product_id(stack))
    for product in products:
        assert set(product) == {"id", "name", "price", "category"}
        assert set(product["category"]) == {"id", "name"}
    both = client.data(BOTH)
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
