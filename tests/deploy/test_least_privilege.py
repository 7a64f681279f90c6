"""Each function's cloud identity holds what its manifest entry says and no more: the topics it publishes to,
and the database role of its `database` level.

The Terraform expressions that turn the manifest into IAM bindings are taken from the parsed HCL and
evaluated by Terraform itself (`terraform console` in the provider-free manifest module, with the
module's own outputs in place of `module.manifest`), so what is checked is the expression Terraform
will evaluate, not a copy of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.bus.manifest import DEFAULT_MANIFEST, Manifest
from shared.config import Settings
from shared.eventstore.deploy_schema import OWNER_URL, READER_URL, WRITER_URL
from tests.deploy.terraform import MODULES, attribute, console, labelled, locals_of, resources, unquote

KIROKU = MODULES / "kiroku"
STORAGE = MODULES / "storage"


def expression(text: str) -> str:
    """A parsed HCL expression without its `${...}` wrapper."""
    assert text.startswith("${"), text
    assert text.endswith("}"), text
    return text[2:-1]


def evaluate(text: str, manifest: Path, **replacements: str) -> Any:
    """An expression of another module, evaluated in the manifest module with stand-ins for its inputs."""
    for name, replacement in replacements.items():
        assert name in text, (name, text)
        text = text.replace(name, f"({replacement})")
    return console("manifest", text, manifest_path=str(manifest))


def publishers_map() -> str:
    """What modules/kiroku hands modules/pubsub as `publishers`, on the manifest module's output."""
    call = labelled(KIROKU, "module")["pubsub"]
    return expression(call["publishers"])


def with_publishes(tmp_path: Path) -> Path:
    """The repository's manifest, with one projector given a topic: the bindings must follow."""
    raw: dict[str, Any] = yaml.safe_load(DEFAULT_MANIFEST.read_text())
    for spec in raw["functions"]:
        if spec["name"] == "project-products":
            spec["publishes"] = ["commands"]
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@pytest.mark.parametrize("changed", [False, True])
def test_a_function_may_publish_to_exactly_the_topics_its_manifest_entry_lists(
    changed: bool, tmp_path: Path
) -> None:
    path = with_publishes(tmp_path) if changed else DEFAULT_MANIFEST
    manifest = Manifest.load(path)
    publishers = publishers_map().replace("module.manifest.functions", "local.functions")
    publishers = publishers.replace("module.iam.function_emails[name]", '"${name}@accounts"')
    bindings = evaluate(
        expression(locals_of(MODULES / "pubsub")["publishers"]), path, **{"var.publishers": publishers}
    )
    expected = {
        f"{spec.name}/{topic}": {"function": spec.name, "topic": topic, "email": f"{spec.name}@accounts"}
        for spec in manifest.functions
        for topic in spec.publishes
    }
    assert bindings == expected
    # The manifest's answer to "who may publish a PaymentCaptured": those that list `events`, not everyone.
    events = {binding["function"] for binding in bindings.values() if binding["topic"] == "events"}
    assert "graphql" not in events
    assert not any(name.startswith("project-") for name in events)


def test_the_publisher_binding_is_the_only_grant_a_function_has_on_a_topic() -> None:
    bus = resources(MODULES / "pubsub")
    binding = bus[("google_pubsub_topic_iam_member", "publisher")]
    assert binding["for_each"] == "${local.publishers}"
    assert unquote(binding["role"]) == "roles/pubsub.publisher"
    assert binding["topic"] == "${google_pubsub_topic.topic[each.value.topic].name}"
    assert unquote(binding["member"]) == "serviceAccount:${each.value.email}"
    topic_grants = [name for kind, name in bus if kind.endswith("_iam_member") and "topic" in kind]
    # The other topic grant is the Pub/Sub agent's, on each function's own dead-letter topic.
    assert sorted(topic_grants) == ["agent_dead_letters", "publisher"]
    assert "publisher_emails" not in labelled(MODULES / "pubsub", "variable")
    assert "spec.publishes" in publishers_map()


