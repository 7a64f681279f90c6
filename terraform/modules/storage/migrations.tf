# The schema's deploy step (storage = "postgres"): a Cloud Run job that applies the migrations and gives
# the writer and reader roles their grants, as the owner (shared/eventstore/deploy_schema.py). The
# functions do not migrate at cold start (KIROKU_MIGRATE_ON_OPEN=false, outputs.tf) and their roles could
# not: cloudbuild.deploy.yaml applies this module, executes the job and waits for it, then applies the
# rest, so new functions start on a migrated schema. Its image is the source bundle on a Python base
# (deploy/migrate.Dockerfile), built and pushed by the same build under the bundle's hash.

resource "google_service_account" "migrator" {
  count        = local.postgres_count
  project      = var.project_id
  account_id   = "kiroku-migrate"
  display_name = "Kiroku schema migrations"
  description  = "Runs the kiroku-migrate job: migrates the schema and grants the functions' roles, as the owner."
}

resource "google_secret_manager_secret_iam_member" "migrator" {
  for_each  = local.database_url_secrets
  project   = var.project_id
  secret_id = google_secret_manager_secret.database_url[each.key].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.migrator[0].member
}

resource "google_cloud_run_v2_job" "migrate" {
  count               = local.postgres_count
  project             = var.project_id
  location            = var.region
  name                = var.migrate_job_name
  labels              = var.labels
  deletion_protection = false

  template {
    task_count = 1

    template {
      service_account = google_service_account.migrator[0].email
      # A failed migration is rolled back whole; the deploy stops and says so rather than retrying.
      max_retries = 0
      timeout     = "1800s"

      vpc_access {
        connector = google_vpc_access_connector.functions[0].id
        egress    = "PRIVATE_RANGES_ONLY"
      }

      containers {
        image = var.migrate_image

        dynamic "env" {
          for_each = {
            DATABASE_URL               = "owner"
            KIROKU_WRITER_DATABASE_URL = "write"
            KIROKU_READER_DATABASE_URL = "read"
          }
          content {
            name = env.key
            value_source {
              secret_key_ref {
                secret  = google_secret_manager_secret.database_url[env.value].secret_id
                version = "latest"
              }
            }
          }
        }
      }
    }
  }

  # The job reads the secrets as it starts: their versions and its access come first.
  depends_on = [google_secret_manager_secret_version.database_url, google_secret_manager_secret_iam_member.migrator]
}
