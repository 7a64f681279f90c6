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
    attribute,
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
