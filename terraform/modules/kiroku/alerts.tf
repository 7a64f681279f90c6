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
