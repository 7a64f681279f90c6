"""Depth and complexity limits of the GraphQL schema, just under and just over, aliases and fragments
counted; validated with graphql-core against the very rules the schema installs."""

from __future__ import annotations

import pytest
from graphql import parse, specified_rules, validate

from functions.graphql.schema import build_schema, validation_rules
from shared.config import Settings

SETTINGS = Settings(max_query_depth=3, max_query_complexity=1000)
SCHEMA = build_schema(SETTINGS)
RULES = validation_rules(SETTINGS)


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


def test_without_first_a_list_pays_the_default_page() -> None:
    assert _errors(f"{{ products {{ {_fields(11)} }} }}") == []  # 1 + 20 x 11 = 221
    errors = _errors(" ".join(f"p{n}: products {{ {_fields(11)} }}" for n in range(5)).join("{}"))
    assert any("complexity is 1105" in error for error in errors)
