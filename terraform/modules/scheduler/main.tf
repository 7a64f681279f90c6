# A Cloud Scheduler job for every manifest function with a `schedule` (the outbox relay, the saga
# deadline sweep and whatever comes next): a POST to the function with an OIDC token, on its cron.

variable "project_id" {
  description = "The Google Cloud project."
  type        = string
}

variable "region" {
  description = "Region of the jobs."
  type        = string
}

variable "functions" {
  description = "The scheduled manifest functions (module manifest's scheduled_functions)."
  type = map(object({
    schedule_cron   = string
    timeout_seconds = number
  }))
}

variable "function_urls" {
  description = "Each function's HTTPS endpoint, keyed by function name."
  type        = map(string)
}

variable "invoker_email" {
  description = "The account whose OIDC token each job sends."
  type        = string
}

resource "google_cloud_scheduler_job" "job" {
  for_each    = var.functions
  project     = var.project_id
  region      = var.region
  name        = each.key
  description = "Calls ${each.key} on its manifest schedule."
  schedule    = each.value.schedule_cron
  time_zone   = "Etc/UTC"
  # Cloud Scheduler allows 15 s to 30 min per attempt; give the function its whole timeout.
  attempt_deadline = "${max(15, min(each.value.timeout_seconds, 1800))}s"

  # The next tick is the retry: a sweep that failed runs again on its cron.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = var.function_urls[each.key]
    body        = base64encode("{}")
    headers     = { "Content-Type" = "application/json" }

    oidc_token {
      service_account_email = var.invoker_email
      audience              = var.function_urls[each.key]
    }
  }
}
