"""The rules every id and every free text obey, from the API's door through the messages to the stores.

An input the door accepts must be one every later hop can hold: an id that Firestore reserves (`__x__`,
`..`) or a NUL that PostgreSQL's text cannot store, if accepted by the API, would fail only in a handler,
where the message is retried until it is dead-lettered while the rest of the order goes ahead. So the
command models (which the API validates before it sends anything) use these types, and what they accept
is a subset of what the event store's and read models' own checks (`check_id`, the U+0000 check) accept.

- An id starts with a letter or digit, then letters, digits and `_ - . :`, at most 100 characters.
- A command id a client chooses is an id without `:`; ids the system derives for itself start with
  `SYSTEM_ID_PREFIX`, so no client can take one first.
- Free text holds no control characters but tab and line breaks.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

SYSTEM_ID_PREFIX = "saga:"
_SYSTEM_IDS = uuid.UUID("6f1c1c3e-8d0a-4f55-9a43-2f6d0b8e7a11")
MAX_ID_LENGTH = 100
MAX_COMMAND_ID_LENGTH = 128
MAX_REASON_LENGTH = 500
ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9_\-:.]{{0,{MAX_ID_LENGTH - 1}}}$"
COMMAND_ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9_\-.]{{0,{MAX_COMMAND_ID_LENGTH - 1}}}$"
_CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def system_id(name: str) -> str:
    """An id the system derives from `name`: the same every time it is derived, and one no client can
    choose (it starts with `SYSTEM_ID_PREFIX`)."""
    return f"{SYSTEM_ID_PREFIX}{uuid.uuid5(_SYSTEM_IDS, name)}"


def plain_text(value: str) -> str:
    """`value`, if it holds no control character but tab and line breaks (ValueError otherwise)."""
    if _CONTROL_CHARACTER.search(value):
        raise ValueError("must not contain control characters (only tab and line breaks are allowed)")
    return value


def clipped(text: str, limit: int = MAX_REASON_LENGTH) -> str:
    """`text` made fit for a `Reason`: control characters become spaces, and it is cut to `limit`."""
    flat = _CONTROL_CHARACTER.sub(" ", text).strip() or "-"
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


PlainText = AfterValidator(plain_text)
EntityId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
CommandId = Annotated[str, StringConstraints(pattern=COMMAND_ID_PATTERN)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), PlainText]
Description = Annotated[str, StringConstraints(max_length=5000), PlainText]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REASON_LENGTH), PlainText
]
# Opaque references handed out by the outside world (payment method tokens, gateway charge ids).
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), PlainText]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), PlainText]
