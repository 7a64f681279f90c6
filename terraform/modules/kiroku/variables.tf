variable "project_id" {
  description = "The Google Cloud project of this environment (one project per environment)."
  type        = string
}

variable "region" {
  description = "Region of the functions, the database and the scheduler jobs."
  type        = string
}

variable "environment" {
  description = "dev or prod: the functions read it as KIROKU_ENVIRONMENT."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment is dev or prod."
  }
}

variable "storage" {
  description = "The backend of the event store and read models: postgres (Cloud SQL) or firestore."
  type        = string
}

variable "manifest_path" {
  description = "manifest.yaml: the one list of every function."
  type        = string
}

variable "bundle_path" {
  description = "The source zip built by `make package`."
  type        = string
}

variable "firestore_indexes_path" {
  description = "The Firestore backend's composite indexes (firestore.indexes.json); may not exist."
  type        = string
}

variable "log_level" {
  description = "Log level of every function."
  type        = string
}

variable "app_environment" {
  description = "Application settings for every function, such as ADMIN_EMAIL (the first admin)."
  type        = map(string)
}

variable "payment_gateway_url" {
  description = "Base URL of the payment gateway, as KIROKU_PAYMENT_GATEWAY_URL; https only. Empty leaves it unset, and the functions that take payments then fail saying so."
  type        = string

  validation {
    condition     = var.payment_gateway_url == "" || can(regex("^https://[^\\s/]+(/\\S*)?$", var.payment_gateway_url))
    error_message = "payment_gateway_url is empty or an https:// URL: payment data never crosses plain HTTP."
  }
}

variable "shipping_gateway_url" {
  description = "Base URL of the shipping gateway, as KIROKU_SHIPPING_GATEWAY_URL; https only. Empty leaves it unset, and the functions that ship then fail saying so."
  type        = string

  validation {
    condition     = var.shipping_gateway_url == "" || can(regex("^https://[^\\s/]+(/\\S*)?$", var.shipping_gateway_url))
    error_message = "shipping_gateway_url is empty or an https:// URL."
  }
}

variable "deletion_protection" {
  description = "Protect the database from deletion."
  type        = bool
}

variable "public_min_instances" {
  description = "Instances of each public function kept warm."
  type        = number
}

variable "postgres_tier" {
  description = "Cloud SQL machine tier (storage = postgres)."
  type        = string
}

variable "postgres_availability" {
  description = "Cloud SQL availability, ZONAL or REGIONAL (storage = postgres)."
  type        = string
}

variable "firestore_location" {
  description = "Firestore location (storage = firestore)."
  type        = string
}

variable "image_repository" {
  description = "The Artifact Registry (Docker) repository, in var.region, that holds the migration job's image: the one module ci creates."
  type        = string
  default     = "kiroku"
}

variable "migrate_image" {
  description = "The migration job's image (storage = postgres); empty: <region>-docker.pkg.dev/<project>/<image_repository>/migrate:<SHA-256 of the bundle>, which cloudbuild.deploy.yaml pushes."
  type        = string
  default     = ""
}

variable "alert_notification_channels" {
  description = "Cloud Monitoring notification channel ids (projects/…/notificationChannels/…) that Kiroku's alerts notify; empty: the alerts open incidents in the console only."
  type        = list(string)
  default     = []
}

variable "alert_command_p95_seconds" {
  description = "Alert when the 95th percentile of command handling time stays above this for 10 minutes."
  type        = number
  default     = 2
}

variable "alert_projection_lag_p95_seconds" {
  description = "Alert when the 95th percentile of projection lag (event committed to read model) stays above this for 10 minutes."
  type        = number
  default     = 30
}

variable "alert_outbox_age_seconds" {
  description = "Alert when the outbox relay finds a committed event unpublished for longer than this."
  type        = number
  default     = 300
}

variable "alert_function_errors_per_second" {
  description = "Alert when the functions' 5xx answers, all together, stay above this rate for 10 minutes."
  type        = number
  default     = 0.1
}

variable "alert_saga_failure_ratio" {
  description = "Alert when more than this share of the sagas ended in half an hour failed (PAYMENT_FAILED, SHIPPING_FAILED, DEADLINE_EXCEEDED)."
  type        = number
  default     = 0.2
}

variable "audit_retention_days" {
  description = "How many days the audit record keeps each message the bus carried (terraform/modules/audit)."
  type        = number
  default     = 400
}
