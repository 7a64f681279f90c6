"""Cloud Build: branch builds test as an account that can change nothing; only main plans and applies.

terraform/modules/ci defines both triggers and both accounts; cloudbuild.yaml is what every branch runs,
cloudbuild.deploy.yaml what main runs. These tests read all three.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.deploy.terraform import (
    MODULES,
    ROOT,
    TERRAFORM_DIR,
    apis_of_resource,
    attribute,
    called_modules,
    enabled_by_hand,
    labelled,
    locals_of,
    parse,
    parse_file,
    resources,
    unquote,
)

CI = MODULES / "ci"
BUILT_IN = {"PROJECT_ID", "BRANCH_NAME", "COMMIT_SHA", "SHORT_SHA", "BUILD_ID", "REPO_NAME", "TAG_NAME"}


def build(name: str) -> tuple[str, dict[str, Any], dict[str, dict[str, Any]]]:
    text = (ROOT / name).read_text()
    parsed: dict[str, Any] = yaml.safe_load(text)
    return text, parsed, {step["id"]: step for step in parsed["steps"]}


def script(step: dict[str, Any]) -> str:
    return str(step["args"][-1])


def check_substitutions(text: str, parsed: dict[str, Any]) -> None:
    """Every substitution used is declared and documented, and every other `$name` is a built-in: a shell
    variable must be written `$$name`, or Cloud Build refuses the build."""
    used = set(re.findall(r"\$\{(_[A-Z_]+)\}", text))
    documented = set(re.findall(r"^#\s+(_[A-Z_]+)\s", text, re.MULTILINE))
    assert used == set(parsed["substitutions"]) == documented
    body = yaml.safe_dump(parsed["steps"])
    single = re.findall(r"(?<!\$)\$\{?([A-Za-z_][A-Za-z0-9_]*)", body.replace("$$", ""))
    assert set(single) <= used | BUILT_IN, set(single) - used - BUILT_IN


def test_a_branch_build_only_tests_and_packages() -> None:
    text, parsed, steps = build("cloudbuild.yaml")
    assert list(steps) == ["test", "package"]
    assert "make test" in script(steps["test"])
    assert "make package" in script(steps["package"])
    for step in steps.values():
        assert "terraform" not in step["name"]
        assert not re.search(r"\b(terraform|gcloud|docker|gsutil)\b", script(step)), step["id"]
    assert parsed["options"]["logging"] == "CLOUD_LOGGING_ONLY"
    check_substitutions(text, parsed)


def test_a_deploy_build_checks_its_branch_tests_migrates_then_plans_and_applies() -> None:
    text, parsed, steps = build("cloudbuild.deploy.yaml")
    assert list(steps) == ["branch", "test", "package", "image", "schema", "migrate", "plan", "apply"]
    assert '"${BRANCH_NAME}"' in script(steps["branch"])
    assert "exit 1" in script(steps["branch"])
    assert parsed["substitutions"]["_DEPLOY_REF"] == "^main$"
    assert "make test" in script(steps["test"])
    assert "make package" in script(steps["package"])
    # The image the migration job runs: the bundle's SHA-256 in the repository, as modules/kiroku names it.
    image = script(steps["image"])
    assert "docker build -f deploy/migrate.Dockerfile" in image
    assert "${_IMAGE_REPOSITORY}/migrate:$$(sha256sum dist/kiroku-functions.zip | cut -c1-64)" in image
    kiroku_image = locals_of(MODULES / "kiroku")["migrate_image"]
    assert "${var.region}-docker.pkg.dev/${var.project_id}/${var.image_repository}/migrate:" in kiroku_image
    repository = unquote(labelled(MODULES / "kiroku", "variable")["image_repository"]["default"])
    assert repository == parsed["substitutions"]["_IMAGE_REPOSITORY"]
    assert repository == unquote(labelled(CI, "variable")["image_repository"]["default"])
    # Schema first: the storage module alone, then the job, then the whole environment.
    assert "terraform apply -auto-approve -target=module.kiroku.module.storage" in script(steps["schema"])
    job = unquote(labelled(MODULES / "storage", "variable")["migrate_job_name"]["default"])
    assert f"gcloud run jobs execute {job} " in script(steps["migrate"])
    assert "--wait" in script(steps["migrate"])
    assert "terraform plan -out=tfplan" in script(steps["plan"])
    assert "terraform apply tfplan" in script(steps["apply"])
    for step in ("schema", "plan", "apply"):
        assert steps[step]["dir"] == "terraform/envs/${_ENV}"
    assert parsed["options"]["logging"] == "CLOUD_LOGGING_ONLY"
    check_substitutions(text, parsed)


def triggers() -> dict[str, dict[str, Any]]:
    return {name: body for (kind, name), body in resources(CI).items() if kind == "google_cloudbuild_trigger"}


def test_every_branch_tests_as_the_test_account_and_only_main_deploys_as_the_deploy_account() -> None:
    found = triggers()
    assert set(found) == {"test", "deploy"}
    test, deploy = found["test"], found["deploy"]
    assert unquote(test["filename"]) == "cloudbuild.yaml"
    assert test["service_account"] == "${google_service_account.tester.id}"
    assert unquote(attribute(test, "github", "push")["branch"]) == ".*"
    assert unquote(deploy["filename"]) == "cloudbuild.deploy.yaml"
    assert deploy["service_account"] == "${google_service_account.deployer.id}"
    assert attribute(deploy, "github", "push")["branch"] == "${var.deploy_branch}"
    assert "invert_regex" not in attribute(deploy, "github", "push")
    branch = labelled(CI, "variable")["deploy_branch"]
    assert unquote(branch["default"]) == "^main$"
    # What the trigger sets, the build declares.
    _, parsed, _ = build("cloudbuild.deploy.yaml")
    for name in re.findall(r"(_[A-Z_]+)\s*=", deploy["substitutions"]):
        assert name in parsed["substitutions"], name
    assert re.search(r"_DEPLOY_REF\s*=\s*var\.deploy_branch", deploy["substitutions"])


def test_the_test_account_can_change_nothing_and_nobody_may_act_as_the_deploy_account() -> None:
    ci = locals_of(CI)
    tester_roles = re.findall(r'"(roles/[^"]+)"', ci["tester_roles"])
    assert tester_roles == ["roles/logging.logWriter"]
    bindings = resources(CI)
    assert (
        bindings[("google_project_iam_member", "tester")]["member"]
        == "${google_service_account.tester.member}"
    )
    assert bindings[("google_project_iam_member", "tester")]["for_each"] == "${local.tester_roles}"
    # Nothing anywhere binds a role on the deploy account, or gives the test account anything more.
    for directory in {path.parent for path in TERRAFORM_DIR.rglob("*.tf")}:
        for (kind, name), body in resources(directory).items():
            text = str(body)
            if kind == "google_service_account_iam_member":
                assert "deployer" not in text, (directory, name)
            if "google_service_account.tester" in text:
                assert (directory, kind, name) in {
                    (CI, "google_project_iam_member", "tester"),
                    (CI, "google_cloudbuild_trigger", "test"),
                }, (directory, kind, name)
    deployer_roles = set(re.findall(r'"(roles/[^"]+)"', ci["deployer_roles"]))
    assert {
        "roles/run.admin",
        "roles/iam.serviceAccountUser",
        "roles/artifactregistry.writer",
    } <= deployer_roles
    # The state (with the database passwords) is the deploy account's.
    state = bindings[("google_storage_bucket_iam_member", "deployer_state")]
    assert state["member"] == "${google_service_account.deployer.member}"


def test_the_ci_root_applies_the_ci_module() -> None:
    root = TERRAFORM_DIR / "envs" / "ci"
    call = labelled(root, "module")["ci"]
    assert unquote(call["source"]) == "../../modules/ci"
    backend = parse(root)["terraform"][0]["backend"][0]['"gcs"']
    assert "bucket" not in backend
    assert unquote(backend["prefix"]) == "kiroku/ci"
    example = parse_file(root / "terraform.tfvars.example")
    required = {name for name, body in labelled(root, "variable").items() if "default" not in body}
    assert required <= set(example)


# The predefined role that lets the deploy build's `terraform apply` create, change and destroy each type of
# resource (or read each data source, `data.` before its type) that an environment holds, by the longest
# prefix of its type listed here. A type the table lacks fails the test: give it its row.
ROLES_OF_RESOURCES: dict[str, tuple[str, ...]] = {
    "google_cloudfunctions2_": ("roles/cloudfunctions.admin",),
    "google_cloud_run_v2_": ("roles/run.admin",),  # the migration job, and who may invoke a function
    "google_cloud_scheduler_": ("roles/cloudscheduler.admin",),
    "google_pubsub_": ("roles/pubsub.admin",),  # topics, subscriptions and the grants on them
    "google_bigquery_": ("roles/bigquery.dataOwner",),  # the audit dataset, its table and the grant on it
    "google_secret_manager_": ("roles/secretmanager.admin",),  # secrets, their versions and grants
    "google_sql_": ("roles/cloudsql.admin",),
    "google_vpc_access_": ("roles/vpcaccess.admin",),
    "google_compute_": ("roles/compute.networkAdmin",),  # the network, its subnetwork, reserved ranges
    "google_compute_firewall": ("roles/compute.securityAdmin",),  # networkAdmin may not touch firewall rules
    "google_service_networking_": ("roles/servicenetworking.networksAdmin",),
    "google_firestore_": ("roles/datastore.owner",),  # the database and its indexes
    "google_storage_": ("roles/storage.admin",),  # the source bucket, its objects and the grants on it
    "google_service_account": ("roles/iam.serviceAccountAdmin",),  # accounts, and grants on them
    "google_project_iam_": ("roles/resourcemanager.projectIamAdmin",),
    "google_project_service": ("roles/serviceusage.serviceUsageAdmin",),
    "google_monitoring_alert_policy": ("roles/monitoring.alertPolicyEditor",),
    "google_monitoring_dashboard": ("roles/monitoring.dashboardEditor",),
    "google_logging_metric": ("roles/logging.configWriter",),  # log-based metrics
    "data.google_project": ("roles/resourcemanager.projectIamAdmin",),  # resourcemanager.projects.get
    "random_": (),  # Terraform's own, no Google API
}
# What an argument needs besides its resource's role, wherever in the resource it is set.
ROLES_OF_ARGUMENTS: dict[str, tuple[str, ...]] = {
    # A function, job, push subscription or scheduler job that runs as an account or signs its tokens: its
    # author must be allowed to act as that account (iam.serviceAccounts.actAs).
    "service_account": ("roles/iam.serviceAccountUser",),
    "service_account_email": ("roles/iam.serviceAccountUser",),
    # An alerting policy that names notification channels: Monitoring refuses it unless its author may read
    # each channel (monitoring.notificationChannels.get), which alertPolicyEditor does not give.
    "notification_channels": ("roles/monitoring.notificationChannelViewer",),
}
# What the deploy build does besides applying Terraform (cloudbuild.deploy.yaml), by step, and its role.
ROLES_OF_BUILD_STEPS = {
    "image": "roles/artifactregistry.writer",  # pushes the migration job's image to modules/ci's repository
    "migrate": "roles/run.admin",  # gcloud run jobs execute
}
# Every step's output goes to Cloud Logging (options.logging: CLOUD_LOGGING_ONLY).
BUILD_LOG_ROLE = "roles/logging.logWriter"


def arguments(value: Any) -> set[str]:
    """Every argument named anywhere in a parsed block, nested blocks included."""
    found: set[str] = set()
    if isinstance(value, dict):
        found |= {key for key in value if not key.startswith("__")}
        value = list(value.values())
    if isinstance(value, list):
        for item in value:
            found |= arguments(item)
    return found


def roles_to_create(kind: str, body: dict[str, Any]) -> set[str]:
    prefixes = [prefix for prefix in ROLES_OF_RESOURCES if kind.startswith(prefix)]
    assert prefixes, f"{kind}: which predefined role may create it? Add its row to ROLES_OF_RESOURCES"
    roles = set(ROLES_OF_RESOURCES[max(prefixes, key=len)])
    return roles.union(*(ROLES_OF_ARGUMENTS.get(argument, ()) for argument in arguments(body)))


def roles_the_deploy_needs() -> dict[str, set[str]]:
    """Each role the deploy build needs, with what needs it: every resource and data source of the
    environment (modules/kiroku and every module it calls, with either storage), and the build's own steps."""
    needed: dict[str, set[str]] = {}
    for module in called_modules(MODULES / "kiroku"):
        for block, prefix in (("resource", ""), ("data", "data.")):
            for entry in parse(module).get(block, []):
                for kind, named in entry.items():
                    for name, body in named.items():
                        what = f"{module.name}: {prefix}{unquote(kind)}.{unquote(name)}"
                        for role in roles_to_create(prefix + unquote(kind), body):
                            needed.setdefault(role, set()).add(what)
    _, parsed, steps = build("cloudbuild.deploy.yaml")
    for step, role in ROLES_OF_BUILD_STEPS.items():
        assert step in steps, step
        needed.setdefault(role, set()).add(f"build step {step}")
    assert parsed["options"]["logging"] == "CLOUD_LOGGING_ONLY"
    needed.setdefault(BUILD_LOG_ROLE, set()).add("the build's logs")
    return needed


