"""Why a command was refused: a machine-readable code, a human message and the field at fault.

A rejection is a normal outcome of deciding, not a failure: the command handler records it, acks the
message and never retries it. Codes are stable strings that clients can switch on; `category` groups
them for the API layer (`BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT`, `FORBIDDEN`).
"""

from __future__ import annotations

from typing import Literal

RejectionCategory = Literal["BAD_USER_INPUT", "NOT_FOUND", "CONFLICT", "FORBIDDEN"]

CATEGORY_OF_CODE: dict[str, RejectionCategory] = {
    "INVALID_INPUT": "BAD_USER_INPUT",
    "INVALID_NAME": "BAD_USER_INPUT",
    "INVALID_PRICE": "BAD_USER_INPUT",
    "UNKNOWN_CURRENCY": "BAD_USER_INPUT",
    "INVALID_QUANTITY": "BAD_USER_INPUT",
    "UNKNOWN_CATEGORY": "BAD_USER_INPUT",
    "NOT_FOUND": "NOT_FOUND",
    "ALREADY_EXISTS": "CONFLICT",
    "STALE_VERSION": "CONFLICT",
    "CATEGORY_IN_USE": "CONFLICT",
    "INSUFFICIENT_STOCK": "CONFLICT",
    "CURRENCY_MISMATCH": "BAD_USER_INPUT",
    "UNKNOWN_PRODUCT": "BAD_USER_INPUT",
    "NOTHING_TO_REFUND": "CONFLICT",
    "STOCK_RESERVED": "CONFLICT",
    "ALREADY_RESERVED": "CONFLICT",
    "NO_RESERVATION": "CONFLICT",
    "ILLEGAL_TRANSITION": "CONFLICT",
    "ORDER_NOT_CANCELLABLE": "CONFLICT",
    "FORBIDDEN": "FORBIDDEN",
}


class Rejected(Exception):
    """Raised by `decide` when a command breaks an invariant; nothing is appended."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        if code not in CATEGORY_OF_CODE:
            raise ValueError(f"unknown rejection code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    @property
    def category(self) -> RejectionCategory:
        return CATEGORY_OF_CODE[self.code]


def check_expected_version(version: int, expected_version: int | None) -> None:
    """A command that names the version it was decided against is stale when the aggregate moved on."""
    if expected_version is not None and expected_version != version:
        raise Rejected(
            "STALE_VERSION",
            f"decided against version {expected_version}, but it is now at version {version}",
            "expectedVersion",
        )
