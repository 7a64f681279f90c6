"""`kiroku status`: every function of the local cloud answering, every read model's lag, and a dead
letter shown as a problem (exit 1) until it is dealt with; a function that does not answer is down."""

from __future__ import annotations

from emulators.processes import free_port
from kiroku_cli.status import function_health
from shared.application.projections import PROJECTIONS
from shared.bus.manifest import Manifest, TopicTrigger
from tests.e2e.conftest import until
from tests.kiroku_cli.conftest import Cloud
from tests.kiroku_cli.test_dead_letters import FUNCTION, dead_letter_of, poison_update


def test_status_answers_for_the_whole_stack_and_a_dead_letter_is_a_problem_until_discarded(
    cloud: Cloud,
) -> None:
    category, command_id, original = poison_update(cloud, "Status")
    until(lambda: dead_letter_of(cloud, command_id), timeout=120, every=2)

    status = cloud.kiroku_json("status", code=1)

    manifest = Manifest.load()
    states = {each["function"]: each["state"] for each in status["functions"]}
    assert set(states) == {spec.name for spec in manifest.functions}
    assert states.pop("graphql") == "ready"
    assert set(states.values()) == {"answering"}
    assert set(status["dead_letters"]) == {
        spec.name for spec in manifest.functions if isinstance(spec.trigger, TopicTrigger)
    }
    assert status["dead_letters"][FUNCTION] >= 1
    assert f"{FUNCTION} holds {status['dead_letters'][FUNCTION]} dead letter(s)" in status["problems"]
    assert {each["model"] for each in status["projections"]} == {p.model for p in PROJECTIONS.values()}
    assert "problem:" in cloud.kiroku("status", code=1).stdout

    cloud.set_event_field(f"Category-{category}", 1, "payload", original)
    cloud.kiroku("dead-letters", "discard", FUNCTION, command_id)

    assert until(lambda: cloud.kiroku("status", code=None).exit_code == 0, timeout=60, every=2)
    assert cloud.kiroku_json("status")["problems"] == []
    assert "healthy" in cloud.kiroku("status").stdout


def test_a_function_that_does_not_answer_is_down() -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    assert function_health("place-order", url).state == "down"
    assert not function_health("graphql", url).healthy
