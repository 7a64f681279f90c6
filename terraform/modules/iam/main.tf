# Who each piece runs as. Every function gets its own service account holding only what it needs
# project-wide (logs, traces, metrics, and the storage backend's role for its `database` level); the narrower
# grants (publishing to one topic, reading one secret, reading the source bucket) are bound on those
# resources in the modules that own them. Push deliveries and scheduled calls each come from a
# dedicated invoker account that may call nothing but the functions it serves.

variable "project_id" {
  description = "The Google Cloud project."
  type        = string
}

variable "project_number" {
  description = "The project's number, which names the Pub/Sub service agent."
  type        = string
}

variable "account_ids" {
  description = "Every manifest function's runtime service account id, keyed by function name."
  type        = map(string)
}

variable "function_project_roles" {
  description = "The project roles of each function's account, keyed by function name: what every function needs, and its storage backend's role for the function's manifest `database` level."
  type        = map(set(string))
}

locals {
  builder_roles = toset(["roles/logging.logWriter", "roles/artifactregistry.writer"])
}

resource "google_service_account" "function" {
  for_each     = var.account_ids
  project      = var.project_id
  account_id   = each.value
  display_name = "Kiroku function ${each.key}"
  description  = "Runtime identity of the ${each.key} Cloud Function (manifest.yaml)."
}

resource "google_project_iam_member" "function" {
  for_each = merge([
    for name, roles in var.function_project_roles : {
      for role in roles : "${name}/${role}" => { function = name, role = role }
    }
  ]...)
  project = var.project_id
  role    = each.value.role
  member  = google_service_account.function[each.value.function].member
}

resource "google_service_account" "push_invoker" {
  project      = var.project_id
  account_id   = "kiroku-push-invoker"
  display_name = "Kiroku Pub/Sub push invoker"
  description  = "Signs the OIDC token of every push subscription; may invoke only topic-triggered functions."
}

resource "google_service_account" "scheduler_invoker" {
  project      = var.project_id
  account_id   = "kiroku-scheduler-invoker"
  display_name = "Kiroku Cloud Scheduler invoker"
  description  = "Signs the OIDC token of every scheduled call; may invoke only scheduled functions."
}

# Pub/Sub mints the push OIDC tokens as this agent; projects created before April 2021 lack the grant.
resource "google_service_account_iam_member" "pubsub_mints_push_tokens" {
  service_account_id = google_service_account.push_invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:service-${var.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# Cloud Build builds each function's image as this account instead of the default compute account,
# which new projects no longer give the roles a build needs.
resource "google_service_account" "builder" {
  project      = var.project_id
  account_id   = "kiroku-builder"
  display_name = "Kiroku function builder"
  description  = "Builds the function images from the source bundle."
}

resource "google_project_iam_member" "builder" {
  for_each = local.builder_roles
  project  = var.project_id
  role     = each.value
  member   = google_service_account.builder.member
}

output "function_emails" {
  description = "Each function's runtime service account email, keyed by function name."
  value       = { for name, account in google_service_account.function : name => account.email }
}

output "push_invoker_email" {
  description = "The account whose OIDC token every push subscription sends."
  value       = google_service_account.push_invoker.email
}

output "scheduler_invoker_email" {
  description = "The account whose OIDC token every Cloud Scheduler job sends."
  value       = google_service_account.scheduler_invoker.email
}

output "builder_id" {
  description = "The build service account, as Cloud Functions' build_config wants it."
  # The build must not start before the builder holds its roles.
  value      = google_service_account.builder.id
  depends_on = [google_project_iam_member.builder]
}

output "builder_member" {
  description = "The build service account as an IAM member."
  value       = google_service_account.builder.member
}
