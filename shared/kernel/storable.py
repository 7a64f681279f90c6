"""What both stores can hold, on both backends: ids, JSON and sizes.

The event store and the read models, on PostgreSQL and on Firestore, accept exactly the same values, so
data written on one backend can always be moved to the other and a value one store refuses is refused by
all. Each check raises the error its caller names (the event store's `InvalidAppend`, the read models'
`InvalidReadModelInput`, ...), so this module depends on neither store.

JSON is written by orjson: a store's write path is mostly serialisation, and orjson's costs a fraction of
the standard library's (bench/README.md). The standard library decides the cases orjson refuses or would
coerce (integers beyond 64 bits, non-string keys, NaN and infinities, which orjson writes as null).
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

MAX_PAYLOAD_BYTES = 900 * 1024
MAX_ID_LENGTH = 400

# Types orjson would write as strings but the standard library refuses: handed back, so they are refused.
# (UUIDs and enums orjson writes whatever the options; envelopes validate payloads as JSON values.)
ORJSON_REFUSES = (
    orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS
)
# Built once: json.dumps with options other than the defaults builds a new encoder on every call.
_STDLIB_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
_FORBIDDEN_ID = re.compile(r"[/\x00-\x1f\x7f]|^\.{1,2}$|^__.*__$")
# U+0000 as JSON writes it (\u0000 after an even number of backslashes): PostgreSQL's text cannot hold it.
_NUL_CHARACTER = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def check_no_nul_character(json_text: str, what: str, error: type[ValueError]) -> None:
    """Refuse U+0000, which PostgreSQL's text and jsonb cannot hold, so both backends accept the same data."""
    if "\\u0000" in json_text and _NUL_CHARACTER.search(json_text):
        raise error(f"{what} holds U+0000, which PostgreSQL cannot store")


def check_id(value: object, what: str, error: type[ValueError]) -> str:
    """An id that is also a valid Firestore document id, so both backends accept the same ids."""
    if not isinstance(value, str) or not value:
        raise error(f"{what} must be a non-empty string, got {value!r}")
    if len(value) > MAX_ID_LENGTH:
        raise error(f"{what} is longer than {MAX_ID_LENGTH} characters")
    if _FORBIDDEN_ID.search(value):
        raise error(f"{what} {value!r} contains '/', a control character, or is reserved")
    return value


def encode_json(value: Any, what: str, error: type[ValueError]) -> bytes:
    """Compact UTF-8 JSON, refusing what JSON cannot carry (NaN, sets, objects) instead of coercing it."""
    try:
        encoded = orjson.dumps(value, option=ORJSON_REFUSES)
    except TypeError:
        return _stdlib_json(value, what, error).encode()
    if b"null" in encoded:
        _stdlib_json(value, what, error)  # a real null, or a NaN orjson turned into one
    return encoded


def _stdlib_json(value: Any, what: str, error: type[ValueError]) -> str:
    try:
        return _STDLIB_JSON.encode(value)
    except (TypeError, ValueError) as cause:
        raise error(f"{what} is not JSON-serialisable: {cause}") from cause


def dump_json(value: Any, what: str, error: type[ValueError]) -> str:
    return encode_json(value, what, error).decode()


def check_size(text: str | bytes, what: str, error: type[ValueError]) -> None:
    """One document's worth: Firestore's 1 MiB less room for the fields around it."""
    size = len(text.encode() if isinstance(text, str) else text)
    if size > MAX_PAYLOAD_BYTES:
        raise error(f"{what} is {size:,} bytes; the limit is {MAX_PAYLOAD_BYTES:,} bytes")
