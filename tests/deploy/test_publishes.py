"""Each function's `publishes` in manifest.yaml is exactly what its code can publish to.

Terraform lets a function's account publish only to the topics its manifest entry lists, so a list that
misses a topic breaks the function in the cloud, and a list with a topic too many lets it forge messages
there. The scan (tests/deploy/publishes.py) reads the source from each entry point; these tests compare
its answer with the manifest, and show on small packages that it finds a publish added behind helpers,
constants and parameters, and refuses one whose topic it cannot read.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

from shared.application.registry import ENTRY_POINTS as COMMAND_ENTRY_POINTS
from shared.bus.manifest import Manifest
from tests.deploy.publishes import Source, Unresolvable
from tests.deploy.terraform import ROOT

PACKAGES = ("functions", "shared")
TRANSPORT = ("shared.bus.publisher",)
COMMAND_FUNCTIONS = "functions.commands.handlers"


def entry_points(source: Source, module: str = "functions.main") -> dict[str, tuple[str, str]]:
    """Every entry point -> (its module, the definition that publishes for it): functions/main.py's
    ENTRY_POINTS, read as deploy/bundle.py reads it, and the command registry's command functions, each
    made by functions/commands/handlers.py's `command_function`."""
    (statement,) = source.modules[module].definitions["ENTRY_POINTS"]
    assert isinstance(statement, ast.AnnAssign | ast.Assign)
    assert isinstance(statement.value, ast.Dict)
    found: dict[str, str] = {}
    for key, value in zip(statement.value.keys, statement.value.values, strict=True):
        assert isinstance(key, ast.Constant)
        assert isinstance(key.value, str)
        if isinstance(value, ast.Constant):
            assert isinstance(value.value, str)
            found[key.value] = value.value
        else:
            assert isinstance(value, ast.Name)
            resolved = source.constant(module, value.id)
            assert resolved is not None, value.id
            found[key.value] = resolved
    commands = {name: (COMMAND_FUNCTIONS, "command_function") for name in COMMAND_ENTRY_POINTS}
    return {name: (found_module, name) for name, found_module in found.items()} | commands


def test_every_function_publishes_exactly_to_the_topics_its_manifest_entry_lists() -> None:
    source = Source(ROOT, PACKAGES, TRANSPORT)
    found = entry_points(source)
    manifest = Manifest.load()
    scanned = {spec.name: source.topics(found[spec.entry_point]) for spec in manifest.functions}
    declared = {spec.name: set(spec.publishes) for spec in manifest.functions}
    assert scanned == declared


def test_the_scan_finds_every_kind_of_publisher_kiroku_has() -> None:
    """Not vacuous: command handlers, sagas, the relay and GraphQL each publish, projectors do not; a saga
    publishes commands only (its own events stay in its stream)."""
    source = Source(ROOT, PACKAGES, TRANSPORT)
    found = entry_points(source)

    def topics(entry_point: str) -> set[str]:
        return source.topics(found[entry_point])

    assert topics("create_product") == {"events"}
    assert topics("saga_on_payment") == {"commands"}
    assert topics("outbox_relay") == {"events"}
    assert topics("graphql") == {"commands"}
    assert topics("project_products") == set()


def _package(tmp_path: Path, files: dict[str, str]) -> Source:
    for name, text in {"app/__init__.py": "", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return Source(tmp_path, ["app"], ["app.transport"])


BASE = {
    "app/transport.py": """
        class Publisher:
            def publish(self, topic, envelope):
                return self._client.publish(self._path(topic), envelope)
    """,
    "app/topics.py": """
        EVENTS = "events"
        AUDIT: str = "audit"
    """,
    "app/runtime.py": """
        from app.transport import Publisher

        def publisher():
            return Publisher()
    """,
}


def test_a_publish_added_behind_helpers_constants_and_parameters_is_found(tmp_path: Path) -> None:
    source = _package(
        tmp_path,
        {
            **BASE,
            "app/helpers.py": """
                import asyncio
                from app import topics

                def forward(publisher, topic, envelope):
                    publisher.publish_many(topic, [envelope])

                class Notifier:
                    def notify(self, envelope):
                        asyncio.to_thread(self.publisher.publish, topics.AUDIT, envelope)
            """,
            "app/projector.py": """
                from app.helpers import Notifier, forward
                from app.runtime import publisher
                from app.topics import EVENTS as OUT

                def quiet(envelope):
                    return envelope

                def project(envelope):
                    forward(publisher(), OUT, envelope)
                    Notifier().notify(envelope)

                def unrelated(envelope):
                    publisher().publish("commands", envelope)
            """,
        },
    )
    assert source.topics(("app.projector", "quiet")) == set()
    assert source.topics(("app.projector", "project")) == {"events", "audit"}
    assert source.topics(("app.projector", "unrelated")) == {"commands"}


@pytest.mark.parametrize(
    "body",
    [
        "publisher().publish(f'{envelope.kind}s', envelope)",
        "publisher().publish(envelope.topic, envelope)",
        "send = publisher().publish",
    ],
)
def test_a_publish_whose_topic_the_source_does_not_name_fails_the_scan(tmp_path: Path, body: str) -> None:
    source = _package(
        tmp_path,
        {
            **BASE,
            "app/projector.py": f"""
                from app.runtime import publisher

                def project(envelope):
                    {body}
            """,
        },
    )
    with pytest.raises(Unresolvable):
        source.topics(("app.projector", "project"))
