output "environment" {
  description = "Settings every function needs to reach the backend."
  value       = { KIROKU_STORAGE = var.storage }
}

output "secret_environment" {
  description = "Environment variables read from Secret Manager: variable name => secret id."
  value       = local.postgres ? { DATABASE_URL = google_secret_manager_secret.database_url[0].secret_id } : {}
  # A function deploys only once the secret has a version its account may read.
  depends_on = [google_secret_manager_secret_version.database_url, google_secret_manager_secret_iam_member.reader]
}

output "function_project_roles" {
  description = "Project roles a function account needs for this backend."
  # Cloud SQL is reached by private IP with a password, which needs no IAM role; Firestore access is IAM.
  value = local.postgres ? [] : ["roles/datastore.user"]
}

output "vpc_connector" {
  description = "The connector that carries the functions' private traffic to Cloud SQL, or null."
  value       = local.postgres ? google_vpc_access_connector.functions[0].id : null
}
