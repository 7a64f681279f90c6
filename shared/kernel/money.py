"""Exact money: a decimal amount in an ISO 4217 currency, never a float.

An amount may not have more decimal places than its currency's minor unit (no 0.5 yen, no 1.005 euro);
the `iso4217` package supplies the standard's currency list and minor units.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Self

import iso4217
from pydantic import BaseModel, ConfigDict, field_serializer, field_validator, model_validator

MAX_AMOUNT = Decimal("1000000000")


class Money(BaseModel):
    """An exact amount of one currency; serialised with the amount as a decimal string."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: Decimal
    currency: str

    @field_validator("amount", mode="before")
    @classmethod
    def _exact(cls, value: object) -> Decimal:
        if isinstance(value, float):
            raise ValueError('amounts are exact decimals: send a string such as "12.50", not a float')
        try:
            amount = Decimal(str(value))
        except InvalidOperation as error:
            raise ValueError(f"{value!r} is not a decimal amount") from error
        if not amount.is_finite():
            raise ValueError("amount must be a finite number")
        return amount

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, value: str) -> str:
        code = value.upper()
        try:
            iso4217.Currency(code)
        except ValueError as error:
            raise ValueError(f"{value!r} is not an ISO 4217 currency code") from error
        return code

    @model_validator(mode="after")
    def _within_minor_unit(self) -> Self:
        if abs(self.amount) >= MAX_AMOUNT:
            raise ValueError(f"amount must be below {MAX_AMOUNT}")
        if self.amount != self.amount.quantize(self._minor_unit()):
            raise ValueError(f"{self.currency} amounts have at most {self._decimals()} decimal places")
        return self

    def _decimals(self) -> int:
        return int(iso4217.Currency(self.currency).exponent or 0)

    def _minor_unit(self) -> Decimal:
        return Decimal(1).scaleb(-self._decimals())

    @field_serializer("amount")
    def _amount_text(self, amount: Decimal) -> str:
        return str(amount.quantize(self._minor_unit()))

    def times(self, quantity: int) -> Money:
        return Money(amount=self.amount * quantity, currency=self.currency)

    def plus(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(amount=self.amount + other.amount, currency=self.currency)
