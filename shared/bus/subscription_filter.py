"""Pub/Sub subscription filters: parse the documented filter language and evaluate it on attributes.

In the cloud Pub/Sub applies a subscription's filter itself. The official emulator accepts filters and
ignores them, so the local runner applies the very same filter string from the manifest with
this module, and the manifest check rejects a filter that Pub/Sub would reject. No maintained Python
library implements this grammar, hence the small hand-written recursive-descent parser:

    expr      := term { ("AND" | "OR") term }      -- AND and OR cannot be mixed without parentheses
    term      := ("NOT" | "-") term | "(" expr ")" | predicate
    predicate := "attributes" "." key ("=" | "!=") string
               | "attributes" ":" key
               | "hasPrefix" "(" "attributes" "." key "," string ")"
    key       := identifier | string
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Predicate = Callable[[Mapping[str, str]], bool]

MAX_FILTER_BYTES = 256  # Pub/Sub's own limit on a subscription filter

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op>!=|=|[().,:\-])|(?P<word>[A-Za-z_][A-Za-z0-9_\-]*))'
)


class FilterSyntaxError(ValueError):
    """A filter Pub/Sub would refuse to create a subscription with."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "string" | "op" | "word"
    text: str


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    source = source.rstrip()
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            raise FilterSyntaxError(
                f"unexpected character at {position}: {source[position : position + 10]!r}"
            )
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self._tokens = _tokenize(source)
        self._index = 0

    def parse(self) -> Predicate:
        if not self._tokens:
            raise FilterSyntaxError("empty filter")
        predicate = self._expr()
        if self._index != len(self._tokens):
            raise FilterSyntaxError(f"unexpected {self._tokens[self._index].text!r}")
        return predicate

    def _peek(self) -> _Token | None:
        return self._tokens[self._index] if self._index < len(self._tokens) else None

    def _take(self, text: str | None = None, kind: str | None = None) -> _Token:
        token = self._peek()
        if token is None or (text is not None and token.text != text) or (kind and token.kind != kind):
            found = "end of filter" if token is None else repr(token.text)
            raise FilterSyntaxError(f"expected {text or kind}, found {found}")
        self._index += 1
        return token

    def _expr(self) -> Predicate:
        terms = [self._term()]
        joiner: str | None = None
        while (token := self._peek()) is not None and token.kind == "word" and token.text in ("AND", "OR"):
            if joiner is not None and token.text != joiner:
                raise FilterSyntaxError("AND and OR cannot be mixed without parentheses")
            joiner = self._take().text
            terms.append(self._term())
        if len(terms) == 1:
            return terms[0]
        combine = all if joiner == "AND" else any
        return lambda attributes: combine(term(attributes) for term in terms)

    def _term(self) -> Predicate:
        token = self._peek()
        if token is not None and (token.text == "NOT" or token.text == "-"):
            self._take()
            inner = self._term()
            return lambda attributes: not inner(attributes)
        if token is not None and token.text == "(":
            self._take("(")
            inner = self._expr()
            self._take(")")
            return inner
        return self._predicate()

    def _key(self) -> str:
        token = self._peek()
        if token is not None and token.kind == "string":
            return _unquote(self._take().text)
        return self._take(kind="word").text

    def _predicate(self) -> Predicate:
        token = self._peek()
        if token is not None and token.text == "hasPrefix":
            self._take()
            self._take("(")
            self._take("attributes")
            self._take(".")
            key = self._key()
            self._take(",")
            prefix = _unquote(self._take(kind="string").text)
            self._take(")")
            return lambda attributes: key in attributes and attributes[key].startswith(prefix)
        self._take("attributes")
        if (separator := self._take(kind="op").text) == ":":
            key = self._key()
            return lambda attributes: key in attributes
        if separator != ".":
            raise FilterSyntaxError(f"expected '.' or ':' after attributes, found {separator!r}")
        key = self._key()
        operator = self._take(kind="op").text
        if operator not in ("=", "!="):
            raise FilterSyntaxError(f"expected = or !=, found {operator!r}")
        value = _unquote(self._take(kind="string").text)
        if operator == "=":
            return lambda attributes: attributes.get(key) == value
        return lambda attributes: attributes.get(key) != value


def _unquote(literal: str) -> str:
    return str(json.loads(literal))


def parse_filter(source: str) -> Predicate:
    """Compile a Pub/Sub filter into a predicate over message attributes."""
    if len(source.encode()) > MAX_FILTER_BYTES:
        raise FilterSyntaxError(f"filter is longer than {MAX_FILTER_BYTES} bytes")
    return _Parser(source).parse()
