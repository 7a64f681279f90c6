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

variable "cors_origins" {
  description = "The origins allowed to call the GraphQL API from a browser (the Vercel deployments of the web app), given to every function as KIROKU_CORS_ORIGINS; empty: none."
  type        = list(string)
  default     = []
}

variable "settings" {
  description = "Further application settings, as environment variables of every function."
  type        = map(string)
  default     = {}
}

variable "payment_gateway_url" {
  description = "Base URL of the payment gateway (https), given to every function as KIROKU_PAYMENT_GATEWAY_URL; empty: unset, and taking a payment fails saying so."
  type        = string
  default     = ""
}

variable "shipping_gateway_url" {
  description = "Base URL of the shipping gateway (https), given to every function as KIROKU_SHIPPING_GATEWAY_URL; empty: unset, and shipping fails saying so."
  type        = string
  default     = ""
}
