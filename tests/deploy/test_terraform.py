"""terraform/ deploys exactly what manifest.yaml lists: every function, its subscription and dead letters.

Two halves meet in the middle. Terraform itself evaluates terraform/modules/manifest on real manifests
(the repository's and one with functions added) and every field it derives must equal what the pydantic
model (shared/bus/manifest.py) makes of the same file. The parsed HCL must then hand that map, whole,
to every `for_each`, and take each policy attribute from the field of the same meaning. A function left
out of the wiring, or a policy wired to the wrong field, fails here.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.application.sagas import STEP_OVERDUE
from shared.bus.manifest import DEFAULT_MANIFEST, FunctionSpec, HttpTrigger, Manifest, TopicTrigger
from shared.eventstore.postgres import SERVER_SETTINGS
from tests.deploy.terraform import (
    ENVIRONMENTS,
    MODULES,
    ROOT,
    TERRAFORM_DIR,
    attribute,
    console,
    evaluate_manifest_module,
    labelled,
    locals_of,
    parse,
    parse_file,
    resources,
    unquote,
)

KIROKU = MODULES / "kiroku"
SERVICE_ACCOUNT_ID = re.compile(r"^[a-z][-a-z0-9]{4,28}[a-z0-9]$")

# Each attribute of a function's resources and the manifest field (as the manifest module names it)
# it must come from.
FUNCTION_ATTRIBUTES = {
    ("build_config", "entry_point"): "entry_point",
    ("description",): "description",
    ("service_config", "available_memory"): "memory_mb",
    ("service_config", "timeout_seconds"): "timeout_seconds",
    ("service_config", "max_instance_count"): "max_instances",
    ("service_config", "environment_variables"): "environment",
}
SUBSCRIPTION_ATTRIBUTES = {
    ("name",): "subscription",
    ("topic",): "topic",
    ("filter",): "filter",
    ("enable_message_ordering",): "ordering",
    ("ack_deadline_seconds",): "ack_deadline_seconds",
    ("retry_policy", "minimum_backoff"): "minimum_backoff_seconds",
    ("retry_policy", "maximum_backoff"): "maximum_backoff_seconds",
    ("dead_letter_policy", "max_delivery_attempts"): "max_delivery_attempts",
}


def model_view(spec: FunctionSpec) -> dict[str, Any]:
    """What the pydantic model says about one function, in the manifest module's field names."""
    trigger = spec.trigger
    return {
        "name": spec.name,
        "entry_point": spec.entry_point,
        "description": spec.description,
        "trigger_type": trigger.type,
        "public": isinstance(trigger, HttpTrigger) and trigger.public,
        "topic": trigger.topic if isinstance(trigger, TopicTrigger) else None,
        "filter": trigger.filter if isinstance(trigger, TopicTrigger) else None,
        "ordering": spec.ordering,
        "minimum_backoff_seconds": spec.retry.minimum_backoff_seconds,
        "maximum_backoff_seconds": spec.retry.maximum_backoff_seconds,
        "max_delivery_attempts": spec.dead_letter.max_delivery_attempts,
        "ack_deadline_seconds": spec.ack_deadline_seconds,
        "timeout_seconds": spec.timeout_seconds,
        "memory_mb": spec.memory_mb,
        "max_instances": spec.max_instances,
        "schedule_cron": spec.schedule.cron if spec.schedule else None,
        "environment": spec.environment,
        "subscription": spec.subscription,
        "dead_letter_topic": spec.dead_letter_topic,
        "dead_letter_subscription": spec.dead_letter_subscription,
        "publishes": list(spec.publishes),
        "database": spec.database,
    }


def grown_manifest() -> dict[str, Any]:
    """The repository's manifest plus the kinds of function later issues add, each overriding a default."""
    raw: dict[str, Any] = yaml.safe_load(DEFAULT_MANIFEST.read_text())
    topic = raw["topics"][0]
    raw["functions"] = [
        *raw["functions"],
        {
            "name": "added-command-handler",
            "entry_point": "added_command_handler",
            "trigger": {"type": "topic", "topic": topic, "filter": 'attributes.type = "PlaceOrder"'},
            "ordering": True,
            "retry": {"minimum_backoff_seconds": 5},
            "dead_letter": {"max_delivery_attempts": 7},
            "ack_deadline_seconds": 120,
            "memory_mb": 512,
            "environment": {"KIROKU_HANDLER": "orders"},
            "publishes": list(raw["topics"]),
        },
        {
            "name": "added-graphql",
            "entry_point": "added_graphql",
            "trigger": {"type": "http", "public": True},
            "publishes": [topic],
            "database": "read",
        },
        {
            "name": "added-sweep",
            "entry_point": "added_sweep",
            "trigger": {"type": "http"},
            "schedule": {"cron": "*/1 * * * *"},
            "timeout_seconds": 300,
            "database": "none",
        },
        {
            "name": "added-function-with-a-name-as-long-as-okay",
            "entry_point": "added_long",
            "trigger": {"type": "topic", "topic": topic},
        },
    ]
    return raw


