# Cloud Build for one project: two triggers, each with its own account.
#
#   kiroku-test    every push to any branch runs cloudbuild.yaml (lint and every test) as kiroku-build-test,
#                  which may write the build's logs and change nothing in the project.
#   kiroku-deploy  a push to main (and only main) runs cloudbuild.deploy.yaml, which tests again, packages,
#                  migrates and runs terraform plan and apply, as kiroku-build-deploy.
#
# No account, and no role of the test account, may act as the deploy account (iam.serviceAccounts.actAs or
# token creation): a branch build, whatever its cloudbuild.yaml says, runs as the test account and can
# reach neither the deploy account nor the Terraform state. Only a project owner applies this module
# (terraform/envs/ci), by hand: the deploy account manages the environment, not its own trigger. It enables
# the APIs its own resources call (Cloud Build, Artifact Registry) beyond those the README's by-hand step
# enables.

terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.20, < 8.0"
    }
  }
}

variable "project_id" {
  description = "The Google Cloud project of the environment the deploy trigger applies."
  type        = string
}

variable "region" {
  description = "Region of the image repository (the environment's region)."
  type        = string
}

variable "environment" {
  description = "dev or prod: the terraform/envs/ root the deploy trigger applies."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment is dev or prod."
  }
}

variable "github_owner" {
  description = "Owner of the GitHub repository (the Cloud Build GitHub App must be installed on it)."
  type        = string
}

variable "github_repository" {
  description = "Name of the GitHub repository."
  type        = string
}

variable "state_bucket" {
  description = "The bucket of the environment's Terraform state; only the deploy account may use it."
  type        = string
}

variable "deploy_branch" {
  description = "The one branch whose pushes deploy, as an anchored regular expression."
  type        = string
  default     = "^main$"

  validation {
    condition     = startswith(var.deploy_branch, "^") && endswith(var.deploy_branch, "$")
    error_message = "deploy_branch is anchored (^...$), so it matches one branch and not every branch containing its name."
  }
}

variable "require_approval" {
  description = "Whether each deploy build waits for an approver (Cloud Build approvals) before it runs."
  type        = bool
  default     = false
}

variable "substitutions" {
  description = "The deploy build's substitutions besides _ENV and _STATE_BUCKET: _STORAGE, _REGION, _ADMIN_EMAIL, ... (cloudbuild.deploy.yaml)."
  type        = map(string)
  default     = {}
}

variable "image_repository" {
  description = "The Artifact Registry (Docker) repository of the migration job's image."
  type        = string
  default     = "kiroku"
}

locals {
  # What a test build may do: write its own logs. Nothing else, anywhere in the project.
  tester_roles = toset(["roles/logging.logWriter"])
  # What terraform apply of terraform/envs/<environment> needs, and the build's own logs and image push.
  deployer_roles = toset([
    "roles/artifactregistry.writer",
    "roles/bigquery.dataOwner",
    "roles/cloudfunctions.admin",
    "roles/cloudscheduler.admin",
    "roles/cloudsql.admin",
    "roles/compute.networkAdmin",
    "roles/compute.securityAdmin",
    "roles/datastore.owner",
    "roles/iam.serviceAccountAdmin",
    "roles/iam.serviceAccountUser",
    "roles/logging.configWriter", # the log-based metrics (observability.tf)
    "roles/logging.logWriter",
    # modules/kiroku's alerting policies (alerts.tf). Each may name notification channels
    # (alert_notification_channels), and Monitoring refuses a policy naming a channel its author may not read
    # (monitoring.notificationChannels.get, which alertPolicyEditor lacks): hence the channel viewer, which
    # reads channels and changes none.
    "roles/monitoring.alertPolicyEditor",
    "roles/monitoring.dashboardEditor", # the dashboard (observability.tf)
    "roles/monitoring.notificationChannelViewer",
    "roles/pubsub.admin",
    "roles/resourcemanager.projectIamAdmin",
    "roles/run.admin",
    "roles/secretmanager.admin",
    "roles/servicenetworking.networksAdmin",
    "roles/serviceusage.serviceUsageAdmin",
    "roles/storage.admin",
    "roles/vpcaccess.admin",
  ])
  # The APIs this module's own resources call besides those the README has the owner enable by hand
  # (Resource Manager, Service Usage, IAM, Storage): envs/ci is applied before any environment, whose
  # modules/kiroku enables these two again for its functions' builds.
  apis = toset([
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
  ])
}

resource "google_project_service" "api" {
  for_each = local.apis
  project  = var.project_id
  service  = each.key
  # Turning an API off on destroy would break whatever else the project runs: the environment's functions
  # are built by Cloud Build into Artifact Registry.
  disable_on_destroy = false
}

resource "google_service_account" "tester" {
  project      = var.project_id
  account_id   = "kiroku-build-test"
  display_name = "Kiroku branch builds"
  description  = "Runs cloudbuild.yaml for every branch: tests only; may write build logs and nothing else."
}

resource "google_service_account" "deployer" {
  project      = var.project_id
  account_id   = "kiroku-build-deploy"
  display_name = "Kiroku deploy builds"
  description  = "Runs cloudbuild.deploy.yaml for ${var.deploy_branch} only: migrates and applies terraform/envs/${var.environment}."
}

resource "google_project_iam_member" "tester" {
  for_each = local.tester_roles
  project  = var.project_id
  role     = each.value
  member   = google_service_account.tester.member
}

resource "google_project_iam_member" "deployer" {
  for_each = local.deployer_roles
  project  = var.project_id
  role     = each.value
  member   = google_service_account.deployer.member
}

resource "google_storage_bucket_iam_member" "deployer_state" {
  bucket = var.state_bucket
  role   = "roles/storage.objectAdmin"
  member = google_service_account.deployer.member
}

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = var.region
  repository_id = var.image_repository
  format        = "DOCKER"
  description   = "Kiroku's deploy images: the schema migration job's, tagged by the source bundle's SHA-256."

  docker_config {
    immutable_tags = true
  }

  depends_on = [google_project_service.api]
}

resource "google_cloudbuild_trigger" "test" {
  project         = var.project_id
  location        = "global"
  name            = "kiroku-test"
  description     = "Every branch: lint and every test, as an account that can change nothing."
  filename        = "cloudbuild.yaml"
  service_account = google_service_account.tester.id

  github {
    owner = var.github_owner
    name  = var.github_repository

    push {
      branch = ".*"
    }
  }

  depends_on = [google_project_service.api, google_project_iam_member.tester]
}

resource "google_cloudbuild_trigger" "deploy" {
  project         = var.project_id
  location        = "global"
  name            = "kiroku-deploy"
  description     = "${var.deploy_branch} only: test, package, migrate, terraform plan and apply of ${var.environment}."
  filename        = "cloudbuild.deploy.yaml"
  service_account = google_service_account.deployer.id
  substitutions = merge(var.substitutions, {
    _ENV          = var.environment
    _STATE_BUCKET = var.state_bucket
    _REGION       = var.region
    _DEPLOY_REF   = var.deploy_branch
  })

  github {
    owner = var.github_owner
    name  = var.github_repository

    push {
      branch = var.deploy_branch
    }
  }

  approval_config {
    approval_required = var.require_approval
  }

  depends_on = [google_project_service.api, google_project_iam_member.deployer]
}

output "tester_email" {
  description = "The account of branch builds."
  value       = google_service_account.tester.email
}

output "deployer_email" {
  description = "The account of deploy builds."
  value       = google_service_account.deployer.email
}

output "image_repository" {
  description = "Where the deploy build pushes the migration job's image."
  value       = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}
