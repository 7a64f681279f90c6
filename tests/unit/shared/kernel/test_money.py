"""Money is exact, in a known currency, within its currency's minor unit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from shared.kernel.money import Money


def test_amounts_are_exact_and_serialise_to_the_currency_minor_unit() -> None:
    price = Money(amount="12.5", currency="eur")
    assert price.amount == Decimal("12.5")
    assert price.currency == "EUR"
    assert price.model_dump(mode="json") == {"amount": "12.50", "currency": "EUR"}
    assert Money(amount="0.10", currency="USD").times(3) == Money(amount="0.30", currency="USD")
    assert Money(amount="100", currency="JPY").plus(Money(amount="5", currency="JPY")).amount == 105


@pytest.mark.parametrize(
    ("amount", "currency", "complaint"),
    [
        (1.5, "EUR", "not a float"),
        ("1.005", "EUR", "at most 2 decimal places"),
        ("0.5", "JPY", "at most 0 decimal places"),
        ("1", "XXZ", "not an ISO 4217 currency"),
        ("NaN", "EUR", "finite"),
        ("abc", "EUR", "not a decimal amount"),
        ("1e12", "EUR", "below"),
    ],
)
def test_inexact_or_unknown_money_is_refused_with_a_reason(
    amount: object, currency: str, complaint: str
) -> None:
    with pytest.raises(ValidationError, match=complaint):
        Money(amount=amount, currency=currency)


def test_currencies_do_not_mix() -> None:
    with pytest.raises(ValueError, match="cannot add"):
        Money(amount="1", currency="EUR").plus(Money(amount="1", currency="USD"))
