"""terraform/ deploys exactly what manifest.yaml lists: every function, its subscription and dead letters.

Two halves meet in the middle. Terraform itself evaluates terraform/modules/manifest on real manifests
(the repository's and one with functions added) and every field it derives must equal what the pydantic
model (shared/bus/manifest.py) makes of the same file. The parsed HCL must then hand that map, whole,
to every `for_each`, and take each policy attribute from the field of the same meaning. A function left
out of the wiring, or a policy wired to the wrong field, fails here.

The last tests follow an env root's values down to each function: Terraform evaluates modules/functions'
own attributes with every reference resolved to what modules/kiroku and the root pass (`resolve`), and the
environment that comes out is read back through the Settings every function validates when it starts.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.cloud.pubsub_v1 import SubscriberClient
from pydantic import AliasChoices

from shared.application.fulfilment import STEP_OVERDUE
from shared.bus.audit import AUDIT_DATASET, AUDIT_TABLE, audit_subscription
from shared.bus.manifest import DEFAULT_MANIFEST, FunctionSpec, HttpTrigger, Manifest, TopicTrigger
from shared.config import Settings
from shared.eventstore.postgres import SERVER_SETTINGS
from tests.deploy.terraform import (
    ENVIRONMENTS,
    MODULES,
    REFERENCE,
    ROOT,
    TERRAFORM_DIR,
    apis_of_resource,
    attribute,
    called_modules,
    console,
    enabled_by_hand,
    evaluate_manifest_module,
    googleapis,
    hcl,
    labelled,
    locals_of,
    parse,
    parse_file,
    per_instance,
    resolve,
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
        "concurrency": spec.concurrency,
        "cpu": spec.cpu,
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
    assert evaluated["audited"] == manifest.audited
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
    assert "local.bundle_sha256" in uploaded["name"]
    assert hcl(locals_of(module)["bundle_sha256"]) == "filesha256(var.bundle_path)"
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
    # Terraform only warns of a value for a variable the root does not declare.
    assert set(example) - {"__comments__"} <= set(labelled(root, "variable"))
    # The further settings the example suggests (commented out) are ones the functions read.
    suggested = re.search(r"^# settings = \{(.+)\}$", (root / "terraform.tfvars.example").read_text(), re.M)
    assert suggested is not None
    names = set(re.findall(r"(\w+)\s*=", suggested.group(1)))
    assert names
    assert names <= variables_the_functions_read()


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


# What the tests below deploy into: stand-ins for an env root's own variables. One further setting goes
# through the root's `settings` (the README's way to tune a function), the payment gateway is given and the
# shipping gateway left empty, so both branches of the gateway wiring are seen.
PROJECT = "kiroku-test-project"
REGION = "asia-northeast1"
ADMIN_EMAIL = "admin@example.com"
PAYMENT_GATEWAY = "https://payments.example.com/v1"
WEB_ORIGINS = ("https://kiroku.example.com", "https://kiroku-git-main.vercel.app")
FURTHER_SETTING = ("KIROKU_RATE_LIMIT", "rate_limit", "120/minute")
STORAGES = ("postgres", "firestore")
FUNCTIONS = MODULES / "functions"
IAM = MODULES / "iam"
PUBSUB = MODULES / "pubsub"
STORAGE = MODULES / "storage"
# The inputs of modules/kiroku that the tests below follow from the env roots.
KIROKU_INPUTS = (
    "project_id",
    "region",
    "environment",
    "storage",
    "log_level",
    "app_environment",
    "payment_gateway_url",
    "shipping_gateway_url",
    "public_min_instances",
)

# Every setting the functions read (shared.config.Settings), by who gives it its value in the cloud. A new
# setting fails test_every_setting_the_functions_read_has_a_source_in_the_cloud until it is put in one.
BUNDLE_STAND_IN = DEFAULT_MANIFEST  # any file: what Terraform hashes in place of the bundle
SET_BY_TERRAFORM = frozenset(
    {
        "project_id",  # the default, kiroku-local, names no real project
        "environment",  # the default, local, would serve /metrics to anyone, and GraphiQL
        "storage",
        "migrate_on_open",  # false with postgres: the functions' roles cannot migrate
        "log_level",
        "admin_email",
        "database_url",  # from Secret Manager, the URL of the function's `database` level
        "metrics_token",  # from Secret Manager, the GraphQL function's only
        "payment_gateway_url",  # when the root is given one
        "shipping_gateway_url",
        "cors_origins",  # the root's list of the web app's origins
        "version",  # the deployed bundle's SHA-256, which /health names
    }
)
SET_BY_CLOUD_RUN = frozenset({"function_name"})  # K_SERVICE, on every revision
# Limits and timings whose defaults hold in the cloud; an env root's `settings` may override each.
DEFAULT_HOLDS_IN_THE_CLOUD = frozenset(
    {
        "check_revoked_tokens",
        "command_wait_seconds",
        "order_wait_seconds",
        "subscription_seconds",  # under the GraphQL function's timeout, which a test holds it to
        "max_query_depth",
        "max_query_complexity",
        "rate_limit",
        "max_mutations_per_request",
        "gateway_timeout_seconds",
        "gateway_attempts",
        "gateway_breaker_fail_max",
        "gateway_breaker_reset_seconds",
        "saga_deadline_seconds",
        "trusted_documents",  # enforced in prod, off in dev: the environment decides
        "trusted_documents_file",  # the manifest the bundle ships
        "trace_export",  # Cloud Trace in dev and prod: the environment decides
        "telemetry",  # on; a deployment may turn it off through its settings
    }
)
NEVER_IN_THE_CLOUD = frozenset(
    {
        "firebase_auth_emulator_host",  # the Auth emulator's unsigned tokens
        "graphiql_assets",  # the local stack's node_modules; the cloud's dev GraphiQL loads from unpkg
        "manifest_file",  # the local runner's manifest; the cloud's functions read the bundle's
        "trace_file",  # where the local cloud keeps a function's spans; the cloud's go to Cloud Trace
    }
)


def root_scope(storage: str) -> dict[str, str]:
    """Stand-ins for the variables of an env root (terraform/envs/dev or prod)."""
    name, _, value = FURTHER_SETTING
    return {
        "var.project_id": json.dumps(PROJECT),
        "var.region": json.dumps(REGION),
        "var.storage": json.dumps(storage),
        "var.admin_email": json.dumps(ADMIN_EMAIL),
        "var.cors_origins": json.dumps(list(WEB_ORIGINS)),
        "var.settings": f"{{{name} = {json.dumps(value)}}}",
        "var.payment_gateway_url": json.dumps(PAYMENT_GATEWAY),
        "var.shipping_gateway_url": '""',
    }


def connector_id(connector: dict[str, Any]) -> str:
    """The provider's id of a Serverless VPC Access connector."""
    return f"projects/{PROJECT}/locations/{REGION}/connectors/{unquote(connector['name'])}"


