# One Cloud Function (gen2) per manifest function, all built from the same source bundle, each with its
# own entry point and runtime account. Only a function the manifest marks `public` accepts traffic from
# outside Google's network; the rest take only Pub/Sub pushes and Cloud Scheduler calls, and only from
# the invoker accounts.

locals {
  bundle_sha256 = filesha256(var.bundle_path)
  invokers = merge(
    {
      for name, spec in var.functions : "${name}/push" => {
        function = name, member = "serviceAccount:${var.push_invoker_email}"
      } if spec.trigger_type == "topic"
    },
    {
      for name, spec in var.functions : "${name}/schedule" => {
        function = name, member = "serviceAccount:${var.scheduler_invoker_email}"
      } if spec.schedule_cron != null
    },
    { for name, spec in var.functions : "${name}/public" => { function = name, member = "allUsers" } if spec.public },
  )
}

resource "google_storage_bucket" "source" {
  project                     = var.project_id
  name                        = "${var.project_id}-kiroku-functions"
  location                    = var.region
  labels                      = var.labels
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }

  # Bundles are named by their hash and never rewritten; old ones are only kept for a rollback.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket_iam_member" "builder_reads_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = var.builder_member
}

# The bundle's hash is in the object's name: a new bundle is a new object, which redeploys every function.
resource "google_storage_bucket_object" "bundle" {
  bucket = google_storage_bucket.source.name
  name   = "kiroku-functions-${local.bundle_sha256}.zip"
  source = var.bundle_path
}

resource "google_cloudfunctions2_function" "function" {
  for_each    = var.functions
  project     = var.project_id
  location    = var.region
  name        = each.key
  description = each.value.description
  labels      = var.labels

  build_config {
    runtime         = var.runtime
    entry_point     = each.value.entry_point
    service_account = var.builder_id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.bundle.name
      }
    }
  }

  service_config {
    available_memory                 = "${each.value.memory_mb}Mi"
    timeout_seconds                  = each.value.timeout_seconds
    max_instance_count               = each.value.max_instances
    max_instance_request_concurrency = each.value.concurrency
    available_cpu                    = each.value.cpu == null ? null : tostring(each.value.cpu)
    min_instance_count               = each.value.public ? var.public_min_instances : 0
    ingress_settings                 = each.value.public ? "ALLOW_ALL" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    service_account_email            = var.service_accounts[each.key]
    vpc_connector                    = var.vpc_connector
    vpc_connector_egress_settings    = var.vpc_connector == null ? null : "PRIVATE_RANGES_ONLY"
    # KIROKU_VERSION: what /health names as the running code, the bundle it was built from.
    environment_variables = merge(var.environment, each.value.environment, {
      KIROKU_VERSION = substr(local.bundle_sha256, 0, 12)
    })

    dynamic "secret_environment_variables" {
      for_each = lookup(var.secret_environment, each.key, {})
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  depends_on = [google_storage_bucket_iam_member.builder_reads_source]
}

# A gen2 function is a Cloud Run service of the same name: invoking it is run.invoker on that service.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = local.invokers
  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.function[each.value.function].name
  role     = "roles/run.invoker"
  member   = each.value.member
}

output "urls" {
  description = "Each function's HTTPS endpoint (its Cloud Run URI), keyed by function name."
  value       = { for name, function in google_cloudfunctions2_function.function : name => function.service_config[0].uri }
}
