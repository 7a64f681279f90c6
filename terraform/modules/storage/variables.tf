variable "project_id" {
  description = "The Google Cloud project."
  type        = string
}

variable "region" {
  description = "Region of the database and its network."
  type        = string
}

variable "storage" {
  description = "The backend of the event store and read models: postgres (Cloud SQL) or firestore."
  type        = string

  validation {
    condition     = contains(["postgres", "firestore"], var.storage)
    error_message = "storage is postgres or firestore."
  }
}

variable "deletion_protection" {
  description = "Refuse to delete the database (prod) or let `terraform destroy` remove it (dev)."
  type        = bool
}

variable "labels" {
  description = "Labels on every resource that takes them."
  type        = map(string)
}

variable "secret_readers" {
  description = "Each function's account and its manifest `database` level (write, read or none), keyed by function name: the URL of that level's role is the one secret it may read."
  type = map(object({
    email    = string
    database = string
  }))
}

variable "migrate_image" {
  description = "The image of the migration job (storage = postgres): deploy/migrate.Dockerfile on the source bundle."
  type        = string
}

variable "migrate_job_name" {
  description = "The migration job's name, which cloudbuild.deploy.yaml executes."
  type        = string
  default     = "kiroku-migrate"
}

variable "postgres_tier" {
  description = "Cloud SQL machine tier."
  type        = string
}

variable "postgres_availability" {
  description = "Cloud SQL availability: ZONAL or REGIONAL (a standby in another zone)."
  type        = string
}

variable "postgres_version" {
  description = "Cloud SQL PostgreSQL major version."
  type        = string
  default     = "POSTGRES_18"
}

variable "network_cidr" {
  description = "The /28 the functions' Serverless VPC Access connector uses to reach Cloud SQL."
  type        = string
  default     = "10.8.0.0/28"
}

variable "firestore_location" {
  description = "Firestore location: a region, or a multi-region such as nam5 or eur3."
  type        = string
}

variable "firestore_indexes_path" {
  description = "The composite indexes the Firestore backend declares (Firebase's firestore.indexes.json)."
  type        = string
}