@functools.cache
def storage_scope(environment: str, storage: str) -> dict[str, str]:
    """Stand-ins for what modules/storage's outputs refer to, as modules/kiroku calls it from an env root."""
    outer = kiroku_inputs(environment, storage)
    call = labelled(KIROKU, "module")["storage"]
    scope = {f"var.{name}": resolve(call[name], outer) for name in ("project_id", "region", "storage")}
    for name in ("postgres", "database_url_secrets"):
        scope[f"local.{name}"] = resolve(locals_of(STORAGE)[name], scope)
    found = resources(STORAGE)
    secrets = found[("google_secret_manager_secret", "database_url")]
    scope["google_secret_manager_secret.database_url"] = per_instance(
        secrets, {"secret_id": secrets["secret_id"]}, scope
    )
    connector = found[("google_vpc_access_connector", "functions")]
    scope["google_vpc_access_connector.functions"] = f'[{{id = "{connector_id(connector)}"}}]'
    return scope


@functools.cache
def kiroku_inputs(environment: str, storage: str) -> dict[str, str]:
    """modules/kiroku's variables as an env root sets them."""
    call = labelled(TERRAFORM_DIR / "envs" / environment, "module")["kiroku"]
    outer = root_scope(storage)
    return {f"var.{name}": resolve(call[name], outer) for name in KIROKU_INPUTS}


