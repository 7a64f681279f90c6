variable "project_id" {
  description = "The Google Cloud project of this environment: one project per environment."
  type        = string
}

variable "region" {
  description = "Region of the functions, the database and the scheduler jobs."
  type        = string
}

variable "storage" {
  description = "Backend of the event store and read models: postgres (Cloud SQL) or firestore."
  type        = string
}

variable "bundle_path" {
  description = "The source zip built by `make package`, relative to this directory."
  type        = string
  default     = "../../../dist/kiroku-functions.zip"
}

variable "admin_email" {
  description = "The email whose Firebase account is the first admin (ADMIN_EMAIL); empty for none."
  type        = string
  default     = ""
}

variable "settings" {
  description = "Further application settings, as environment variables of every function."
  type        = map(string)
  default     = {}
}
