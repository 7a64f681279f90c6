"""How each aggregate is stored: its stream, its pure decide/evolve, its events and its snapshot shape.

One `AggregateKind` per aggregate type lets a single command handler serve every command: the kind says
which stream a command addresses, how to rebuild the state (snapshot + later events) and how to turn
decided events into envelopes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter

from shared.domain.catalogue import (
    CategoryState,
    ProductState,
    decide_category,
    decide_product,
    evolve_category,
    evolve_product,
)
from shared.eventstore.model import LoadedStream, Snapshot
from shared.messages.catalogue import (
    EVENTS,
    CatalogueCommand,
    CreateCategory,
    DeleteCategory,
    UpdateCategory,
)
from shared.messages.envelope import Envelope

State = TypeVar("State")


@dataclass(frozen=True)
class AggregateKind(Generic[State]):
    """Everything generic code needs to know about one aggregate type."""

    aggregate_type: str
    initial: State
    decide: Callable[[State, Any, Any], Sequence[BaseModel]]
    evolve: Callable[[State, Any], State]
    events: Mapping[str, type[BaseModel]]
    id_field: str
    snapshot_every: int
    state_schema_version: int = 1

    def stream_id(self, aggregate_id: str) -> str:
        return f"{self.aggregate_type}-{aggregate_id}"

    def aggregate_id(self, command: BaseModel) -> str:
        return str(getattr(command, self.id_field))

    def parse_event(self, envelope: Envelope) -> BaseModel:
        return self.events[envelope.type].model_validate(envelope.payload)

    def fold(self, loaded: LoadedStream) -> State:
        """The state after the snapshot (if any) and every event after it."""
        adapter: TypeAdapter[State] = TypeAdapter(type(self.initial))
        start = (
            adapter.validate_python(loaded.snapshot.state) if loaded.snapshot is not None else self.initial
        )
        return reduce(self.evolve, (self.parse_event(envelope) for envelope in loaded.events), start)

    def snapshot(self, stream_id: str, version: int, state: State) -> Snapshot:
        adapter: TypeAdapter[State] = TypeAdapter(type(self.initial))
        return Snapshot(
            stream_id=stream_id,
            aggregate_type=self.aggregate_type,
            version=version,
            state=adapter.dump_python(state, mode="json"),
            schema_version=self.state_schema_version,
        )


CATEGORY: AggregateKind[CategoryState] = AggregateKind(
    aggregate_type="Category",
    initial=CategoryState(),
    decide=decide_category,
    evolve=evolve_category,
    events={name: model for name, model in EVENTS.items() if name.startswith("Category")},
    id_field="category_id",
    snapshot_every=100,
)

PRODUCT: AggregateKind[ProductState] = AggregateKind(
    aggregate_type="Product",
    initial=ProductState(),
    decide=decide_product,
    evolve=evolve_product,
    events={name: model for name, model in EVENTS.items() if not name.startswith("Category")},
    id_field="product_id",
    snapshot_every=50,
)

KINDS: dict[str, AggregateKind[Any]] = {kind.aggregate_type: kind for kind in (CATEGORY, PRODUCT)}


def kind_of_command(command: CatalogueCommand) -> AggregateKind[Any]:
    """The aggregate a command addresses."""
    if isinstance(command, CreateCategory | UpdateCategory | DeleteCategory):
        return CATEGORY
    return PRODUCT