@functools.cache
def kiroku_scope(environment: str, storage: str) -> dict[str, str]:
    """Stand-ins for what modules/kiroku refers to when it calls modules/functions, from an env root."""
    scope = dict(kiroku_inputs(environment, storage))
    scope["module.manifest.functions"] = "local.functions"  # evaluated in the manifest module itself
    inner = storage_scope(environment, storage)
    outputs = labelled(STORAGE, "output")
    for name in ("environment", "secret_environment", "vpc_connector", "function_project_roles"):
        scope[f"module.storage.{name}"] = resolve(outputs[name]["value"], inner)
    token = resources(KIROKU)[("google_secret_manager_secret", "metrics_token")]
    scope["google_secret_manager_secret.metrics_token"] = (
        f"{{secret_id = {resolve(token['secret_id'], scope)}}}"
    )
    scope["local.gateway_environment"] = resolve(locals_of(KIROKU)["gateway_environment"], scope)
    return scope


@functools.cache
def deployed_functions(environment: str, storage: str) -> dict[str, dict[str, Any]]:
    """What every function of the repository's manifest is deployed with, evaluated by Terraform: its plain
    environment, its environment from Secret Manager (variable => secret id), its VPC connector and
    egress, and its minimum instances, each from modules/functions' own attribute."""
    function = resources(FUNCTIONS)[("google_cloudfunctions2_function", "function")]
    service = attribute(function, "service_config")
    secrets = service["dynamic"][0]['"secret_environment_variables"']
    fields = {
        "environment": service["environment_variables"],
        "secrets": secrets["for_each"],
        "vpc_connector": service["vpc_connector"],
        "vpc_egress": service["vpc_connector_egress_settings"],
        "min_instances": service["min_instance_count"],
    }
    call = labelled(KIROKU, "module")["functions"]
    outer = kiroku_scope(environment, storage)
    names = ("functions", "environment", "secret_environment", "vpc_connector", "public_min_instances")
    scope = {f"var.{name}": resolve(call[name], outer) for name in names}
    # The bundle is stood in for by a real file, so Terraform hashes it as it would the bundle.
    bundle = {"var.bundle_path": json.dumps(str(BUNDLE_STAND_IN))}
    scope["local.bundle_sha256"] = resolve(locals_of(FUNCTIONS)["bundle_sha256"], bundle)
    deployed: dict[str, dict[str, Any]] = console(
        "manifest", per_instance(function, fields, scope), manifest_path=str(DEFAULT_MANIFEST)
    )
    return deployed


def stored_secret(secret_id: str) -> str:
    """A stand-in for the latest version of a secret: long enough for any setting, and naming its secret."""
    return f"{secret_id}:{'s' * 40}"


def variables_the_functions_read() -> set[str]:
    """The environment variables Settings reads: KIROKU_ and a field's name, or one of its aliases."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    aliases = {
        choice.upper()
        for field in Settings.model_fields.values()
        if isinstance(field.validation_alias, AliasChoices)
        for choice in field.validation_alias.choices
        if isinstance(choice, str)
    }
    return aliases | {f"{prefix}{name}".upper() for name in Settings.model_fields}


def settings_from(variables: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings a function starts with when its environment is exactly `variables`."""
    read = variables_the_functions_read()
    with monkeypatch.context() as patch:
        for name in list(os.environ):
            if name.upper().startswith("KIROKU_") or name.upper() in read:
                patch.delenv(name)
        for name, value in variables.items():
            patch.setenv(name, value)
        return Settings()


def test_every_setting_the_functions_read_has_a_source_in_the_cloud() -> None:
    groups = (SET_BY_TERRAFORM, SET_BY_CLOUD_RUN, DEFAULT_HOLDS_IN_THE_CLOUD, NEVER_IN_THE_CLOUD)
    assert sum(map(len, groups)) == len(set().union(*groups))  # each setting in one group only
    assert set().union(*groups) == set(Settings.model_fields)


