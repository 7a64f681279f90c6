"""GraphQL errors with a stable `extensions.code`, the only kind of error a client ever sees.

Codes: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, NOT_FOUND, CONFLICT, RATE_LIMITED, INTERNAL. Anything
else raised inside a resolver is logged with an id and answered as INTERNAL carrying that id, so no
internals, SQL or stack trace reach the client and the log entry is one search away.
"""

from __future__ import annotations

from typing import Any, Literal

from graphql import GraphQLError

ErrorCode = Literal[
    "UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT", "NOT_FOUND", "CONFLICT", "RATE_LIMITED", "INTERNAL"
]
CODES: frozenset[str] = frozenset(ErrorCode.__args__)  # type: ignore[attr-defined]


def api_error(code: ErrorCode, message: str, **extensions: Any) -> GraphQLError:
    return GraphQLError(
        message, extensions={"code": code, **{k: v for k, v in extensions.items() if v is not None}}
    )
