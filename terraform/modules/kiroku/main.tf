# One Kiroku environment, wired from manifest.yaml: every function the manifest lists gets its runtime
# account, its Cloud Function, its push subscription and dead-letter topic (topic triggers) and its
# Cloud Scheduler job (schedules) through for_each, so adding a function to the manifest deploys it
# without touching Terraform. The envs/ roots differ only in sizes and protections.

# The one place Terraform and provider versions are pinned: the envs/ roots inherit them.
terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.20, < 8.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }
}

locals {
  labels = { app = "kiroku", environment = var.environment }
  # What every function needs whichever the backend; module storage adds its own.
  apis = toset(concat([
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "cloudtrace.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ], local.storage_apis[var.storage]))
  storage_apis = {
    postgres  = ["compute.googleapis.com", "servicenetworking.googleapis.com", "sqladmin.googleapis.com", "vpcaccess.googleapis.com"]
    firestore = ["firestore.googleapis.com"]
  }
  # Each function's project roles: what every function needs, and its backend's role for its `database`.
  function_project_roles = {
    for name, spec in module.manifest.functions : name => toset(concat(
      ["roles/logging.logWriter", "roles/cloudtrace.agent", "roles/monitoring.metricWriter"],
      module.storage.function_project_roles[spec.database],
    ))
  }
  # The migration job's image: deploy/migrate.Dockerfile on this bundle, which cloudbuild.deploy.yaml pushes
  # under the bundle's SHA-256 to the repository module ci creates.
  migrate_image = (var.migrate_image != "" ? var.migrate_image
    : "${var.region}-docker.pkg.dev/${var.project_id}/${var.image_repository}/migrate:${filesha256(var.bundle_path)}"
  )
  public_urls = [for name, spec in module.manifest.functions : module.functions.urls[name] if spec.public]
  # The gateway URLs the settings read (shared/config.py); an empty one is left out, not set empty, so the
  # adapters' factories report it missing by name instead of the settings rejecting an empty URL.
  gateway_environment = {
    for name, url in {
      KIROKU_PAYMENT_GATEWAY_URL  = var.payment_gateway_url
      KIROKU_SHIPPING_GATEWAY_URL = var.shipping_gateway_url
    } : name => url if url != ""
  }
}

module "manifest" {
  source        = "../manifest"
  manifest_path = var.manifest_path
}

data "google_project" "this" {
  project_id = var.project_id
}

resource "google_project_service" "api" {
  for_each = local.apis
  project  = var.project_id
  service  = each.key
  # Turning an API off on destroy would break whatever else the project runs.
  disable_on_destroy = false
}

module "iam" {
  source                 = "../iam"
  project_id             = var.project_id
  project_number         = data.google_project.this.number
  account_ids            = { for name, spec in module.manifest.functions : name => spec.account_id }
  function_project_roles = local.function_project_roles
  depends_on             = [google_project_service.api]
}

module "storage" {
  source              = "../storage"
  project_id          = var.project_id
  region              = var.region
  storage             = var.storage
  deletion_protection = var.deletion_protection
  labels              = local.labels
  secret_readers = {
    for name, spec in module.manifest.functions : name => { email = module.iam.function_emails[name], database = spec.database }
  }
  migrate_image          = local.migrate_image
  postgres_tier          = var.postgres_tier
  postgres_availability  = var.postgres_availability
  firestore_location     = var.firestore_location
  firestore_indexes_path = var.firestore_indexes_path
  depends_on             = [google_project_service.api]
}

module "functions" {
  source                  = "../functions"
  project_id              = var.project_id
  region                  = var.region
  functions               = module.manifest.functions
  bundle_path             = var.bundle_path
  service_accounts        = module.iam.function_emails
  builder_id              = module.iam.builder_id
  builder_member          = module.iam.builder_member
  push_invoker_email      = module.iam.push_invoker_email
  scheduler_invoker_email = module.iam.scheduler_invoker_email
  secret_environment = {
    for name, spec in module.manifest.functions : name => merge(
      module.storage.secret_environment[spec.database],
      name == "graphql" ? { KIROKU_METRICS_TOKEN = google_secret_manager_secret.metrics_token.secret_id } : {},
    )
  }
  vpc_connector        = module.storage.vpc_connector
  public_min_instances = var.public_min_instances
  labels               = local.labels
  environment = merge(var.app_environment, local.gateway_environment, module.storage.environment, {
    KIROKU_PROJECT_ID  = var.project_id
    KIROKU_ENVIRONMENT = var.environment
    KIROKU_LOG_LEVEL   = var.log_level
  })
  # The GraphQL function deploys only once its metrics token has a version it may read.
  depends_on = [
    google_project_service.api,
    google_secret_manager_secret_version.metrics_token,
    google_secret_manager_secret_iam_member.metrics_token,
  ]
}

module "pubsub" {
  source             = "../pubsub"
  project_id         = var.project_id
  project_number     = data.google_project.this.number
  topics             = module.manifest.topics
  functions          = module.manifest.topic_functions
  function_urls      = module.functions.urls
  push_invoker_email = module.iam.push_invoker_email
  publishers = {
    for name, spec in module.manifest.functions : name => { email = module.iam.function_emails[name], topics = spec.publishes }
  }
  # The GraphQL function serves the admins' deadLetters query.
  dead_letter_reader_email = module.iam.function_emails["graphql"]
  depends_on               = [google_project_service.api]
}

module "audit" {
  source              = "../audit"
  project_id          = var.project_id
  project_number      = data.google_project.this.number
  location            = var.region
  topics              = { for topic in module.manifest.audited : topic => module.pubsub.topics[topic] }
  retention_days      = var.audit_retention_days
  deletion_protection = var.deletion_protection
  labels              = local.labels
  depends_on          = [google_project_service.api]
}

module "scheduler" {
  source        = "../scheduler"
  project_id    = var.project_id
  region        = var.region
  functions     = module.manifest.scheduled_functions
  function_urls = module.functions.urls
  invoker_email = module.iam.scheduler_invoker_email
  depends_on    = [google_project_service.api]
}
