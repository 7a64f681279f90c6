# The bus: the manifest's topics, and for every topic-triggered function a push subscription carrying
# its filter, ordering, ack deadline, retry and dead-letter policy, its own dead-letter topic, and a
# pull subscription that keeps what lands there until an operator replays or drops it. Names follow
# shared/bus/manifest.py, so the local runner and the cloud agree.

variable "project_id" {
  description = "The Google Cloud project."
  type        = string
}

variable "project_number" {
  description = "The project's number, which names the Pub/Sub service agent."
  type        = string
}

variable "topics" {
  description = "The manifest's topics."
  type        = set(string)
}

variable "functions" {
  description = "The topic-triggered manifest functions (module manifest's topic_functions)."
  type = map(object({
    topic                    = string
    filter                   = string
    ordering                 = bool
    ack_deadline_seconds     = number
    minimum_backoff_seconds  = number
    maximum_backoff_seconds  = number
    max_delivery_attempts    = number
    subscription             = string
    dead_letter_topic        = string
    dead_letter_subscription = string
  }))
}

variable "function_urls" {
  description = "Each function's HTTPS endpoint, keyed by function name: push endpoint and OIDC audience."
  type        = map(string)
}

variable "push_invoker_email" {
  description = "The account whose OIDC token the push subscriptions send."
  type        = string
}

variable "publishers" {
  description = "Every manifest function's account and the topics it publishes to (its manifest `publishes`), keyed by function name."
  type = map(object({
    email  = string
    topics = list(string)
  }))

  validation {
    condition     = alltrue([for publisher in values(var.publishers) : length(setsubtract(publisher.topics, var.topics)) == 0])
    error_message = "A function publishes to a topic the manifest does not list."
  }
}

variable "dead_letter_reader_email" {
  description = "The account that may peek at kept dead letters: the GraphQL function's, for admins' deadLetters query."
  type        = string
}

variable "dead_letter_retention" {
  description = "How long a kept dead letter waits for an operator (Pub/Sub allows at most 7 days)."
  type        = string
  default     = "604800s"
}

locals {
  pubsub_agent = "serviceAccount:service-${var.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  # One binding per (function, topic it publishes to): nothing else may publish there.
  publishers = merge([
    for name, publisher in var.publishers : {
      for topic in publisher.topics : "${name}/${topic}" => { function = name, topic = topic, email = publisher.email }
    }
  ]...)
}

resource "google_pubsub_topic" "topic" {
  for_each = var.topics
  project  = var.project_id
  name     = each.key
}

# A function may publish to the topics its manifest entry lists (`publishes`) and to no other, and never
# read a topic or manage the bus: who can put a message on a topic is the manifest's answer.
resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = local.publishers
  project  = var.project_id
  topic    = google_pubsub_topic.topic[each.value.topic].name
  role     = "roles/pubsub.publisher"
  member   = "serviceAccount:${each.value.email}"
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = var.functions
  project  = var.project_id
  name     = each.value.dead_letter_topic
}

resource "google_pubsub_subscription" "kept" {
  for_each                   = var.functions
  project                    = var.project_id
  name                       = each.value.dead_letter_subscription
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = 600
  message_retention_duration = var.dead_letter_retention

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "push" {
  for_each                = var.functions
  project                 = var.project_id
  name                    = each.value.subscription
  topic                   = google_pubsub_topic.topic[each.value.topic].id
  filter                  = each.value.filter
  enable_message_ordering = each.value.ordering
  ack_deadline_seconds    = each.value.ack_deadline_seconds

  retry_policy {
    minimum_backoff = "${each.value.minimum_backoff_seconds}s"
    maximum_backoff = "${each.value.maximum_backoff_seconds}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.key].id
    max_delivery_attempts = each.value.max_delivery_attempts
  }

  push_config {
    push_endpoint = var.function_urls[each.key]

    oidc_token {
      service_account_email = var.push_invoker_email
      audience              = var.function_urls[each.key]
    }
  }

  # A subscription that goes quiet for a while must not be deleted with its backlog.
  expiration_policy {
    ttl = ""
  }
}

# Dead-lettering is done by the Pub/Sub service agent: it publishes the message to the dead-letter
# topic and acknowledges it on the source subscription. Without both grants messages retry forever.
resource "google_pubsub_topic_iam_member" "agent_dead_letters" {
  for_each = var.functions
  project  = var.project_id
  topic    = google_pubsub_topic.dead_letter[each.key].name
  role     = "roles/pubsub.publisher"
  member   = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "agent_acks_source" {
  for_each     = var.functions
  project      = var.project_id
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "reader_peeks_dead_letters" {
  for_each     = var.functions
  project      = var.project_id
  subscription = google_pubsub_subscription.kept[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${var.dead_letter_reader_email}"
}

output "dead_letter_subscriptions" {
  description = "Where each function's dead letters are kept, keyed by function name."
  value       = { for name, subscription in google_pubsub_subscription.kept : name => subscription.id }
}

output "topics" {
  description = "Each manifest topic's id, keyed by name."
  value       = { for name, topic in google_pubsub_topic.topic : name => topic.id }
}