@pytest.mark.parametrize("storage", STORAGES)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_function_starts_with_every_setting_terraform_owes_it(
    environment: str, storage: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shared environment (modules/kiroku merges it, modules/functions hands it to every function) and
    the secrets, read back through the Settings every function validates at its cold start."""
    root = labelled(TERRAFORM_DIR / "envs" / environment, "module")["kiroku"]
    deployed = deployed_functions(environment, storage)
    manifest = Manifest.load()
    assert sorted(deployed) == sorted(spec.name for spec in manifest.functions)
    database_urls = console(
        "manifest",
        storage_scope(environment, storage)["local.database_url_secrets"],
        manifest_path=str(DEFAULT_MANIFEST),
    )
    token = resources(KIROKU)[("google_secret_manager_secret", "metrics_token")]
    function = resources(FUNCTIONS)[("google_cloudfunctions2_function", "function")]
    secret = attribute(function, "service_config")["dynamic"][0]['"secret_environment_variables"']["content"][
        0
    ]
    # Each secret becomes the variable of its key, at its latest version.
    assert (secret["key"], secret["secret"]) == (
        "${secret_environment_variables.key}",
        "${secret_environment_variables.value}",
    )
    assert unquote(secret["version"]) == "latest"
    further_variable, further_field, further_value = FURTHER_SETTING
    for spec in manifest.functions:
        plain, secrets = deployed[spec.name]["environment"], deployed[spec.name]["secrets"]
        assert not set(plain) & set(secrets), spec.name  # Cloud Run refuses a variable set twice
        variables = {**plain, **{name: stored_secret(secret_id) for name, secret_id in secrets.items()}}
        settings = settings_from(variables, monkeypatch)
        reaches_cloud_sql = storage == "postgres" and spec.database != "none"
        expected = {
            "project_id": PROJECT,
            "environment": environment,
            "storage": storage,
            "migrate_on_open": storage != "postgres",
            "log_level": unquote(root["log_level"]),
            "admin_email": ADMIN_EMAIL,
            "database_url": stored_secret(database_urls[spec.database]) if reaches_cloud_sql else None,
            "metrics_token": stored_secret(unquote(token["secret_id"])) if spec.name == "graphql" else None,
            "payment_gateway_url": PAYMENT_GATEWAY,
            "shipping_gateway_url": None,  # left empty in the root: unset, not set empty
            "cors_origins": ",".join(WEB_ORIGINS),
            "version": hashlib.sha256(BUNDLE_STAND_IN.read_bytes()).hexdigest()[:12],
        }
        assert set(expected) == SET_BY_TERRAFORM
        started = {name: getattr(settings, name) for name in expected}
        if settings.metrics_token is not None:
            started["metrics_token"] = settings.metrics_token.get_secret_value()
        assert started == expected, spec.name
        assert getattr(settings, further_field) == further_value, spec.name
        assert further_variable in plain
        assert settings.firebase_auth_emulator_host is None
        assert settings.span_destination == "cloud-trace", spec.name


@pytest.mark.parametrize("storage", STORAGES)
def test_every_functions_own_account_may_write_its_spans_to_cloud_trace(storage: str) -> None:
    """Every function exports its spans to Cloud Trace (the settings check above): its account holds the
    role that lets it, bound to that account alone."""
    roles = console(
        "manifest",
        resolve(locals_of(KIROKU)["function_project_roles"], kiroku_scope("dev", storage)),
        manifest_path=str(DEFAULT_MANIFEST),
    )
    assert sorted(roles) == sorted(spec.name for spec in Manifest.load().functions)
    for name, granted in roles.items():
        assert "roles/cloudtrace.agent" in granted, name
    assert labelled(KIROKU, "module")["iam"]["function_project_roles"] == "${local.function_project_roles}"
    binding = resources(IAM)[("google_project_iam_member", "function")]
    assert binding["role"] == "${each.value.role}"
    assert binding["member"] == "${google_service_account.function[each.value.function].member}"


@pytest.mark.parametrize("storage", STORAGES)
def test_every_function_that_reaches_cloud_sql_is_attached_to_the_vpc_connector(storage: str) -> None:
    found = resources(STORAGE)
    connector = found[("google_vpc_access_connector", "functions")]
    for environment in ENVIRONMENTS:
        deployed = deployed_functions(environment, storage)
        # A function reaches Cloud SQL when it is given a database URL.
        reaching = {
            name
            for name, function in deployed.items()
            if "DATABASE_URL" in {**function["environment"], **function["secrets"]}
        }
        if storage == "postgres":
            assert reaching == {spec.name for spec in Manifest.load().functions if spec.database != "none"}
        else:
            assert reaching == set()
            assert {function["vpc_connector"] for function in deployed.values()} == {None}
        for name in reaching:
            route = (deployed[name]["vpc_connector"], deployed[name]["vpc_egress"])
            # Cloud SQL has a private address only: private ranges go through the connector.
            assert route == (connector_id(connector), "PRIVATE_RANGES_ONLY"), name
    # The connector is in the network Cloud SQL's private address is on, and the migration job's too.
    assert attribute(connector, "subnet")["name"] == "${google_compute_subnetwork.connector[0].name}"
    network = "${google_compute_network.private[0].id}"
    assert found[("google_compute_subnetwork", "connector")]["network"] == network
    instance = found[("google_sql_database_instance", "postgres")]
    addressing = attribute(instance, "settings", "ip_configuration")
    assert (addressing["private_network"], addressing["ipv4_enabled"]) == (network, False)
    job = attribute(found[("google_cloud_run_v2_job", "migrate")], "template", "template", "vpc_access")
    assert job["connector"] == "${google_vpc_access_connector.functions[0].id}"
    # A connector serves functions of its own region.
    calls = labelled(KIROKU, "module")
    assert connector["region"] == "${var.region}"
    assert calls["storage"]["region"] == calls["functions"]["region"] == "${var.region}"


def test_only_the_public_graphql_function_is_kept_warm_and_every_other_scales_to_zero() -> None:
    public = [
        spec.name
        for spec in Manifest.load().functions
        if isinstance(spec.trigger, HttpTrigger) and spec.trigger.public
    ]
    assert public == ["graphql"]
    warm: dict[str, int] = {}
    for environment in ENVIRONMENTS:
        warm[environment] = labelled(TERRAFORM_DIR / "envs" / environment, "module")["kiroku"][
            "public_min_instances"
        ]
        deployed = deployed_functions(environment, "postgres")
        minimum = {name: function["min_instances"] for name, function in deployed.items()}
        assert minimum == {name: warm[environment] if name in public else 0 for name in deployed}
    assert warm["prod"] > 0  # prod keeps its door warm, so the check above can tell the two apart


# What a gen2 function's build needs when it runs as a user-managed account (Cloud Functions' "build
# service account" documentation), and nothing more: where each role is held and why.
BUILD_ROLES = {
    ("project", "roles/logging.logWriter"): "write the build's logs",
    ("project", "roles/artifactregistry.writer"): "push the function's image",
    ("source bucket", "roles/storage.objectViewer"): "read the source bundle",
}


def test_functions_are_built_as_the_dedicated_builder_holding_only_the_roles_a_build_needs() -> None:
    function = resources(FUNCTIONS)[("google_cloudfunctions2_function", "function")]
    assert attribute(function, "build_config", "service_account") == "${var.builder_id}"
    assert (
        attribute(function, "service_config")["service_account_email"] == "${var.service_accounts[each.key]}"
    )
    call = labelled(KIROKU, "module")["functions"]
    assert (call["builder_id"], call["builder_member"]) == (
        "${module.iam.builder_id}",
        "${module.iam.builder_member}",
    )
    outputs = labelled(IAM, "output")
    assert outputs["builder_id"]["value"] == "${google_service_account.builder.id}"
    assert outputs["builder_member"]["value"] == "${google_service_account.builder.member}"
    # Cloud Functions starts a build only once the builder holds its roles and may read the bundle.
    assert outputs["builder_id"]["depends_on"] == ["${google_project_iam_member.builder}"]
    assert "${google_storage_bucket_iam_member.builder_reads_source}" in function["depends_on"]
    account = resources(IAM)[("google_service_account", "builder")]
    assert unquote(account["account_id"]) == "kiroku-builder"
    # Every grant to (or on) the builder, in every module an environment deploys.
    grants = {
        (module.name, kind, name): body
        for module in called_modules(KIROKU)
        for (kind, name), body in resources(module).items()
        if "_iam_" in kind and "builder" in str(body)
    }
    assert sorted(grants) == [
        ("functions", "google_storage_bucket_iam_member", "builder_reads_source"),
        ("iam", "google_project_iam_member", "builder"),
    ]
    project = grants[("iam", "google_project_iam_member", "builder")]
    assert (project["for_each"], project["role"]) == ("${local.builder_roles}", "${each.value}")
    assert project["member"] == "${google_service_account.builder.member}"
    project_roles = console(
        "manifest", resolve(locals_of(IAM)["builder_roles"], {}), manifest_path=str(DEFAULT_MANIFEST)
    )
    bucket = grants[("functions", "google_storage_bucket_iam_member", "builder_reads_source")]
    assert (bucket["bucket"], bucket["member"]) == (
        "${google_storage_bucket.source.name}",
        "${var.builder_member}",
    )
    held = {("project", role) for role in project_roles} | {("source bucket", unquote(bucket["role"]))}
    assert held == set(BUILD_ROLES)


def test_the_dead_letter_subscriptions_output_names_every_topic_functions_kept_subscription() -> None:
    for environment in ENVIRONMENTS:
        output = labelled(TERRAFORM_DIR / "envs" / environment, "output")["dead_letter_subscriptions"]
        assert output["value"] == "${module.kiroku.dead_letter_subscriptions}"
    assert labelled(KIROKU, "output")["dead_letter_subscriptions"]["value"] == (
        "${module.pubsub.dead_letter_subscriptions}"
    )
    call = labelled(KIROKU, "module")["pubsub"]
    outer = {
        "var.project_id": json.dumps(PROJECT),
        "module.manifest.topic_functions": "local.topic_functions",
    }
    scope = {f"var.{name}": resolve(call[name], outer) for name in ("project_id", "functions")}
    kept = resources(PUBSUB)[("google_pubsub_subscription", "kept")]
    # The provider's id of a subscription: projects/<project>/subscriptions/<name>.
    kept_id = f'"projects/${{{hcl(kept["project"])}}}/subscriptions/${{{hcl(kept["name"])}}}"'
    scope["google_pubsub_subscription.kept"] = per_instance(kept, {"id": kept_id}, scope)
    value = labelled(PUBSUB, "output")["dead_letter_subscriptions"]["value"]
    subscriptions = console("manifest", resolve(value, scope), manifest_path=str(DEFAULT_MANIFEST))
    # Each is the subscription the admins' deadLetters query peeks at (functions/graphql/operations.py).
    assert subscriptions == {
        spec.name: SubscriberClient.subscription_path(PROJECT, spec.dead_letter_subscription)
        for spec in Manifest.load().functions
        if isinstance(spec.trigger, TopicTrigger)
    }


# The API behind each kind of project role the functions and the builder hold: what they call as they run
# (logs, traces, metrics, Firestore) and as they build (the image push).
APIS_OF_ROLES = {
    "logging": "logging",
    "cloudtrace": "cloudtrace",
    "monitoring": "monitoring",
    "datastore": "firestore",
    "artifactregistry": "artifactregistry",
}
# The files of a module that hold only one backend's resources (each counted or keyed on that backend).
BACKEND_FILES = {
    ("storage", "postgres.tf"): "postgres",
    ("storage", "migrations.tf"): "postgres",
    ("storage", "firestore.tf"): "firestore",
}


def apis_used(storage: str) -> set[str]:
    """The APIs the resources an environment with `storage` creates call, and those its roles imply."""
    used: set[str] = set()
    for module in called_modules(KIROKU):
        for path in sorted(module.glob("*.tf")):
            backend = BACKEND_FILES.get((module.name, path.name))
            parsed = parse_file(path)
            if backend is not None:  # so every resource of the file is created with that backend only
                for entry in parsed.get("resource", []):
                    for named in entry.values():
                        for name, body in named.items():
                            assert {"count", "for_each"} & set(body), f"{path.name}: {name} is unconditional"
            if backend not in (None, storage):
                continue
            for kind in ("resource", "data"):
                for entry in parsed.get(kind, []):
                    for resource_type in entry:
                        used |= apis_of_resource(unquote(resource_type))
    function_roles = console(  # the same in every env root
        "manifest",
        resolve(locals_of(KIROKU)["function_project_roles"], kiroku_scope("dev", storage)),
        manifest_path=str(DEFAULT_MANIFEST),
    )
    builder_roles = console(
        "manifest", resolve(locals_of(IAM)["builder_roles"], {}), manifest_path=str(DEFAULT_MANIFEST)
    )
    for role in set(builder_roles).union(*function_roles.values()):
        service = role.removeprefix("roles/").split(".")[0]
        assert service in APIS_OF_ROLES, f"{role}: which Google API does it call? Add it to APIS_OF_ROLES"
        used |= googleapis(APIS_OF_ROLES[service])
    return used


@pytest.mark.parametrize("storage", STORAGES)
def test_terraform_enables_every_api_its_resources_and_roles_call_and_no_other(storage: str) -> None:
    kiroku = locals_of(KIROKU)
    scope = {"local.storage_apis": resolve(kiroku["storage_apis"], {}), "var.storage": json.dumps(storage)}
    enabled = set(console("manifest", resolve(kiroku["apis"], scope), manifest_path=str(DEFAULT_MANIFEST)))
    by_hand = enabled_by_hand()
    assert googleapis("serviceusage") <= by_hand  # what Terraform enables the others with
    used = apis_used(storage)
    assert used - by_hand - enabled == set(), "used but never enabled"
    assert enabled - used == set(), "enabled for nothing Terraform creates or grants"
    function = resources(FUNCTIONS)[("google_cloudfunctions2_function", "function")]
    assert "event_trigger" not in function  # no Eventarc trigger, so no eventarc.googleapis.com


def test_every_module_and_resource_that_calls_a_google_api_waits_for_the_apis() -> None:
    enablement = "${google_project_service.api}"
    assert resources(KIROKU)[("google_project_service", "api")]["for_each"] == "${local.apis}"
    waiting_modules: set[str] = set()
    for name, call in labelled(KIROKU, "module").items():
        modules = called_modules((KIROKU / unquote(call["source"])).resolve())
        if any(kind.startswith("google_") for module in modules for kind, _ in resources(module)):
            assert enablement in call.get("depends_on", []), f"module {name}"
            waiting_modules.add(name)
    assert set(labelled(KIROKU, "module")) - waiting_modules == {"manifest"}  # no provider, no resource
    own = {
        f"{kind}.{name}": body
        for (kind, name), body in resources(KIROKU).items()
        if kind.startswith("google_") and kind != "google_project_service"
    }
    waiting: set[str] = set()
    while True:  # a resource waits when it depends on the enablement or refers to one that waits
        newly = {
            reference
            for reference, body in own.items()
            if reference not in waiting
            and (enablement in body.get("depends_on", []) or waiting & set(REFERENCE.findall(str(body))))
        }
        if not newly:
            break
        waiting |= newly
    assert waiting == set(own)


def test_subscriptions_end_before_the_graphql_timeout_and_share_an_instance() -> None:
    """A subscription streams for `subscription_seconds`, then ends for the client to subscribe again:
    under the function's timeout, which would cut it. It holds a request that long: the instance serves
    many at once, with a thread for each."""
    graphql = next(spec for spec in Manifest.load().functions if spec.name == "graphql")
    assert Settings.model_fields["subscription_seconds"].default < graphql.timeout_seconds
    assert graphql.concurrency > 1
    assert int(graphql.environment["THREADS"]) >= graphql.concurrency
    function = resources(FUNCTIONS)[("google_cloudfunctions2_function", "function")]
    service = attribute(function, "service_config")
    assert service["max_instance_request_concurrency"] == "${each.value.concurrency}"
    assert "each.value.cpu" in service["available_cpu"]


def test_the_audit_record_keeps_every_audited_topic_in_the_table_the_code_names() -> None:
    """Module audit writes each topic the manifest audits to the table `kiroku audit` points at, through
    a BigQuery subscription named as the local runner names its record's rows, with Pub/Sub's metadata
    columns (which a subscription without a topic schema needs)."""
    audit = resources(MODULES / "audit")
    dataset = audit[("google_bigquery_dataset", "audit")]
    table = audit[("google_bigquery_table", "messages")]
    subscription = audit[("google_pubsub_subscription", "audit")]
    assert (unquote(dataset["dataset_id"]), unquote(table["table_id"])) == (AUDIT_DATASET, AUDIT_TABLE)
    assert unquote(subscription["name"]) == audit_subscription("${each.key}")
    config = attribute(subscription, "bigquery_config")
    assert config["write_metadata"] is True
    assert "use_topic_schema" not in config
    assert "use_table_schema" not in config
    columns = {
        unquote(column["name"]): unquote(column["type"]) for column in locals_of(MODULES / "audit")["columns"]
    }
    assert columns == {
        "subscription_name": "STRING",
        "message_id": "STRING",
        "publish_time": "TIMESTAMP",
        "data": "STRING",
        "attributes": "JSON",
    }
    assert unquote(attribute(table, "time_partitioning")["field"]) == "publish_time"
    call = labelled(KIROKU, "module")["audit"]
    audited = "${{for topic in module.manifest.audited : topic => module.pubsub.topics[topic]}}"
    assert call["topics"] == audited
    assert Manifest.load().audited == ["commands", "events"]
