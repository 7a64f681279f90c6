output "graphql_url" {
  description = "The public GraphQL endpoint: the URL of the manifest's one public HTTP function."
  value       = one(local.public_urls)

  precondition {
    condition     = length(local.public_urls) <= 1
    error_message = "manifest.yaml marks more than one function public; GraphQL is the single public door."
  }
}

output "function_urls" {
  description = "Every function's HTTPS endpoint, keyed by function name."
  value       = module.functions.urls
}

output "dead_letter_subscriptions" {
  description = "Where each function's dead letters are kept, keyed by function name."
  value       = module.pubsub.dead_letter_subscriptions
}

output "migrate_job" {
  description = "The Cloud Run job that migrates the schema before the functions deploy (storage = postgres), or null."
  value       = module.storage.migrate_job
}

output "metrics_token_secret" {
  description = "The Secret Manager secret holding the bearer token /metrics answers to; grant the scraper access to it."
  value       = google_secret_manager_secret.metrics_token.secret_id
}

output "audit_table" {
  description = "The BigQuery table holding every message of the audited topics (README, \"The audit record\")."
  value       = module.audit.table
}
