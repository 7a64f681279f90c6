"""The catalogue end to end: GraphQL over HTTP → command functions → event store → projectors → queries."""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import requests

from shared.application.projections import CATEGORIES, PRODUCTS, rebuild
from shared.config import Settings
from tests.e2e.conftest import HELD_PREFIX, HELD_SECONDS, GraphQL, Stack

RESULT = "{ commandId status aggregateId version error { code message field } }"
CREATE_CATEGORY = f"mutation($input: CreateCategoryInput!) {{ createCategory(input: $input) {RESULT} }}"
CREATE_PRODUCT = f"mutation($input: CreateProductInput!) {{ createProduct(input: $input) {RESULT} }}"
PRODUCT = """query($id: ID!) {
  product(id: $id) { id name price currency stock inStock version category { id name } }
}"""


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _category(api: GraphQL, name: str = "Tea") -> str:
    category_id = _unique("cat")
    result = api.data(CREATE_CATEGORY, {"input": {"id": category_id, "name": name}})["createCategory"]
    assert result["status"] == "ACCEPTED", result
    return category_id


def _product(
    api: GraphQL, category_id: str, name: str = "Sencha", price: str = "12.00", stock: int = 5
) -> str:
    product_id = _unique("prod")
    product = {
        "id": product_id,
        "name": name,
        "price": {"amount": price, "currency": "EUR"},
        "categoryId": category_id,
        "initialStock": stock,
    }
    result = api.data(CREATE_PRODUCT, {"input": product})["createProduct"]
    assert (result["status"], result["version"]) == ("ACCEPTED", 1), result
    return product_id


def _read(api: GraphQL, product_id: str) -> dict[str, Any]:
    product: dict[str, Any] = api.data(PRODUCT, {"id": product_id})["product"]
    return product


def _metric(api: GraphQL, model: str) -> float:
    """How many read-model queries of `model` the GraphQL function has made (its /metrics counter)."""
    text = requests.get(api.url + "metrics", timeout=10).text
    return sum(
        float(value)
        for value in re.findall(rf'kiroku_read_model_queries_total{{model="{model}",[^}}]*}} (\S+)', text)
    )


def test_a_product_lives_through_every_catalogue_command_and_reads_its_own_writes(stack: Stack) -> None:
    api = stack.admin
    category_id = _category(api, "Green tea")
    product_id = _product(api, category_id)
    assert _read(api, product_id) == {
        "id": product_id,
        "name": "Sencha",
        "price": "12.00",
        "currency": "EUR",
        "stock": 5,
        "inStock": True,
        "version": 1,
        "category": {"id": category_id, "name": "Green tea"},
    }

    steps: list[tuple[str, dict[str, Any]]] = [
        (
            'changePrice(input: {productId: $id, price: {amount: "13.5", currency: "EUR"}})',
            {"price": "13.50"},
        ),
        ("restockProduct(input: {productId: $id, quantity: 7})", {"stock": 12}),
        ('updateProduct(input: {id: $id, name: "Sencha Premium"})', {"name": "Sencha Premium"}),
    ]
    for version, (mutation, expected) in enumerate(steps, start=2):
        result = api.data(f"mutation($id: ID!) {{ {mutation} {RESULT} }}", {"id": product_id})
        [answer] = result.values()
        assert (answer["status"], answer["version"]) == ("ACCEPTED", version), answer
        seen = _read(api, product_id)  # no sleep: `wait` already waited for the read model
        assert seen["version"] == version
        assert {key: seen[key] for key in expected} == expected

    renamed = api.data(
        f'mutation($id: ID!) {{ updateCategory(input: {{id: $id, name: "Sencha & co"}}) {RESULT} }}',
        {"id": category_id},
    )["updateCategory"]
    assert renamed["status"] == "ACCEPTED"
    assert _read(api, product_id)["category"]["name"] == "Sencha & co"

    deleted = api.data(f"mutation($id: ID!) {{ deleteProduct(id: $id) {RESULT} }}", {"id": product_id})
    assert deleted["deleteProduct"]["status"] == "ACCEPTED"
    assert api.data(PRODUCT, {"id": product_id})["product"] is None
    emptied = api.data(f"mutation($id: ID!) {{ deleteCategory(id: $id) {RESULT} }}", {"id": category_id})
    assert emptied["deleteCategory"]["status"] == "ACCEPTED"
    assert api.data("query($id: ID!) { category(id: $id) { id } }", {"id": category_id})["category"] is None


