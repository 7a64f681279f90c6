"""Depth and complexity limits of the GraphQL schema, just under and just over, aliases and fragments
counted; what each list and each filter costs; validated with graphql-core against the very rules the
schema installs."""

from __future__ import annotations

import pytest
from graphql import OperationDefinitionNode, get_introspection_query, parse, specified_rules, validate

from functions.graphql import limits
from functions.graphql.limits import complexity_rule
from functions.graphql.results import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PLAIN_LIST_LIMIT
from functions.graphql.schema import build_schema, validation_rules
from shared.config import Settings
from shared.messages.orders import MAX_LINES

SETTINGS = Settings(max_query_depth=3, max_query_complexity=1000)
SCHEMA = build_schema(SETTINGS)
RULES = validation_rules(SETTINGS)
# The GraphQL queries the seed system's README quotes (its clients' queries).
SEED_QUERIES = (
    "{ categories { id name } }",
    "{ products { id name price category { id name } } }",
    "{ categories { id name } products { id name price category { id name } } }",
)


def _errors(query: str) -> list[str]:
    document = parse(query)
    return [error.message for error in validate(SCHEMA._schema, document, [*specified_rules, *RULES])]


def test_depth_just_under_and_just_over() -> None:
    # Depth counts the levels below the root field.
    assert _errors("{ productsConnection { edges { node { id } } } }") == []  # depth 3
    [error] = _errors("{ productsConnection { edges { node { category { id } } } } }")  # depth 4
    assert "exceeds maximum operation depth of 3" in error


def test_depth_follows_fragments() -> None:
    query = "{ productsConnection { edges { ...E } } } fragment E on ProductEdge { node { category { id } } }"
    [error] = _errors(query)
    assert "depth" in error


def _fields(count: int) -> str:
    fields = [
        "id",
        "name",
        "description",
        "price",
        "currency",
        "stock",
        "inStock",
        "categoryId",
        "version",
        "createdAt",
        "updatedAt",
    ]
    return " ".join(fields[:count])


def test_complexity_just_under_and_just_over() -> None:
    # products(first: 100) costs 1 + 100 x (its fields): 9 fields = 901, 10 fields = 1001.
    assert _errors(f"{{ products(first: 100) {{ {_fields(9)} }} }}") == []
    [error] = _errors(f"{{ products(first: 100) {{ {_fields(10)} }} }}")
    assert "complexity is 1001, above the limit of 1000" in error


@pytest.mark.parametrize(
    "query",
    [
        # the same 901 query asked twice under two aliases
        f"{{ a: products(first: 100) {{ {_fields(9)} }} b: products(first: 100) {{ id }} }}",
        # the fields reached through a fragment, used twice
        "{ products(first: 100) { ...P ...P } } fragment P on Product { id name description price currency }",
        # an inline fragment counts like the fields it holds
        f"{{ products(first: 100) {{ ... on Product {{ {_fields(10)} }} }} }}",
    ],
)
def test_aliases_and_fragments_are_counted(query: str) -> None:
    assert any("complexity" in error for error in _errors(query)), query


def test_without_first_a_connection_pays_the_default_page() -> None:
    query = f"productsConnection {{ nodes {{ {_fields(11)} }} }}"
    assert _errors(f"{{ {query} }}") == []  # 1 + 1 + 20 x 11 = 222
    errors = _errors(" ".join(f"p{n}: {query}" for n in range(5)).join("{}"))
    assert any("complexity is 1110" in error for error in errors)


def test_the_seed_clients_queries_fit_the_default_limit() -> None:
    # The plain list answers the whole catalogue (counted at its limit), and the seed's queries still pass.
    rules = validation_rules(Settings())
    for query in SEED_QUERIES:
        assert validate(SCHEMA._schema, parse(query), [*specified_rules, *rules]) == [], query


def _cost(query: str) -> int:
    """What the complexity rule counts for `query` (a limit of 0 makes it report every cost)."""
    [error] = validate(SCHEMA._schema, parse(query), [complexity_rule(0)])
    assert error.extensions is not None
    return int(error.extensions["complexity"])