def without_defaults() -> dict[str, Any]:
    """A manifest with no `defaults`: every field left unset takes the pydantic model's own default."""
    raw = grown_manifest()
    del raw["defaults"]
    return raw


@pytest.mark.parametrize("make_manifest", [None, grown_manifest, without_defaults])
def test_terraform_reads_the_manifest_as_the_pydantic_model_does(make_manifest: Any, tmp_path: Path) -> None:
    path = DEFAULT_MANIFEST
    if make_manifest is not None:
        path = tmp_path / "manifest.yaml"
        path.write_text(yaml.safe_dump(make_manifest()))
    manifest = Manifest.load(path)
    evaluated = evaluate_manifest_module(path)

    functions = evaluated["functions"]
    assert sorted(functions) == sorted(spec.name for spec in manifest.functions)
    for spec in manifest.functions:
        derived = dict(functions[spec.name])
        account_id = derived.pop("account_id")
        assert derived == model_view(spec), spec.name
        assert SERVICE_ACCOUNT_ID.match(account_id), account_id
    assert len({spec["account_id"] for spec in functions.values()}) == len(functions)
    assert evaluated["topics"] == manifest.topics
    assert sorted(evaluated["topic_functions"]) == sorted(
        spec.name for spec in manifest.functions if isinstance(spec.trigger, TopicTrigger)
    )
    assert sorted(evaluated["scheduled_functions"]) == sorted(
        spec.name for spec in manifest.functions if spec.schedule is not None
    )


def test_grown_manifest_adds_functions_of_every_kind() -> None:
    added = Manifest.parse(grown_manifest()).functions[len(Manifest.load().functions) :]
    assert {spec.trigger.type for spec in added} == {"topic", "http"}
    assert any(spec.schedule for spec in added)
    assert any(isinstance(spec.trigger, HttpTrigger) and spec.trigger.public for spec in added)
    assert max(len(spec.name) for spec in added) == 42  # the longest name the manifest allows


def test_every_tf_file_parses_and_every_module_is_used() -> None:
    files = sorted(TERRAFORM_DIR.rglob("*.tf"))
    assert files
    for path in files:
        assert parse_file(path), path
    modules = {path.name for path in MODULES.iterdir() if path.is_dir()}
    called = {
        Path(unquote(call["source"])).name
        for directory in {path.parent for path in files}
        for call in labelled(directory, "module").values()
    }
    assert called == modules


def test_manifest_module_reads_the_manifest_file() -> None:
    module = locals_of(MODULES / "manifest")
    assert module["manifest"] == "${yamldecode(file(var.manifest_path))}"
    assert "local.manifest.defaults" in module["merged"]
    for environment in ENVIRONMENTS:
        call = labelled(TERRAFORM_DIR / "envs" / environment, "module")["kiroku"]
        path = unquote(call["manifest_path"]).replace(
            "${path.root}", str(TERRAFORM_DIR / "envs" / environment)
        )
        assert Path(path).resolve() == DEFAULT_MANIFEST


def test_the_whole_manifest_reaches_every_module() -> None:
    calls = labelled(KIROKU, "module")
    assert unquote(calls["manifest"]["source"]) == "../manifest"
    assert calls["manifest"]["manifest_path"] == "${var.manifest_path}"
    assert calls["functions"]["functions"] == "${module.manifest.functions}"
    assert calls["pubsub"]["functions"] == "${module.manifest.topic_functions}"
    assert calls["pubsub"]["topics"] == "${module.manifest.topics}"
    assert calls["scheduler"]["functions"] == "${module.manifest.scheduled_functions}"
    assert "module.manifest.functions" in calls["iam"]["account_ids"]
    assert (
        calls["pubsub"]["function_urls"] == calls["scheduler"]["function_urls"] == "${module.functions.urls}"
    )


