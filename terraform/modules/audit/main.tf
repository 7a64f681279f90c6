# The audit record: every message of the manifest's `audited` topics, kept as it was published in one
# BigQuery table that a BigQuery subscription per topic writes, with no function run per message. Its rows
# are Pub/Sub's own (subscription name, message id, publish time, attributes, and the data: the envelope's
# JSON), so "what happened to order X" is one query on the correlation id (README, "The audit record").
# The local runner keeps the same rows in a file (emulators/audit.py).

variable "project_id" {
  description = "The Google Cloud project."
  type        = string
}

variable "project_number" {
  description = "The project's number, which names the Pub/Sub service agent that writes the table."
  type        = string
}

variable "location" {
  description = "Where the dataset lives: the region the functions run in."
  type        = string
}

variable "topics" {
  description = "The audited topics (the manifest's `audited`), each name to its topic id."
  type        = map(string)
}

variable "retention_days" {
  description = "How many days a message stays in the record: each day's partition is dropped after it."
  type        = number
}

variable "deletion_protection" {
  description = "Whether `terraform destroy` must refuse to drop the table and its rows."
  type        = bool
}

variable "labels" {
  description = "Labels for the dataset and table."
  type        = map(string)
}

locals {
  pubsub_agent = "serviceAccount:service-${var.project_number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  # The columns a BigQuery subscription with write_metadata fills when it uses no topic schema.
  columns = [
    { name = "subscription_name", type = "STRING", mode = "NULLABLE", description = "The audit subscription, <topic>-audit: which topic." },
    { name = "message_id", type = "STRING", mode = "NULLABLE", description = "Pub/Sub's id of the message; a redelivery writes it again." },
    { name = "publish_time", type = "TIMESTAMP", mode = "NULLABLE", description = "When Pub/Sub accepted the message." },
    { name = "data", type = "STRING", mode = "NULLABLE", description = "The message as published: an envelope's JSON (shared/messages/envelope.py)." },
    { name = "attributes", type = "JSON", mode = "NULLABLE", description = "The message's attributes: type, kind, aggregate type and id." },
  ]
}

resource "google_bigquery_dataset" "audit" {
  project     = var.project_id
  dataset_id  = "kiroku_audit"
  location    = var.location
  description = "Every command and event Kiroku's bus carried, as published."
  labels      = var.labels
  # Without protection a destroy takes the rows with it; with it, the table refuses first.
  delete_contents_on_destroy = !var.deletion_protection
}

resource "google_bigquery_table" "messages" {
  project             = var.project_id
  dataset_id          = google_bigquery_dataset.audit.dataset_id
  table_id            = "bus_messages"
  description         = "One row per message delivered to an audit subscription (at least once: deduplicate by message_id)."
  deletion_protection = var.deletion_protection
  labels              = var.labels
  schema              = jsonencode(local.columns)
  clustering          = ["subscription_name"]

  time_partitioning {
    type          = "DAY"
    field         = "publish_time"
    expiration_ms = var.retention_days * 24 * 3600 * 1000
  }
}

# A BigQuery subscription writes as the Pub/Sub service agent.
resource "google_bigquery_table_iam_member" "agent_writes" {
  project    = var.project_id
  dataset_id = google_bigquery_dataset.audit.dataset_id
  table_id   = google_bigquery_table.messages.table_id
  role       = "roles/bigquery.dataEditor"
  member     = local.pubsub_agent
}

resource "google_pubsub_subscription" "audit" {
  for_each = var.topics
  project  = var.project_id
  name     = "${each.key}-audit"
  topic    = each.value
  # A row written is acknowledged; one BigQuery cannot take waits in the backlog for this long.
  message_retention_duration = "604800s"

  bigquery_config {
    table          = "${var.project_id}.${google_bigquery_dataset.audit.dataset_id}.${google_bigquery_table.messages.table_id}"
    write_metadata = true
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_bigquery_table_iam_member.agent_writes]
}

output "table" {
  description = "The audit table, as a query names it."
  value       = "${var.project_id}.${google_bigquery_dataset.audit.dataset_id}.${google_bigquery_table.messages.table_id}"
}
