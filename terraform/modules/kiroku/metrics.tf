# The bearer token a Prometheus scraper sends for the GraphQL function's /metrics: outside `local`,
# /metrics answers only to `Authorization: Bearer $KIROKU_METRICS_TOKEN` (functions/graphql/app.py).
# Generated here and kept in Secret Manager; the GraphQL function alone reads it, and whoever scrapes
# /metrics is given access to the same secret (`metrics_token_secret` output).
resource "random_password" "metrics_token" {
  length  = 48
  special = false
}

resource "google_secret_manager_secret" "metrics_token" {
  project   = var.project_id
  secret_id = "kiroku-metrics-token"
  labels    = local.labels

  replication {
    auto {}
  }
  depends_on = [google_project_service.api]
}

resource "google_secret_manager_secret_version" "metrics_token" {
  secret      = google_secret_manager_secret.metrics_token.id
  secret_data = random_password.metrics_token.result
}

resource "google_secret_manager_secret_iam_member" "metrics_token" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.metrics_token.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${module.iam.function_emails["graphql"]}"
}