def test_every_function_is_a_cloud_function_with_its_own_account() -> None:
    module = MODULES / "functions"
    function = resources(module)[("google_cloudfunctions2_function", "function")]
    assert function["for_each"] == "${var.functions}"
    assert function["name"] == "${each.key}"
    for path, field in FUNCTION_ATTRIBUTES.items():
        assert f"each.value.{field}" in str(attribute(function, *path)), path
    service = attribute(function, "service_config")
    assert service["service_account_email"] == "${var.service_accounts[each.key]}"
    assert service["ingress_settings"] == '${each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"}'
    bundle = attribute(function, "build_config", "source", "storage_source")
    assert bundle["object"] == "${google_storage_bucket_object.bundle.name}"
    uploaded = resources(module)[("google_storage_bucket_object", "bundle")]
    assert "filesha256(var.bundle_path)" in uploaded["name"]
    accounts = resources(MODULES / "iam")[("google_service_account", "function")]
    assert accounts["for_each"] == "${var.account_ids}"


def test_every_topic_function_gets_a_push_subscription_with_its_policies() -> None:
    bus = resources(MODULES / "pubsub")
    push = bus[("google_pubsub_subscription", "push")]
    assert push["for_each"] == "${var.functions}"
    for path, field in SUBSCRIPTION_ATTRIBUTES.items():
        assert f"each.value.{field}" in str(attribute(push, *path)), path
    assert attribute(push, "dead_letter_policy", "dead_letter_topic") == (
        "${google_pubsub_topic.dead_letter[each.key].id}"
    )
    endpoint = attribute(push, "push_config")
    assert endpoint["push_endpoint"] == "${var.function_urls[each.key]}"
    assert attribute(endpoint, "oidc_token") == {
        "service_account_email": "${var.push_invoker_email}",
        "audience": "${var.function_urls[each.key]}",
        "__is_block__": True,
    }


def test_every_topic_function_gets_a_kept_dead_letter_topic_the_agent_may_use() -> None:
    bus = resources(MODULES / "pubsub")
    dead_letter = bus[("google_pubsub_topic", "dead_letter")]
    kept = bus[("google_pubsub_subscription", "kept")]
    assert dead_letter["for_each"] == kept["for_each"] == "${var.functions}"
    assert dead_letter["name"] == "${each.value.dead_letter_topic}"
    assert kept["name"] == "${each.value.dead_letter_subscription}"
    assert kept["topic"] == "${google_pubsub_topic.dead_letter[each.key].id}"
    publishes = bus[("google_pubsub_topic_iam_member", "agent_dead_letters")]
    acks = bus[("google_pubsub_subscription_iam_member", "agent_acks_source")]
    assert publishes["for_each"] == acks["for_each"] == "${var.functions}"
    assert (unquote(publishes["role"]), unquote(acks["role"])) == (
        "roles/pubsub.publisher",
        "roles/pubsub.subscriber",
    )
    assert publishes["topic"] == "${google_pubsub_topic.dead_letter[each.key].name}"
    assert acks["subscription"] == "${google_pubsub_subscription.push[each.key].name}"
    agent = locals_of(MODULES / "pubsub")["pubsub_agent"]
    assert "gcp-sa-pubsub.iam.gserviceaccount.com" in agent
    assert publishes["member"] == acks["member"] == "${local.pubsub_agent}"


def test_every_scheduled_function_gets_a_job_calling_it_with_oidc() -> None:
    job = resources(MODULES / "scheduler")[("google_cloud_scheduler_job", "job")]
    assert job["for_each"] == "${var.functions}"
    assert job["schedule"] == "${each.value.schedule_cron}"
    target = attribute(job, "http_target")
    assert target["uri"] == attribute(target, "oidc_token", "audience") == "${var.function_urls[each.key]}"


def test_only_the_invoker_accounts_and_the_public_door_may_invoke() -> None:
    invokers = locals_of(MODULES / "functions")["invokers"]
    assert "var.push_invoker_email" in invokers
    assert "var.scheduler_invoker_email" in invokers
    assert re.search(r'"allUsers"\}\s*if spec\.public', invokers)
    binding = resources(MODULES / "functions")[("google_cloud_run_v2_service_iam_member", "invoker")]
    assert binding["for_each"] == "${local.invokers}"
    assert unquote(binding["role"]) == "roles/run.invoker"


