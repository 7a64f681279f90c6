"""The Pub/Sub filter language, as documented, evaluated on attributes."""

from __future__ import annotations

import pytest

from shared.bus.subscription_filter import FilterSyntaxError, parse_filter

ATTRIBUTES = {"type": "ProductCreated", "kind": "event", "aggregate_type": "Product", "odd key": "x"}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('attributes.type = "ProductCreated"', True),
        ('attributes.type = "ProductDeleted"', False),
        ('attributes.type != "ProductDeleted"', True),
        ('attributes.missing != "anything"', True),
        ('attributes.missing = "anything"', False),
        ("attributes:kind", True),
        ("attributes:missing", False),
        ("NOT attributes:missing", True),
        ("-attributes:kind", False),
        ('hasPrefix(attributes.type, "Product")', True),
        ('hasPrefix(attributes.type, "Order")', False),
        ('hasPrefix(attributes.missing, "")', False),
        ('attributes.kind = "event" AND attributes.aggregate_type = "Product"', True),
        ('attributes.kind = "event" AND attributes.aggregate_type = "Order"', False),
        ('attributes.type = "A" OR attributes.type = "B" OR attributes.type = "ProductCreated"', True),
        ('attributes.kind = "event" AND (attributes.type = "A" OR hasPrefix(attributes.type, "Prod"))', True),
        ('NOT (attributes.type = "A" OR attributes.type = "B")', True),
        ('attributes."odd key" = "x"', True),
        ('attributes.type = "Product\\u0043reated"', True),
    ],
)
def test_filters_evaluate_as_pubsub_documents_them(source: str, expected: bool) -> None:
    assert parse_filter(source)(ATTRIBUTES) is expected


@pytest.mark.parametrize(
    "source",
    [
        "",
        "attributes.type",
        'attributes.type == "x"',
        "attributes.type = x",
        'attributes.a = "1" AND attributes.b = "2" OR attributes.c = "3"',
        '(attributes.type = "x"',
        'data = "x"',
        'hasPrefix(attributes.type "x")',
        'attributes.type = "x" extra',
        'attributes.type = "' + "x" * 300 + '"',
    ],
)
def test_filters_pubsub_would_refuse_are_refused(source: str) -> None:
    with pytest.raises(FilterSyntaxError):
        parse_filter(source)
