output "graphql_url" {
  description = "The public GraphQL endpoint."
  value       = module.kiroku.graphql_url
}

output "dead_letter_subscriptions" {
  description = "Where each function's dead letters are kept, keyed by function name."
  value       = module.kiroku.dead_letter_subscriptions
}

output "migrate_job" {
  description = "The Cloud Run job that migrates the schema (storage = postgres), or null."
  value       = module.kiroku.migrate_job
}
