output "environment" {
  description = "Settings every function needs to reach the backend."
  # With postgres the deploy step migrates (migrations.tf): no function migrates at its cold start.
  value = merge({ KIROKU_STORAGE = var.storage }, local.postgres ? { KIROKU_MIGRATE_ON_OPEN = "false" } : {})
}

output "secret_environment" {
  description = "Environment variables read from Secret Manager (variable name => secret id), by manifest `database` level."
  value = {
    for level in ["write", "read", "none"] : level => (
      contains(keys(local.database_url_secrets), level)
      ? { DATABASE_URL = google_secret_manager_secret.database_url[level].secret_id }
      : {}
    )
  }
  # A function deploys only once the secret has a version its account may read.
  depends_on = [google_secret_manager_secret_version.database_url, google_secret_manager_secret_iam_member.reader]
}

output "function_project_roles" {
  description = "Project roles a function account needs for this backend, by manifest `database` level."
  # Cloud SQL is reached by private IP with a password, which needs no IAM role; Firestore access is IAM,
  # where a reader gets the read-only role (IAM cannot narrow Firestore to collections).
  value = {
    write = local.postgres ? [] : ["roles/datastore.user"]
    read  = local.postgres ? [] : ["roles/datastore.viewer"]
    none  = []
  }
}

output "vpc_connector" {
  description = "The connector that carries the functions' private traffic to Cloud SQL, or null."
  value       = local.postgres ? google_vpc_access_connector.functions[0].id : null
}

output "migrate_job" {
  description = "The Cloud Run job that migrates the schema (postgres), or null."
  value       = local.postgres ? google_cloud_run_v2_job.migrate[0].name : null
}
