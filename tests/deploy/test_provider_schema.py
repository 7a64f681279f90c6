"""Every resource, data source and provider block of terraform/ is one the providers accept, by name.

What `terraform validate` would check of names, offline, against the schemas of the providers that
tools/terraform-schema installs (deploy/provider_schema.py); then that the check finds each kind of mistake.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.provider_schema import check
from tests.deploy.terraform import ROOT, TERRAFORM_DIR

# `{extra}` is where each test adds to a valid subscription.
SUBSCRIPTION = """
resource "google_pubsub_subscription" "orders" {
  count = 1
  name  = "orders"
  topic = "orders"
  {extra}
  push_config {
    push_endpoint = "https://example.com/orders"
    oidc_token {
      service_account_email = "pusher@example.iam.gserviceaccount.com"
    }
  }
  lifecycle {
    ignore_changes = [labels]
  }
}
"""

# cdktf calls `build` buildAttribute, and `count` inside a block is the alert trigger's own argument.
VALID = """
resource "google_cloudbuild_trigger" "main" {
  depends_on = [google_pubsub_subscription.orders]
  build {
    step {
      name = "python"
    }
  }
}

resource "google_monitoring_alert_policy" "errors" {
  display_name = "errors"
  combiner     = "OR"
  conditions {
    display_name = "errors"
    condition_threshold {
      comparison = "COMPARISON_GT"
      duration   = "60s"
      trigger {
        count = 1
      }
    }
  }
}

resource "random_password" "database" {
  length = 32
}

data "google_project" "current" {}
"""

UNKNOWN_NESTED_BLOCK = """
  retry_policy {
    minimum_backoff = "10s"
    jitter {}
  }
"""

WRONG_IN_DYNAMIC = """
  dynamic "expiration_policy" {
    for_each = ["never"]
    content {
      tll = ""
    }
  }
"""


def problems_of(tmp_path: Path, source: str) -> set[tuple[str, str]]:
    (tmp_path / "main.tf").write_text(source)
    return {(problem.path, problem.message) for problem in check(tmp_path)}


def test_terraform_sets_only_what_the_providers_know_and_all_they_require() -> None:
    problems = check(TERRAFORM_DIR)
    assert not problems, "\n".join(str(problem).removeprefix(f"{ROOT}/") for problem in problems)


def test_valid_blocks_pass(tmp_path: Path) -> None:
    source = SUBSCRIPTION.replace("{extra}", 'labels = { app = "kiroku" }') + VALID
    assert problems_of(tmp_path, source) == set()


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param('colour = "blue"', {("colour", "unknown argument")}, id="unknown argument"),
        pytest.param(UNKNOWN_NESTED_BLOCK, {("retry_policy.jitter", "unknown block")}, id="unknown block"),
        pytest.param(
            WRONG_IN_DYNAMIC,
            {
                ("expiration_policy.tll", "unknown argument"),
                ("expiration_policy.ttl", "required argument not set"),
            },
            id="dynamic block",
        ),
    ],
)
def test_what_the_provider_does_not_know_is_reported(
    tmp_path: Path, extra: str, expected: set[tuple[str, str]]
) -> None:
    assert problems_of(tmp_path, SUBSCRIPTION.replace("{extra}", extra)) == expected


def test_a_missing_required_argument_is_reported(tmp_path: Path) -> None:
    source = SUBSCRIPTION.replace("{extra}", "").replace('topic = "orders"', "")
    assert problems_of(tmp_path, source) == {("topic", "required argument not set")}