def test_the_seed_systems_queries_work_unchanged(stack: Stack) -> None:
    category_id = _category(stack.admin, "Seed category")
    product_id = _product(stack.admin, category_id, name="Seed product")
    reader = stack.reader
    categories = reader.data("{ categories { id name } }")["categories"]
    assert {"id": category_id, "name": "Seed category"} in categories
    products = reader.data("{ products { id name price category { id name } } }")["products"]
    assert {
        "id": product_id,
        "name": "Seed product",
        "price": "12.00",
        "category": {"id": category_id, "name": "Seed category"},
    } in products
    both = reader.data("{ categories { id name } products { id name price category { id name } } }")
    assert set(both) == {"categories", "products"}


def test_pagination_filters_and_one_category_query_per_page(stack: Stack) -> None:
    api = stack.admin
    category_id = _category(api, "Many")
    other_category = _category(api, "Other")
    specs = [(f"Item {n:03d}", f"{n}.00", n % 3) for n in range(1, 121)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda spec: _product(api, category_id, spec[0], spec[1], spec[2]), specs))
    _product(api, other_category, "Item 999", "1.00", 1)

    seen: list[str] = []
    after: str | None = None
    first_end: str | None = None
    page_query = """query($category: ID!, $after: String) {
      productsConnection(filter: {categoryId: $category}, first: 25, after: $after) {
        edges { cursor node { name category { name } } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }"""
    while True:
        before = _metric(stack.reader, "categories")
        page = stack.reader.data(page_query, {"category": category_id, "after": after})["productsConnection"]
        assert _metric(stack.reader, "categories") - before == 1  # the DataLoader's one batch, per page
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if after is None:
            first_end = page["pageInfo"]["endCursor"]
        # Relay's page info: the cursors of the page's first and last edges, and whether records precede it.
        assert page["pageInfo"]["hasPreviousPage"] is (after is not None)
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        assert all(edge["node"]["category"]["name"] == "Many" for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [name for name, _, _ in specs]
    # The plain list, the seed's shape, pages from the same cursors.
    plain = stack.reader.data(
        "query($category: ID!, $after: String) "
        "{ products(filter: {categoryId: $category}, first: 25, after: $after) { name } }",
        {"category": category_id, "after": first_end},
    )["products"]
    assert [product["name"] for product in plain] == seen[25:50]

    filtered = """query($filter: ProductFilter!) { productsConnection(filter: $filter, first: 100) {
      edges { node { name price stock inStock } } pageInfo { hasNextPage } } }"""

    def names(**product_filter: Any) -> list[str]:
        page = stack.reader.data(filtered, {"filter": {"categoryId": category_id, **product_filter}})
        return [edge["node"]["name"] for edge in page["productsConnection"]["edges"]]

    assert names(nameContains="item 11") == [f"Item {n:03d}" for n in range(110, 120)]
    assert names(minPrice="50", maxPrice="54.5") == [f"Item {n:03d}" for n in range(50, 55)]
    assert names(inStock=False, maxPrice="12") == ["Item 003", "Item 006", "Item 009", "Item 012"]
    assert names(inStock=True, nameContains="00", minPrice="5") == [
        "Item 005",
        "Item 007",
        "Item 008",
        "Item 100",
    ]
    # Paged a few at a time, a price range and a name search still list exactly their products, in order:
    # the store filters, and each cursor carries what continuing its list needs.
    paged = """query($filter: ProductFilter!, $after: String) {
      productsConnection(filter: $filter, first: 3, after: $after) {
        edges { node { name } } pageInfo { hasNextPage endCursor } } }"""

    def walk(**product_filter: Any) -> list[str]:
        found: list[str] = []
        after: str | None = None
        while True:
            variables = {"filter": {"categoryId": category_id, **product_filter}, "after": after}
            page = stack.reader.data(paged, variables)["productsConnection"]
            found += [edge["node"]["name"] for edge in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]

    assert walk(minPrice="20.5", maxPrice="31") == [f"Item {n:03d}" for n in range(21, 32)]
    assert walk(nameContains="M 07") == [f"Item {n:03d}" for n in range(70, 80)]
    assert walk(nameContains="11", minPrice="100.00") == [f"Item {n:03d}" for n in range(110, 120)]
    cheap = stack.reader.data(
        '{ products(filter: {maxPrice: "1.00"}, first: 100) { name category { name } } }'
    )["products"]
    assert {"name": "Item 999", "category": {"name": "Other"}} in cheap
    assert all(
        Decimal(p["price"]) <= 12
        for p in stack.reader.data('query { products(filter: {maxPrice: "12"}, first: 100) { price } }')[
            "products"
        ]
    )


def _error(body: dict[str, Any]) -> dict[str, Any]:
    [error] = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


def test_rejections_are_coded_errors_and_change_nothing(stack: Stack) -> None:
    api = stack.admin
    category_id = _category(api, "Guarded")
    product_id = _product(api, category_id)

    negative = api.post(
        CREATE_PRODUCT,
        {"input": {"name": "x", "price": {"amount": "-1", "currency": "EUR"}, "categoryId": category_id}},
    )
    assert (_error(negative)["code"], _error(negative)["reason"]) == ("BAD_USER_INPUT", "INVALID_PRICE")
    assert negative["data"]["createProduct"]["status"] == "REJECTED"

    unknown = api.post(
        CREATE_PRODUCT,
        {"input": {"name": "x", "price": {"amount": "1", "currency": "EUR"}, "categoryId": "nope"}},
    )
    assert _error(unknown)["reason"] == "UNKNOWN_CATEGORY"
    assert negative["data"]["createProduct"]["aggregateId"] != product_id

    in_use = api.post(f"mutation($id: ID!) {{ deleteCategory(id: $id) {RESULT} }}", {"id": category_id})
    assert (_error(in_use)["code"], _error(in_use)["reason"]) == ("CONFLICT", "CATEGORY_IN_USE")

    stale = api.post(
        "mutation($id: ID!) { changePrice(input: {productId: $id, expectedVersion: 0,"
        f' price: {{amount: "2", currency: "EUR"}}}}) {RESULT} }}',
        {"id": product_id},
    )
    assert (_error(stale)["code"], _error(stale)["reason"]) == ("CONFLICT", "STALE_VERSION")

    bad_currency = api.post(
        CREATE_PRODUCT,
        {"input": {"name": "x", "price": {"amount": "1", "currency": "XXZ"}, "categoryId": category_id}},
    )
    assert _error(bad_currency)["code"] == "BAD_USER_INPUT"
    assert bad_currency["data"] is None  # refused before anything was sent

    assert _read(api, product_id)["version"] == 1
    assert _read(api, product_id)["price"] == "12.00"
    assert stack.storage.events.stream_version(f"Product-{product_id}") == 1
    assert (
        api.data("query($id: ID!) { category(id: $id) { version } }", {"id": category_id})["category"][
            "version"
        ]
        == 1
    )


def test_the_same_command_id_twice_has_one_effect(stack: Stack) -> None:
    api = stack.admin
    product_id = _product(api, _category(api))
    command_id = str(uuid.uuid4())
    restock = (
        "mutation($id: ID!, $c: ID!) { restockProduct(input: {productId: $id, quantity: 3}, commandId: $c)"
        f" {RESULT} }}"
    )
    first = api.data(restock, {"id": product_id, "c": command_id})["restockProduct"]
    second = api.data(restock, {"id": product_id, "c": command_id})["restockProduct"]
    assert first == second
    assert _read(api, product_id)["stock"] == 8
    status = api.data("query($c: ID!) { commandStatus(id: $c) { status version } }", {"c": command_id})
    assert status["commandStatus"] == {"status": "ACCEPTED", "version": 2}


def test_malformed_requests_get_clear_errors_never_a_500(stack: Stack) -> None:
    url = stack.reader.url
    cases: list[tuple[str, dict[str, Any]]] = [
        ("not json", {"data": b"{nope", "headers": {"Content-Type": "application/json"}}),
        ("array", {"json": [1, 2]}),
        ("no query", {"json": {"variables": {}}}),
        ("syntax", {"json": {"query": "{ products { id "}}),
        ("unknown field", {"json": {"query": "{ products { secret } }"}}),
        (
            "bad variables",
            {"json": {"query": "query($f: Int) { products(first: $f) { id } }", "variables": {"f": "x"}}},
        ),
        ("page too large", {"json": {"query": "{ products(first: 1000) { id } }"}}),
        ("bad price filter", {"json": {"query": '{ products(filter: {minPrice: "cheap"}) { id } }'}}),
        ("huge body", {"json": {"query": "{ products { id } }", "pad": "x" * 200_000}}),
        ("bad cursor", {"json": {"query": '{ productsConnection(after: "garbage") { edges { cursor } } }'}}),
        ("empty id", {"json": {"query": '{ product(id: "") { id } category(id: "") { id } }'}}),
        ("reserved id", {"json": {"query": '{ product(id: "..") { id } category(id: "__x__") { id } }'}}),
        ("control character in an id", {"json": {"query": '{ product(id: "a\\u0000b") { id } }'}}),
    ]
    for name, request in cases:
        response = requests.post(url, timeout=30, **request)
        assert response.status_code < 500, (name, response.status_code, response.text)
        body = response.json()
        assert body.get("errors"), (name, body)
        assert all(error["extensions"]["code"] == "BAD_USER_INPUT" for error in body["errors"]), (name, body)
        assert "Traceback" not in response.text, name
        assert "psycopg" not in response.text, name


def test_a_command_slower_than_the_wait_answers_timed_out_and_is_applied_later(stack: Stack) -> None:
    assert Settings().command_wait_seconds < HELD_SECONDS  # the restock of a held- product outlasts the wait
    product_id = stack.product(stock=1, prefix=HELD_PREFIX)
    restocked = stack.admin.data(
        f'mutation {{ restockProduct(input: {{productId: "{product_id}", quantity: 4}}) {RESULT} }}'
    )["restockProduct"]
    assert (restocked["status"], restocked["version"], restocked["error"]) == ("TIMED_OUT", None, None)
    status = f'{{ commandStatus(id: "{restocked["commandId"]}") {{ status version }} }}'
    deadline = time.monotonic() + 30
    while (answer := stack.admin.data(status)["commandStatus"]) is None or answer["status"] == "PENDING":
        assert time.monotonic() < deadline, answer
        time.sleep(0.25)
    assert answer == {"status": "ACCEPTED", "version": 2}
    while _read(stack.admin, product_id)["stock"] != 5:  # the read model follows the outcome
        assert time.monotonic() < deadline, _read(stack.admin, product_id)
        time.sleep(0.25)


def test_an_event_committed_by_a_function_that_died_before_publishing_still_arrives(stack: Stack) -> None:
    api = stack.admin
    product_id = _product(api, _category(api), stock=10)
    # The adjust-stock function is armed to die right after its first commit, before publishing.
    result = api.data(
        'mutation($id: ID!) { adjustStock(input: {productId: $id, delta: -4, reason: "breakage"})'
        f" {RESULT} }}",
        {"id": product_id},
    )["adjustStock"]
    assert (result["status"], result["version"]) == ("ACCEPTED", 2), result
    assert _read(api, product_id)["stock"] == 6
    log = (stack.log_dir / "function-adjust-stock.log").read_text()
    assert f"dying between commit and publish of {result['commandId']}" in log
    assert stack.storage.events.stream_version(f"Product-{product_id}") == 2


def test_rebuilt_read_models_equal_the_live_ones(stack: Stack) -> None:
    api = stack.admin
    category_id = _category(api, "Rebuilt")
    for name in ("A", "B", "C"):
        _product(api, category_id, name=name)
    gone = _product(api, category_id, name="Gone")
    api.data(f"mutation($id: ID!) {{ deleteProduct(id: $id) {RESULT} }}", {"id": gone})

    def everything(model: str) -> dict[str, tuple[int, Any]]:
        records: dict[str, tuple[int, Any]] = {}
        cursor = None
        while True:
            page = stack.storage.read_models.find(model, limit=500, cursor=cursor)
            records |= {record.key: (record.version, record.data) for record in page.records}
            if page.next_cursor is None:
                return records
            cursor = page.next_cursor

    for projection in (CATEGORIES, PRODUCTS):
        live = everything(projection.model)
        report = rebuild(projection, stack.storage)
        assert report.records == len(live)
        assert everything(projection.model) == live
    assert gone not in everything("products")
