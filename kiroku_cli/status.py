"""`kiroku status`: the whole stack at a glance, as an operator checks it first when something is wrong.

Three answers, each one a problem when it is not the healthy one: whether each function answers (the
local cloud's; a deployed environment's functions are private, and Cloud Run's own metrics watch them),
how far each read model lags behind the event store, and how many dead letters each topic-triggered
function holds. The console's health page shows the same through the API.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
import typer

from kiroku_cli.acting import acting
from kiroku_cli.output import PROBLEM, JsonOption, console, emit_json, table
from kiroku_cli.projections import projections_table
from kiroku_cli.target import Target
from shared.application.dead_letters import DeadLetterBox
from shared.application.operations import ProjectionStatus, projection_status
from shared.bus.manifest import FunctionSpec, TopicTrigger

ANSWER_SECONDS = 3.0
# Dead-letter subscriptions asked at once: an empty one answers only when its pull's wait is over.
PEEKS_AT_ONCE = 8
READY_PATH = "health/ready"
API_FUNCTION = "graphql"


@dataclass(frozen=True)
class FunctionHealth:
    """What one function answered: the API its readiness (`ready` or `degraded`), any other function an
    HTTP answer of any status (it is up), or nothing (`down`)."""

    function: str
    url: str
    state: str

    @property
    def healthy(self) -> bool:
        return self.state in ("ready", "answering")


@dataclass(frozen=True)
class StackStatus:
    functions: list[FunctionHealth]
    projections: list[ProjectionStatus]
    dead_letters: dict[str, int]

    @property
    def problems(self) -> list[str]:
        return (
            [f"function {each.function} is {each.state}" for each in self.functions if not each.healthy]
            + [
                f"read model {each.model} has {each.behind} aggregate(s) behind ({each.lag} events)"
                for each in self.projections
                if each.behind
            ]
            + [
                f"{function} holds {count} dead letter(s)"
                for function, count in self.dead_letters.items()
                if count
            ]
        )


def status_command(ctx: typer.Context, json_output: JsonOption = False) -> None:
    """Each function's health, each read model's lag and each function's dead letters; exits 1 on any
    problem."""
    with acting(ctx) as target:
        status = stack_status(target)
    if json_output:
        emit_json({**status.__dict__, "problems": status.problems})
    else:
        _show(target, status)
    if status.problems:
        raise typer.Exit(PROBLEM)


def stack_status(target: Target) -> StackStatus:
    with ThreadPoolExecutor(max_workers=PEEKS_AT_ONCE) as pool:
        functions = list(pool.map(lambda item: function_health(*item), sorted(target.functions.items())))
        specs = [spec for spec in target.manifest.functions if isinstance(spec.trigger, TopicTrigger)]
        depths = list(pool.map(lambda spec: _dead_letter_depth(target, spec), specs))
    projections = projection_status(target.storage.events, target.storage.read_models)
    return StackStatus(
        functions, projections, {spec.name: depth for spec, depth in zip(specs, depths, strict=True)}
    )


def function_health(function: str, url: str) -> FunctionHealth:
    base = url if url.endswith("/") else f"{url}/"
    probe = f"{base}{READY_PATH}" if function == API_FUNCTION else base
    try:
        response = requests.get(probe, timeout=ANSWER_SECONDS)
    except requests.RequestException:
        return FunctionHealth(function, url, "down")
    if function == API_FUNCTION:
        return FunctionHealth(function, url, "ready" if response.status_code == 200 else "degraded")
    return FunctionHealth(function, url, "answering")


def _dead_letter_depth(target: Target, spec: FunctionSpec) -> int:
    return len(DeadLetterBox(target.subscriber, target.project_id, spec).peek())


def _show(target: Target, status: StackStatus) -> None:
    out = console()
    if target.local:
        rows: list[list[object]] = [[each.function, each.state, each.url] for each in status.functions]
        out.print(table("functions", ["function", "state", "url"], rows))
    else:
        out.print("functions: not asked (a deployed environment's functions are private)", highlight=False)
    out.print(projections_table("read models", status.projections))
    held = {function: count for function, count in status.dead_letters.items() if count}
    rows = [[function, count] for function, count in held.items()]
    out.print(
        table(f"dead letters: {sum(held.values())} in {len(held)} function(s)", ["function", "held"], rows)
    )
    for problem in status.problems:
        out.print(f"[red]problem:[/red] {problem}", highlight=False)
    if not status.problems:
        out.print(f"{target.describe}: healthy", highlight=False)
