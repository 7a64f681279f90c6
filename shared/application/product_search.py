"""How a catalogue search runs in the store rather than in the function: the searchable forms the
products projection keeps beside each product's name and price, and the filters a search asks for.

"Name contains this text, ignoring case" can use no plain index on either backend, and Firestore has no
substring search at all. So each record keeps its name's distinct substrings of one to three characters,
casefolded (`name_grams`): a search asks the store for the records holding the text's first substring
of up to three characters (an indexed array-contains on Firestore, a GIN containment on PostgreSQL), and
the caller keeps those whose name holds the whole text. A price range compares `price_units`, the price
as an integer of ten-thousandths: every currency has at most four decimals, so it is exact, and both
backends range over integers on an index.
"""

from __future__ import annotations

import math
from decimal import Decimal

from shared.kernel.money import MAX_AMOUNT

GRAM_LENGTH = 3
PRICE_SCALE = 10_000
NAME_GRAMS, PRICE_UNITS = "name_grams", "price_units"  # the read model's fields
# Beyond every price (and within 64 bits): where a bound further out is clamped.
_BEYOND = int(MAX_AMOUNT * PRICE_SCALE) + 1


def name_grams(name: str) -> list[str]:
    """Every distinct substring of 1 to GRAM_LENGTH characters of the casefolded name, sorted."""
    folded = name.casefold()
    return sorted(
        {
            folded[start : start + size]
            for size in range(1, GRAM_LENGTH + 1)
            for start in range(len(folded) - size + 1)
        }
    )


def search_gram(text: str) -> str:
    """The substring a search for `text` asks the store for: every name holding `text` holds it."""
    return text.casefold()[:GRAM_LENGTH]


def price_units(amount: Decimal) -> int:
    """The price in ten-thousandths, exactly (an amount never has more than four decimals)."""
    units = amount * PRICE_SCALE
    if units != units.to_integral_value():
        raise ValueError(f"{amount} has more than four decimals")
    return int(units)


def price_bounds(low: Decimal | None, high: Decimal | None) -> tuple[int | None, int | None]:
    """Inclusive bounds in price units that keep exactly the prices within [low, high] (finite)."""

    def clamped(units: int) -> int:
        return max(-_BEYOND, min(_BEYOND, units))

    return (
        clamped(math.ceil(low * PRICE_SCALE)) if low is not None else None,
        clamped(math.floor(high * PRICE_SCALE)) if high is not None else None,
    )
