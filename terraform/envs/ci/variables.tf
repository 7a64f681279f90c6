variable "project_id" {
  description = "The Google Cloud project of the environment the triggers build and deploy."
  type        = string
}

variable "region" {
  description = "The environment's region."
  type        = string
}

variable "environment" {
  description = "dev or prod: which terraform/envs/ root the deploy trigger applies."
  type        = string
}

variable "github_owner" {
  description = "Owner of the GitHub repository (the Cloud Build GitHub App must be installed on it)."
  type        = string
}

variable "github_repository" {
  description = "Name of the GitHub repository."
  type        = string
}

variable "state_bucket" {
  description = "The bucket of the environment's Terraform state."
  type        = string
}

variable "require_approval" {
  description = "Whether each deploy build waits for an approver."
  type        = bool
  default     = false
}

variable "substitutions" {
  description = "The deploy build's settings: _STORAGE (postgres or firestore), _ADMIN_EMAIL, _PAYMENT_GATEWAY_URL, _SHIPPING_GATEWAY_URL (cloudbuild.deploy.yaml)."
  type        = map(string)
  default     = {}
}
