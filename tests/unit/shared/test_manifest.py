"""The manifest model: the real manifest validates, and a bad one names the function and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.application.aggregates import KINDS
from shared.application.registry import GATEWAY_ENTRY_POINTS
from shared.bus.manifest import Manifest, ManifestError, RetryPolicy, TopicTrigger
from shared.bus.subscription_filter import parse_filter
from shared.config import Settings
from shared.domain.fulfilment import REACTS_TO


def _manifest(**function: Any) -> dict[str, Any]:
    base = {
        "name": "project-products",
        "entry_point": "project_products",
        "trigger": {"type": "topic", "topic": "events"},
    }
    return {"source": "functions/main.py", "topics": ["events"], "functions": [{**base, **function}]}


def test_the_project_manifest_is_valid_and_every_entry_point_exists() -> None:
    manifest = Manifest.load()
    import functions.main as entry_points

    for spec in manifest.functions:
        assert callable(getattr(entry_points, spec.entry_point)), spec.name


def test_defaults_apply_to_functions_that_do_not_set_a_field() -> None:
    raw = _manifest(timeout_seconds=30)
    raw["defaults"] = {"timeout_seconds": 120, "memory_mb": 512, "retry": {"minimum_backoff_seconds": 2}}
    spec = Manifest.parse(raw).functions[0]
    assert spec.timeout_seconds == 30
    assert spec.memory_mb == 512
    assert spec.retry.minimum_backoff_seconds == 2
    assert spec.subscription == "project-products-push"
    assert spec.dead_letter_topic == "project-products-dead-letter"


@pytest.mark.parametrize(
    ("function", "named"),
    [
        ({"trigger": {"type": "topic", "topic": "events", "filter": "attributes.type ="}}, "trigger.filter"),
        ({"trigger": {"type": "topic", "topic": "nowhere"}}, "trigger.topic 'nowhere' is not in topics"),
        ({"dead_letter": {"max_delivery_attempts": 2}}, "dead_letter.max_delivery_attempts"),
        ({"retry": {"minimum_backoff_seconds": 60, "maximum_backoff_seconds": 10}}, "retry"),
        ({"memory_mb": 64}, "memory_mb"),
        ({"entry_point": "not-an-identifier"}, "entry_point"),
        ({"schedule": {"cron": "* * * * *"}}, "schedule needs an http trigger"),
        ({"unexpected": 1}, "unexpected"),
        ({"publishes": ["nowhere"]}, "publishes ['nowhere'] not in topics"),
        ({"publishes": ["events", "events"]}, "publishes"),
        ({"database": "admin"}, "database"),
    ],
)
def test_a_bad_manifest_names_the_function_and_the_field(function: dict[str, Any], named: str) -> None:
    with pytest.raises(ManifestError) as raised:
        Manifest.parse(_manifest(**function))
    message = str(raised.value)
    assert "function 'project-products'" in message
    assert named in message


def test_a_function_listed_twice_is_refused() -> None:
    raw = _manifest()
    raw["functions"].append(dict(raw["functions"][0]))
    with pytest.raises(ManifestError, match="'project-products' is listed twice"):
        Manifest.parse(raw)


def test_an_unreadable_manifest_says_which_file(tmp_path: Path) -> None:
    broken = tmp_path / "manifest.yaml"
    broken.write_text("functions: [\n")
    with pytest.raises(ManifestError, match=str(broken)):
        Manifest.load(broken)


def test_topic_triggers_keep_their_filter() -> None:
    spec = Manifest.parse(
        _manifest(trigger={"type": "topic", "topic": "events", "filter": "attributes:type"})
    ).functions[0]
    assert isinstance(spec.trigger, TopicTrigger)
    assert spec.trigger.filter == "attributes:type"


def test_publishes_and_database_default_to_nothing_and_to_the_writer_role() -> None:
    spec = Manifest.parse(_manifest()).functions[0]
    assert spec.publishes == ()
    assert spec.database == "write"
    spec = Manifest.parse(_manifest(publishes=["events"], database="read")).functions[0]
    assert spec.publishes == ("events",)
    assert spec.database == "read"


def test_the_project_manifest_gives_the_graphql_door_commands_and_a_read_only_database() -> None:
    graphql = Manifest.load().function("graphql")
    assert graphql.publishes == ("commands",)
    assert graphql.database == "read"


def test_a_gateway_command_is_delivered_again_only_once_the_open_circuit_lets_a_call_through() -> None:
    """A waiting command met an open circuit (or a failing gateway that is about to open it): delivered
    again sooner than the circuit's reset, it would be failed at once again, and every waiting order would
    call a recovering gateway together once it resets."""
    reset = Settings.model_fields["gateway_breaker_reset_seconds"].default
    waiting = [spec for spec in Manifest.load().functions if spec.entry_point in GATEWAY_ENTRY_POINTS]

    assert {spec.entry_point for spec in waiting} == GATEWAY_ENTRY_POINTS
    assert {
        spec.name: spec.retry.minimum_backoff_seconds
        for spec in waiting
        if spec.retry.minimum_backoff_seconds < reset
    } == {}


def test_a_local_stack_shortens_the_retry_of_the_named_functions_only() -> None:
    manifest = Manifest.load()
    retry = RetryPolicy(minimum_backoff_seconds=3, maximum_backoff_seconds=6)

    shortened = manifest.with_retry(GATEWAY_ENTRY_POINTS, retry)

    for before, after in zip(manifest.functions, shortened.functions, strict=True):
        expected = retry if before.entry_point in GATEWAY_ENTRY_POINTS else before.retry
        assert after.retry == expected, before.name


def test_the_saga_steps_are_delivered_each_event_the_saga_decides_on_once_and_no_other() -> None:
    filters = {
        spec.name: parse_filter(spec.trigger.filter or "")
        for spec in Manifest.load().functions
        if spec.name.startswith("saga-") and isinstance(spec.trigger, TopicTrigger)
    }
    delivered: dict[str, list[str]] = {}
    for kind in KINDS.values():
        for event_type in kind.events:
            attributes = {"type": event_type, "aggregate_type": kind.aggregate_type}
            delivered[event_type] = [name for name, matches in filters.items() if matches(attributes)]
    assert {event for event, names in delivered.items() if names} == REACTS_TO
    assert all(len(names) <= 1 for names in delivered.values()), delivered