FIREBASE_INDEXES = {
    "indexes": [
        {
            "collectionGroup": "events",
            "queryScope": "COLLECTION",
            "fields": [
                {"fieldPath": "stream_id", "order": "ASCENDING"},
                {"fieldPath": "version", "order": "ASCENDING"},
            ],
        },
        {
            "collectionGroup": "events",
            "queryScope": "COLLECTION_GROUP",
            "fields": [
                {"fieldPath": "tags", "arrayConfig": "CONTAINS"},
                {"fieldPath": "version", "order": "DESCENDING"},
            ],
        },
    ],
    "fieldOverrides": [],
}


def test_firestore_gets_every_index_the_firebase_index_file_declares(tmp_path: Path) -> None:
    declared = tmp_path / "firestore.indexes.json"
    declared.write_text(json.dumps(FIREBASE_INDEXES))
    indexes = console("firestore_indexes", "local.indexes", path=str(declared))
    canonical = functools.partial(json.dumps, sort_keys=True)
    assert sorted(map(canonical, indexes.values())) == sorted(map(canonical, FIREBASE_INDEXES["indexes"]))
    assert console("firestore_indexes", "local.indexes", path=str(tmp_path / "absent.json")) == {}
    call = labelled(MODULES / "storage", "module")["firestore_indexes"]
    assert call["path"] == "${var.firestore_indexes_path}"
    index = resources(MODULES / "storage")[("google_firestore_index", "declared")]
    assert "module.firestore_indexes.indexes" in index["for_each"]


def test_the_repository_index_file_is_read_whole() -> None:
    declared = ROOT / "firestore.indexes.json"
    expected = json.loads(declared.read_text())["indexes"] if declared.exists() else []
    assert len(console("firestore_indexes", "local.indexes", path=str(declared))) == len(expected)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_environment_root(environment: str) -> None:
    root = TERRAFORM_DIR / "envs" / environment
    settings = parse(root)["terraform"][0]
    backend = settings["backend"][0]['"gcs"']
    # Partial configuration: the bucket is given to `terraform init`, never committed.
    assert "bucket" not in backend
    assert unquote(backend["prefix"]) == f"kiroku/{environment}"
    call = labelled(root, "module")["kiroku"]
    assert unquote(call["source"]) == "../../modules/kiroku"
    assert unquote(call["environment"]) == environment
    assert set(labelled(root, "output")) >= {"graphql_url", "dead_letter_subscriptions"}
    example = parse_file(root / "terraform.tfvars.example")
    required = {name for name, body in labelled(root, "variable").items() if "default" not in body}
    assert required <= set(example)
    assert unquote(example["storage"]) in {"postgres", "firestore"}


def test_prod_is_protected_and_warm_and_dev_is_not() -> None:
    dev, prod = (labelled(TERRAFORM_DIR / "envs" / name, "module")["kiroku"] for name in ENVIRONMENTS)
    assert (dev["deletion_protection"], prod["deletion_protection"]) == (False, True)
    assert dev["public_min_instances"] == 0 < prod["public_min_instances"]
    assert unquote(prod["postgres_availability"]) == "REGIONAL"
    assert unquote(dev["postgres_availability"]) == "ZONAL"


def test_cloud_sql_gets_the_server_settings_the_event_store_is_tuned_for() -> None:
    instance = resources(MODULES / "storage")[("google_sql_database_instance", "postgres")]
    flags = {
        unquote(flag["name"]): unquote(flag["value"])
        for flag in attribute(instance, "settings")["database_flags"]
    }
    assert {name: flags.get(name) for name in SERVER_SETTINGS} == SERVER_SETTINGS


def test_the_overdue_step_alert_matches_the_line_the_saga_logs() -> None:
    alert = resources(MODULES / "kiroku")[("google_monitoring_alert_policy", "saga_step_overdue")]
    log_filter = unquote(attribute(alert, "conditions", "condition_matched_log", "filter"))
    quoted = re.search(r'jsonPayload\.message=~\\"\^(.+?)\\"', log_filter)
    assert quoted is not None, log_filter
    assert quoted.group(1) == f"{STEP_OVERDUE}: "
    assert "severity>=ERROR" in log_filter
    assert attribute(alert, "notification_channels") == "${var.alert_notification_channels}"
