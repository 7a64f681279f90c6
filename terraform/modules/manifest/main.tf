# The manifest, read the way shared/bus/manifest.py reads it: every function is the shallow merge of
# `defaults` under its own fields, and a field neither sets takes the pydantic model's default.
# No provider and no resource: the deploy tests evaluate this module offline with `terraform console`
# and compare it, function by function, with the pydantic model.

variable "manifest_path" {
  description = "Path of manifest.yaml, the one list of every function."
  type        = string
}

locals {
  manifest = yamldecode(file(var.manifest_path))

  # The pydantic field defaults of FunctionSpec, RetryPolicy and DeadLetterPolicy, for what the
  # manifest leaves unset.
  model_defaults = {
    description          = ""
    ordering             = false
    retry                = {}
    dead_letter          = {}
    ack_deadline_seconds = 60
    timeout_seconds      = 60
    memory_mb            = 256
    max_instances        = 10
    concurrency          = 1
    cpu                  = null
    schedule             = null
    environment          = {}
    publishes            = []
    database             = "write"
  }

  merged = {
    for spec in local.manifest.functions :
    spec.name => merge(local.model_defaults, try(local.manifest.defaults, {}), spec)
  }

  functions = {
    for name, spec in local.merged : name => {
      name                     = name
      entry_point              = spec.entry_point
      description              = spec.description
      trigger_type             = spec.trigger.type
      public                   = try(spec.trigger.public, false)
      topic                    = try(spec.trigger.topic, null)
      filter                   = try(spec.trigger.filter, null)
      ordering                 = spec.ordering
      minimum_backoff_seconds  = try(spec.retry.minimum_backoff_seconds, 10)
      maximum_backoff_seconds  = try(spec.retry.maximum_backoff_seconds, 600)
      max_delivery_attempts    = try(spec.dead_letter.max_delivery_attempts, 5)
      ack_deadline_seconds     = spec.ack_deadline_seconds
      timeout_seconds          = spec.timeout_seconds
      memory_mb                = spec.memory_mb
      max_instances            = spec.max_instances
      concurrency              = spec.concurrency
      cpu                      = spec.cpu
      schedule_cron            = try(spec.schedule.cron, null)
      environment              = tomap(spec.environment)
      publishes                = tolist(spec.publishes)
      database                 = spec.database
      subscription             = "${name}-push"
      dead_letter_topic        = "${name}-dead-letter"
      dead_letter_subscription = "${name}-dead-letter-kept"
      # Service account ids are 6-30 characters and a function name may be 42: a long name is cut
      # and keeps a hash of the whole name, so two long names sharing a prefix stay apart.
      account_id = (length(name) <= 26
        ? "kfn-${name}"
        : "kfn-${substr(name, 0, 19)}-${substr(sha1(name), 0, 6)}"
      )
    }
  }
  topic_functions     = { for name, spec in local.functions : name => spec if spec.trigger_type == "topic" }
  scheduled_functions = { for name, spec in local.functions : name => spec if spec.schedule_cron != null }
}

output "topics" {
  description = "The manifest's topics, which functions publish to and subscribe on."
  value       = toset(local.manifest.topics)
}

output "audited" {
  description = "The topics whose every message the audit record keeps."
  value       = toset(try(local.manifest.audited, []))
}

output "functions" {
  description = "Every manifest function with its defaults applied, keyed by name."
  value       = local.functions
}

output "topic_functions" {
  description = "The functions a push subscription delivers to."
  value       = local.topic_functions
}

output "scheduled_functions" {
  description = "The HTTP functions Cloud Scheduler calls on their cron."
  value       = local.scheduled_functions
}
