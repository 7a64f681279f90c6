# Kiroku's metrics in Cloud Monitoring: a log-based metric for each metric of log_metrics.json, which
# `python -m shared.observability.log_metrics` writes from the code's own list (a test keeps it current).
# Each counts the structured log lines of one measurement (`jsonPayload.measurement`), or is the
# distribution of one of their fields; the lines' fields are its labels. Why log-based metrics and not an
# exporter in each function: shared/observability/log_metrics.py.
locals {
  log_metrics = { for metric in jsondecode(file("${path.module}/log_metrics.json")) : metric.name => metric }
}

resource "google_logging_metric" "kiroku" {
  for_each = local.log_metrics

  project     = var.project_id
  name        = each.key
  description = each.value.description
  filter      = "resource.type=\"cloud_run_revision\" AND jsonPayload.measurement=\"${each.value.measurement}\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = each.value.value == null ? "INT64" : "DISTRIBUTION"
    unit         = each.value.unit
    display_name = each.key

    dynamic "labels" {
      for_each = toset(each.value.labels)
      content {
        key        = labels.value
        value_type = "STRING"
      }
    }
  }

  label_extractors = { for label in each.value.labels : label => "EXTRACT(jsonPayload.${label})" }
  value_extractor  = each.value.value == null ? null : "EXTRACT(jsonPayload.${each.value.value})"

  dynamic "bucket_options" {
    for_each = each.value.value == null ? [] : [each.value.buckets]
    content {
      explicit_buckets {
        bounds = bucket_options.value
      }
    }
  }

  depends_on = [google_project_service.api]
}

# One dashboard for the service: requests, errors and latencies of every function (Cloud Run's own
# metrics), orders and their outcomes, command latency, projection lag, gateways, dead letters and the
# outbox (dashboard.json; a test checks that each metric it charts is one Cloud Run, Pub/Sub or the code
# emits).
resource "google_monitoring_dashboard" "kiroku" {
  project        = var.project_id
  dashboard_json = file("${path.module}/dashboard.json")

  depends_on = [google_logging_metric.kiroku, google_project_service.api]
}
