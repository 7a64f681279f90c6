# Alerts on what Kiroku's functions log. A saga step that cannot give up (a refund, a release, the
# cancellation or the completion) and misses its deadline is sent again, for as long as it takes: the
# saga-deadlines function then logs `saga step overdue` at ERROR (shared/application/fulfilment.py). One such
# line means a partner or a function has kept failing for a whole deadline: someone should look.
resource "google_monitoring_alert_policy" "saga_step_overdue" {
  project      = var.project_id
  display_name = "Kiroku: a saga step is overdue and being re-sent"
  combiner     = "OR"
  severity     = "ERROR"

  conditions {
    display_name = "saga step overdue"
    condition_matched_log {
      filter = "resource.type=\"cloud_run_revision\" AND severity>=ERROR AND jsonPayload.message=~\"^saga step overdue: \""
    }
  }

  # A log-match alert notifies at most once per period, however many lines match.
  alert_strategy {
    notification_rate_limit {
      period = "3600s"
    }
    auto_close = "86400s"
  }

  notification_channels = var.alert_notification_channels

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      A fulfilment saga step that is never given up (REFUNDING, RELEASING, CANCELLING, AWAITING_SHIPMENT,
      COMPLETING) missed its deadline and its commands were sent again. Usually a gateway has been away
      longer than the step's deadline: the order's `waiting` field (GraphQL, as an admin) names the
      partner, the attempts and the gateway's own words. Otherwise look at the step's command function's
      errors and dead-letter subscription.
    EOT
  }

  depends_on = [google_project_service.api]
}

# Alerts on Kiroku's metrics (observability.tf) and on Cloud Run's and Pub/Sub's own. Each threshold is a
# variable; each alert's documentation says where to look first.
locals {
  user_metric = "metric.type=\"logging.googleapis.com/user"
  alerts = {
    dead_letters = {
      name        = "Kiroku: messages are waiting in a dead-letter subscription"
      filter      = "metric.type=\"pubsub.googleapis.com/subscription/num_undelivered_messages\" resource.type=\"pubsub_subscription\" resource.label.subscription_id=monitoring.regex.full_match(\".*-dead-letter-kept\")"
      aligner     = "ALIGN_MAX"
      reducer     = "REDUCE_SUM"
      threshold   = 0
      duration    = "300s"
      period      = "300s"
      denominator = ""
      severity    = "WARNING"
      doc         = "A function gave up on a message after its delivery attempts. `kiroku dead-letters list FUNCTION` (or the console's Dead letters page) shows each letter and the function's last error about it; fix the cause, then replay."
    }
    command_latency = {
      name        = "Kiroku: commands are slow (p95)"
      filter      = "${local.user_metric}/kiroku_command_seconds\" resource.type=\"cloud_run_revision\""
      aligner     = "ALIGN_DELTA"
      reducer     = "REDUCE_PERCENTILE_95"
      threshold   = var.alert_command_p95_seconds
      duration    = "600s"
      period      = "300s"
      denominator = ""
      severity    = "WARNING"
      doc         = "The 95th percentile of the time a command function takes to decide and store a command. Compare the event-store append latency on the dashboard: a slow store slows every command."
    }
    projection_lag = {
      name        = "Kiroku: read models lag behind the events (p95)"
      filter      = "${local.user_metric}/kiroku_projection_lag_seconds\" resource.type=\"cloud_run_revision\""
      aligner     = "ALIGN_DELTA"
      reducer     = "REDUCE_PERCENTILE_95"
      threshold   = var.alert_projection_lag_p95_seconds
      duration    = "600s"
      period      = "300s"
      denominator = ""
      severity    = "WARNING"
      doc         = "Customers see stale orders and catalogue. Look for the projector functions' errors and dead letters, and at `kiroku status` for each read model's lag."
    }
    outbox_age = {
      name        = "Kiroku: committed events wait in the outbox"
      filter      = "${local.user_metric}/kiroku_outbox_age_seconds\" resource.type=\"cloud_run_revision\""
      aligner     = "ALIGN_DELTA"
      reducer     = "REDUCE_PERCENTILE_99"
      threshold   = var.alert_outbox_age_seconds
      duration    = "0s"
      period      = "300s"
      denominator = ""
      severity    = "WARNING"
      doc         = "The outbox relay found events that were committed but not published for this long: functions die between their commit and their publish, or Pub/Sub refuses them. Look at the outbox-relay function's logs."
    }
    function_errors = {
      name        = "Kiroku: functions answer with server errors"
      filter      = "metric.type=\"run.googleapis.com/request_count\" resource.type=\"cloud_run_revision\" metric.label.response_code_class=\"5xx\""
      aligner     = "ALIGN_RATE"
      reducer     = "REDUCE_SUM"
      threshold   = var.alert_function_errors_per_second
      duration    = "600s"
      period      = "300s"
      denominator = ""
      severity    = "WARNING"
      doc         = "A push delivery answered 5xx is delivered again, so a handler that keeps failing shows here before it reaches a dead letter. Group the chart by service to find the function, then read its error logs."
    }
    saga_failures = {
      name      = "Kiroku: too many orders fail"
      filter    = "${local.user_metric}/kiroku_saga_outcomes\" resource.type=\"cloud_run_revision\" metric.label.reason=one_of(\"PAYMENT_FAILED\", \"SHIPPING_FAILED\", \"DEADLINE_EXCEEDED\")"
      aligner   = "ALIGN_SUM"
      reducer   = "REDUCE_SUM"
      threshold = var.alert_saga_failure_ratio
      duration  = "0s"
      period    = "1800s"
      # A share of all the sagas ended, so a quiet hour with one failure does not page while a busy one
      # with many does.
      denominator = "${local.user_metric}/kiroku_saga_outcomes\" resource.type=\"cloud_run_revision\""
      severity    = "ERROR"
      doc         = "More than the threshold's share of the orders that ended in the last half hour were cancelled as PAYMENT_FAILED, SHIPPING_FAILED or DEADLINE_EXCEEDED (the system failed them, not the customer's card or choice, nor stock). The dashboard's orders chart shows which; `kiroku sagas --status CANCELLED` lists them, and an order's `waiting` field names the partner it waited for."
    }
  }
}

resource "google_monitoring_alert_policy" "metric" {
  for_each = local.alerts

  project      = var.project_id
  display_name = each.value.name
  combiner     = "OR"
  severity     = each.value.severity

  conditions {
    display_name = each.value.name
    condition_threshold {
      filter             = each.value.filter
      denominator_filter = each.value.denominator == "" ? null : each.value.denominator
      comparison         = "COMPARISON_GT"
      threshold_value    = each.value.threshold
      duration           = each.value.duration
      aggregations {
        alignment_period     = each.value.period
        per_series_aligner   = each.value.aligner
        cross_series_reducer = each.value.reducer
      }
      dynamic "denominator_aggregations" {
        for_each = each.value.denominator == "" ? [] : [each.value.period]
        content {
          alignment_period     = denominator_aggregations.value
          per_series_aligner   = each.value.aligner
          cross_series_reducer = each.value.reducer
        }
      }
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  notification_channels = var.alert_notification_channels

  documentation {
    mime_type = "text/markdown"
    content   = each.value.doc
  }

  depends_on = [google_logging_metric.kiroku, google_project_service.api]
}