def test_the_deploy_account_holds_a_role_for_everything_the_deploy_creates_and_no_other() -> None:
    needed = roles_the_deploy_needs()
    alert = "kiroku: google_monitoring_alert_policy.saga_step_overdue"
    assert alert in needed["roles/monitoring.alertPolicyEditor"]
    held = set(re.findall(r'"(roles/[^"]+)"', locals_of(CI)["deployer_roles"]))
    missing = {role: sorted(what) for role, what in needed.items() if role not in held}
    assert not missing, f"terraform apply would be refused: the deploy account lacks {missing}"
    assert held - set(needed) == set(), "held for nothing the deploy build creates or runs"
    binding = resources(CI)[("google_project_iam_member", "deployer")]
    assert (binding["for_each"], binding["role"]) == ("${local.deployer_roles}", "${each.value}")
    assert binding["member"] == "${google_service_account.deployer.member}"
    assert binding["project"] == "${var.project_id}"


def test_the_ci_module_enables_every_api_its_resources_call_before_it_creates_them() -> None:
    needed: dict[str, set[str]] = {}
    for kind, name in resources(CI):
        for api in apis_of_resource(kind):
            needed.setdefault(api, set()).add(f"{kind}.{name}")
    by_hand = enabled_by_hand()
    assert "serviceusage.googleapis.com" in by_hand  # what Terraform enables the others with
    enablement = resources(CI).get(("google_project_service", "api"))
    assert enablement is not None, f"modules/ci enables none of {sorted(set(needed) - by_hand)}"
    assert (enablement["for_each"], enablement["service"]) == ("${local.apis}", "${each.key}")
    assert enablement["project"] == "${var.project_id}"
    assert enablement["disable_on_destroy"] is False  # the environment's functions use them too
    enabled = set(re.findall(r'"([\w.-]+\.googleapis\.com)"', locals_of(CI)["apis"]))
    missing = {api: sorted(what) for api, what in needed.items() if api not in by_hand | enabled}
    assert not missing, f"used by modules/ci but enabled neither by it nor by hand: {missing}"
    assert enabled - set(needed) == set(), "enabled for nothing modules/ci creates"
    assert enabled & by_hand == set(), "enabled by hand already"
    # Each resource whose API the module enables waits for the enablement.
    for api in enabled:
        for what in needed[api]:
            kind, name = what.split(".")
            assert "${google_project_service.api}" in resources(CI)[(kind, name)].get("depends_on", []), what
