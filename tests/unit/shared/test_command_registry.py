"""The command registry and the manifest name the same commands: each command has exactly one function,
fed by the commands topic with a filter on its type, and no function takes a command the registry lacks."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from shared.application.registry import COMMAND_ROUTES, ROUTES, CommandRoute
from shared.bus.manifest import FunctionSpec, Manifest
from shared.messages.orders import COMMANDS as SAGA_COMMANDS


def registry_problems(routes: tuple[CommandRoute, ...], manifest: Manifest) -> list[str]:
    """What keeps the manifest from wiring exactly the registry's commands, one function each."""
    problems: list[str] = []
    on_commands = [
        spec
        for spec in manifest.functions
        if spec.trigger.type == "topic" and spec.trigger.topic == "commands"
    ]
    for route in routes:
        wired = [spec for spec in on_commands if spec.entry_point == route.entry_point]
        if len(wired) != 1:
            problems.append(f"{route.type}: {len(wired)} manifest functions run {route.entry_point}")
            continue
        if _filter(wired[0]) != f'attributes.type = "{route.type}"':
            problems.append(f"{route.type}: {wired[0].name} is fed by {_filter(wired[0])!r}")
    known = {route.entry_point for route in routes}
    problems += [
        f"{spec.name} runs {spec.entry_point}, which no command of the registry names"
        for spec in on_commands
        if spec.entry_point not in known
    ]
    return problems


def _filter(spec: FunctionSpec) -> str | None:
    return spec.trigger.filter if spec.trigger.type == "topic" else None


def test_the_manifest_wires_every_command_of_the_registry_and_no_other() -> None:
    assert registry_problems(ROUTES, Manifest.load()) == []


def test_a_command_missing_from_either_side_is_found() -> None:
    manifest = Manifest.load()
    without_refunds = manifest.model_copy(
        update={"functions": [spec for spec in manifest.functions if spec.entry_point != "refund_payment"]}
    )
    assert registry_problems(ROUTES, without_refunds) == [
        "RefundPayment: 0 manifest functions run refund_payment"
    ]
    without_route = tuple(route for route in ROUTES if route.type != "ShipOrder")
    assert registry_problems(without_route, manifest) == [
        "ship-order runs ship_order, which no command of the registry names"
    ]


def test_each_command_model_is_routed_once_and_every_command_the_saga_issues_is_routed() -> None:
    models: list[type[BaseModel]] = [route.model for route in ROUTES]
    assert len(models) == len(set(models)) == len(COMMAND_ROUTES)
    assert set(SAGA_COMMANDS) <= set(COMMAND_ROUTES)


def test_a_route_names_a_field_of_its_command() -> None:
    route = COMMAND_ROUTES["ReserveStock"]
    assert (route.aggregate.aggregate_type, route.id_field, route.entry_point) == (
        "Product",
        "product_id",
        "reserve_stock",
    )
    with pytest.raises(ValueError, match="order_line"):
        CommandRoute(route.model, route.aggregate, "order_line", "system")
