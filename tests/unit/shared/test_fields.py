"""The id and text rules of the door: what they accept, every store can hold; what they refuse, named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from shared.eventstore.errors import InvalidAppend
from shared.kernel.storable import check_id, check_no_nul_character, dump_json
from shared.messages.fields import (
    ID_PATTERN,
    SYSTEM_ID_PREFIX,
    CommandId,
    EntityId,
    Reason,
    clipped,
)

ENTITY_ID: TypeAdapter[str] = TypeAdapter(EntityId)
COMMAND_ID: TypeAdapter[str] = TypeAdapter(CommandId)
REASON: TypeAdapter[str] = TypeAdapter(Reason)


@given(st.from_regex(ID_PATTERN, fullmatch=True))
def test_every_id_the_door_accepts_is_one_the_stores_accept(value: str) -> None:
    assert check_id(value, "id", InvalidAppend) == value
    assert check_id(f"Order-{value}", "stream id", InvalidAppend)


@pytest.mark.parametrize("value", ["__x__", "..", ".", "", "-x", "_x", "a/b", "a\x00", "x" * 101, "é"])
def test_ids_a_store_reserves_or_cannot_hold_are_refused(value: str) -> None:
    with pytest.raises(ValidationError):
        ENTITY_ID.validate_python(value)


def test_no_client_command_id_is_shaped_like_one_the_system_derives() -> None:
    assert COMMAND_ID.validate_python("checkout-42.retry_1") == "checkout-42.retry_1"
    with pytest.raises(ValidationError):
        COMMAND_ID.validate_python(f"{SYSTEM_ID_PREFIX}6f1c1c3e-8d0a-4f55-9a43-2f6d0b8e7a11")


@pytest.mark.parametrize("value", ["no\x00thanks", "bell\x07", "escape\x1b[31m", "del\x7f"])
def test_text_with_control_characters_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="control characters"):
        REASON.validate_python(value)


def test_tabs_and_line_breaks_are_text() -> None:
    assert REASON.validate_python("line one\n\tline two\r\n") == "line one\n\tline two"


@given(st.text(max_size=2000))
def test_clipped_text_is_always_a_valid_reason_the_stores_hold(text: str) -> None:
    reason = REASON.validate_python(clipped(text))
    check_no_nul_character(dump_json(reason, "reason", InvalidAppend), "reason", InvalidAppend)
