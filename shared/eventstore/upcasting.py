"""Upcasters: old event schema versions read as the current one, so the stored log is never rewritten.

An upcaster turns the payload of one event type at one schema version into the payload of the next
version. Reads chain them (v1 -> v2 -> v3) until no upcaster matches, so each change is written once,
against the version just before it.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import JsonValue

from shared.messages.envelope import Envelope

Payload = dict[str, JsonValue]
Upcaster = Callable[[Payload], Payload]


class Upcasters:
    """The registry: (event type, from schema version) -> payload function to the next version."""

    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """Decorator: `@upcasters.register("ProductCreated", 1)` upcasts version 1 to version 2."""

        def add(step: Upcaster) -> Upcaster:
            key = (event_type, from_version)
            if key in self._steps:
                raise ValueError(f"an upcaster for {event_type} v{from_version} is already registered")
            self._steps[key] = step
            return step

        return add

    def upcast(self, event: Envelope) -> Envelope:
        """The event at the newest schema version the registered upcasters reach."""
        version, payload = event.schema_version, event.payload
        while (step := self._steps.get((event.type, version))) is not None:
            payload = step(payload)
            version += 1
        if version == event.schema_version:
            return event
        # Validated again: an upcaster returning something that is not JSON must fail here, not downstream.
        return Envelope.model_validate({**event.model_dump(), "schema_version": version, "payload": payload})
