"""The Category aggregate as pure decide/evolve functions.

`decide(state, command, facts)` returns the events a command causes or raises `Rejected`;
`evolve(state, event)` folds one event into the state. Facts are what a decision needs from outside the
aggregate (how many products use the category); the command handler gathers them, so this module stays
free of I/O and every rule here is tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from shared.domain.rejection import Rejected, check_expected_version
from shared.messages.catalogue import (
    CategoryCommand,
    CategoryCreated,
    CategoryDeleted,
    CategoryEvent,
    CategoryUpdated,
    CreateCategory,
    UpdateCategory,
)


@dataclass(frozen=True, slots=True)
class CategoryState:
    version: int = 0
    created: bool = False
    deleted: bool = False
    name: str = ""
    description: str = ""

    @property
    def live(self) -> bool:
        return self.created and not self.deleted


@dataclass(frozen=True, slots=True)
class CategoryFacts:
    """Whether any live product names the category (known from the products read model)."""

    in_use: bool = False


def decide_category(
    state: CategoryState, command: CategoryCommand, facts: CategoryFacts = CategoryFacts()
) -> list[CategoryEvent]:
    if isinstance(command, CreateCategory):
        if state.created:
            raise Rejected("ALREADY_EXISTS", f"category {command.category_id} already exists", "categoryId")
        return [CategoryCreated(name=command.name, description=command.description)]
    if not state.live:
        raise Rejected("NOT_FOUND", f"category {command.category_id} does not exist", "categoryId")
    check_expected_version(state.version, command.expected_version)
    if isinstance(command, UpdateCategory):
        name = command.name if command.name is not None else state.name
        description = command.description if command.description is not None else state.description
        if (name, description) == (state.name, state.description):
            return []
        return [CategoryUpdated(name=name, description=description)]
    if facts.in_use:
        raise Rejected(
            "CATEGORY_IN_USE",
            f"category {command.category_id} is used by products: move or delete them first",
            "categoryId",
        )
    return [CategoryDeleted()]


def evolve_category(state: CategoryState, event: CategoryEvent) -> CategoryState:
    state = replace(state, version=state.version + 1)
    if isinstance(event, CategoryCreated | CategoryUpdated):
        return replace(state, created=True, name=event.name, description=event.description)
    return replace(state, deleted=True)