ORDER_STATUSES = 7  # PLACED, RESERVED, PAID, SHIPPING, COMPLETED, CANCELLING, CANCELLED
SAGA_HISTORY = 2 * MAX_LINES + 30
SCAN = 1000


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        # Unpaged categories count as a default page; the plain products list without `first` or
        # `after` answers the whole catalogue, so it counts at the most it answers.
        ("{ categories { id name } }", 1 + DEFAULT_PAGE_SIZE * 2),
        ("{ products { id name price category { id name } } }", 1 + PLAIN_LIST_LIMIT * (3 + 3)),
        ("{ products(first: null, after: null) { id } }", 1 + PLAIN_LIST_LIMIT),
        ('{ products(after: "c") { id } }', 1 + DEFAULT_PAGE_SIZE),
        ("query($a: String) { products(after: $a) { id } }", 1 + PLAIN_LIST_LIMIT),
        # A connection's page is paid by its edges and nodes, not by its pageInfo.
        (
            "{ orders(first: 5) { edges { cursor node { id } } pageInfo { hasNextPage } } }",
            1 + (1 + 5 * (1 + 2)) + 2,
        ),
        ("{ orders { nodes { id } } }", 1 + 1 + DEFAULT_PAGE_SIZE),
        ("{ productsConnection(first: 7) { nodes { id } edges { cursor } } }", 1 + (1 + 7) + (1 + 7)),
        # `first` given by a variable is counted at the largest page, whatever its value will be.
        ("query($n: Int) { orders(first: $n) { nodes { id } } }", 1 + 1 + MAX_PAGE_SIZE),
        ("query($n: Int) { products(first: $n) { id } }", 1 + PLAIN_LIST_LIMIT),  # null: unpaged
        (
            "query($n: Int) { productsConnection(first: $n) { edges { node { id } } } }",
            1 + 1 + MAX_PAGE_SIZE * 2,
        ),
        ('{ eventHistory(aggregateType: "Order", aggregateId: "o") { type } }', 1 + DEFAULT_PAGE_SIZE),
        ('{ eventHistory(aggregateType: "Order", aggregateId: "o", first: 7) { type version } }', 1 + 14),
        ('{ deadLetters(function: "f", first: 3) { messageId } }', 1 + 3),
        # Lists without a page count the most they hold.
        ('{ order(id: "o") { lines { productId quantity } } }', 1 + 1 + MAX_LINES * 2),
        ('{ order(id: "o") { statusHistory { status at } } }', 1 + 1 + ORDER_STATUSES * 2),
        ('{ saga(orderId: "o") { history { event } } }', 1 + 1 + SAGA_HISTORY),
        ('{ order(id: "o") { saga { history { event step } } } }', 1 + 1 + 1 + SAGA_HISTORY * 2),
        ("{ orders(first: 2) { nodes { lines { quantity } } } }", 1 + 1 + 2 * (1 + MAX_LINES)),
        # A filter the store cannot apply reads until the page is full: it costs what it may read.
        ('{ products(filter: {nameContains: "~"}, first: 1) { id } }', 2 + SCAN),
        ('{ productsConnection(filter: {nameContains: "t"}, first: 1) { nodes { id } } }', 1 + 2 + SCAN),
        ('{ products(filter: {maxPrice: "1", nameContains: "t"}) { id } }', 1 + PLAIN_LIST_LIMIT + SCAN),
        ("query($f: ProductFilter) { products(filter: $f, first: 1) { id } }", 2 + SCAN),
        # ... and a filter the store applies costs nothing more.
        ('{ products(filter: {categoryId: "c", inStock: true, nameContains: null}, first: 1) { id } }', 2),
        ('{ products(filter: {minPrice: "1", maxPrice: "9.50"}, first: 1) { id } }', 2),
        ("{ products(filter: null, first: 1) { id } }", 2),
    ],
)
def test_every_list_costs_its_page_and_every_scan_what_it_reads(query: str, cost: int) -> None:
    assert _cost(query) == cost


def test_a_thousand_name_searches_exceed_the_default_limit() -> None:
    # The request of issue 15: each alias would read the whole catalogue.
    rules = validation_rules(Settings())
    search = 'products(filter: {nameContains: "~"}, first: 1) { id }'

    def errors(aliases: int) -> list[str]:
        query = "{ " + " ".join(f"s{n}: {search}" for n in range(aliases)) + " }"
        return [error.message for error in validate(SCHEMA._schema, parse(query), [*specified_rules, *rules])]

    assert errors(4) == []  # 4 x 1,002
    assert errors(5) == ["the query's complexity is 5010, above the limit of 5000"]
    assert errors(1000) == ["the query's complexity is 1002000, above the limit of 5000"]


def test_every_list_of_records_has_a_known_length() -> None:
    # A new list field must be paged or given a length, or the rule can only guess the largest page.
    assert limits.unbounded_lists(SCHEMA._schema) == []


def test_introspection_costs_one_per_field() -> None:
    # GraphiQL's introspection query stays well under the default limit outside production.
    assert _cost(get_introspection_query()) < Settings().max_query_complexity


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ("subscription { sagaChanges { orderId } }", "sagaChanges"),
        ("subscription { __typename sagaChanges { orderId } }", "sagaChanges"),
        ("subscription { ... on Subscription { order(id: 1) { id } } }", "order"),
        (
            "subscription S { ...F } fragment F on Subscription { saga(orderId: 1) { status } }",
            "saga",
        ),
        ("query { categories { id } }", None),
        ("subscription { __typename }", ""),
    ],
)
def test_the_field_a_subscription_follows_is_found_through_fragments(
    document: str, field: str | None
) -> None:
    """What access is checked against before a stream starts (app.py): the subscription's root field."""
    parsed = parse(document)
    [operation] = [each for each in parsed.definitions if isinstance(each, OperationDefinitionNode)]
    assert limits.subscribed_field(parsed, operation) == field