@pytest.mark.parametrize("storage", ["postgres", "firestore"])
def test_each_function_gets_the_project_roles_of_its_database_level(storage: str) -> None:
    roles_by_level = {
        "postgres": "{write = [], read = [], none = []}",
        "firestore": '{write = ["roles/datastore.user"], read = ["roles/datastore.viewer"], none = []}',
    }[storage]
    output = labelled(STORAGE, "output")["function_project_roles"]["value"]
    local = "true" if storage == "postgres" else "false"
    levels = {
        level: evaluate(expression(value), DEFAULT_MANIFEST, **{"local.postgres": local})
        if isinstance(value, str)
        else value
        for level, value in output.items()
    }
    assert levels == console("manifest", roles_by_level, manifest_path=str(DEFAULT_MANIFEST))
    per_function = expression(locals_of(KIROKU)["function_project_roles"])
    per_function = per_function.replace("module.manifest.functions", "local.functions")
    roles = evaluate(
        per_function, DEFAULT_MANIFEST, **{"module.storage.function_project_roles": roles_by_level}
    )
    common = {"roles/logging.logWriter", "roles/cloudtrace.agent", "roles/monitoring.metricWriter"}
    for spec in Manifest.load().functions:
        assert set(roles[spec.name]) == common | set(levels[spec.database]), spec.name
    if storage == "firestore":
        assert "roles/datastore.user" not in roles["graphql"]
        assert "roles/datastore.viewer" in roles["graphql"]
    binding = resources(MODULES / "iam")[("google_project_iam_member", "function")]
    assert "var.function_project_roles" in binding["for_each"]
    assert labelled(KIROKU, "module")["iam"]["function_project_roles"] == "${local.function_project_roles}"


def test_each_function_reads_only_the_database_url_of_its_level() -> None:
    secrets = locals_of(STORAGE)["database_url_secrets"]
    roles = locals_of(STORAGE)["database_roles"]
    assert set(roles) == {"write", "read"}
    for level in ("owner", "write", "read"):
        assert f"{level} = " in secrets
    access = resources(STORAGE)[("google_secret_manager_secret_iam_member", "reader")]
    assert "reader.database" in access["for_each"]
    assert (
        access["secret_id"] == "${google_secret_manager_secret.database_url[each.value.database].secret_id}"
    )
    kiroku = labelled(KIROKU, "module")
    assert "database = spec.database" in kiroku["storage"]["secret_readers"]
    assert "module.storage.secret_environment[spec.database]" in kiroku["functions"]["secret_environment"]
    function = resources(MODULES / "functions")[("google_cloudfunctions2_function", "function")]
    secret_env = attribute(function, "service_config")["dynamic"][0]['"secret_environment_variables"']
    assert secret_env["for_each"] == "${lookup(var.secret_environment, each.key, {})}"
    output = labelled(STORAGE, "output")["secret_environment"]["value"]
    assert '["write", "read", "none"]' in output
    assert "DATABASE_URL = google_secret_manager_secret.database_url[level].secret_id" in output
    # The GraphQL door reads; nothing else in the manifest is a reader.
    readers = [spec.name for spec in Manifest.load().functions if spec.database == "read"]
    assert readers == ["graphql"]


def test_the_migration_job_runs_the_deploy_step_as_the_owner_and_functions_do_not_migrate() -> None:
    job = resources(STORAGE)[("google_cloud_run_v2_job", "migrate")]
    template = attribute(job, "template", "template")
    assert template["max_retries"] == 0
    assert attribute(template, "vpc_access")["connector"] == "${google_vpc_access_connector.functions[0].id}"
    container = attribute(template, "containers")
    assert container["image"] == "${var.migrate_image}"
    env = container["dynamic"][0]['"env"']["for_each"]
    assert {name: unquote(level) for name, level in env.items()} == {
        OWNER_URL: "owner",
        WRITER_URL: "write",
        READER_URL: "read",
    }
    # The functions' side: the setting the storage module sets is the one Settings reads.
    output = labelled(STORAGE, "output")["environment"]["value"]
    assert 'KIROKU_MIGRATE_ON_OPEN = "false"' in output
    prefix = Settings.model_config.get("env_prefix")
    assert f"{prefix}{'migrate_on_open'.upper()}" == "KIROKU_MIGRATE_ON_OPEN"
    assert "migrate_on_open" in Settings.model_fields
    # The image is the one cloudbuild.deploy.yaml pushes: the bundle's hash in the repository module ci makes.
    image = locals_of(KIROKU)["migrate_image"]
    assert "migrate:${filesha256(var.bundle_path)}" in image
    assert "${var.image_repository}" in image


def test_only_the_graphql_function_reads_the_metrics_token_and_it_gets_it_as_its_setting() -> None:
    access = resources(KIROKU)[("google_secret_manager_secret_iam_member", "metrics_token")]
    assert access["member"] == '"serviceAccount:${module.iam.function_emails["graphql"]}"'
    functions = labelled(KIROKU, "module")["functions"]
    token = "KIROKU_METRICS_TOKEN = google_secret_manager_secret.metrics_token.secret_id"
    assert f'name == "graphql" ? {{{token}}} : {{}}' in functions["secret_environment"]
    assert Settings.model_fields["metrics_token"].alias is None  # read as KIROKU_METRICS_TOKEN (env prefix)
    assert Settings.model_config.get("env_prefix") == "KIROKU_"
