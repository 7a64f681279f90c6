variable "project_id" {
  description = "The Google Cloud project."
  type        = string
}

variable "region" {
  description = "Region of the functions and their source bucket."
  type        = string
}

variable "functions" {
  description = "Every manifest function with its defaults applied (module manifest's functions)."
  type = map(object({
    entry_point     = string
    description     = string
    public          = bool
    timeout_seconds = number
    memory_mb       = number
    max_instances   = number
    trigger_type    = string
    schedule_cron   = string
    environment     = map(string)
  }))
}

variable "bundle_path" {
  description = "The source zip built by `make package` (deploy/bundle.py)."
  type        = string
}

variable "runtime" {
  description = "The Cloud Functions Python runtime; the project targets Python 3.11."
  type        = string
  default     = "python311"
}

variable "service_accounts" {
  description = "Each function's runtime service account email, keyed by function name."
  type        = map(string)
}

variable "builder_id" {
  description = "The service account Cloud Build builds the function images as."
  type        = string
}

variable "builder_member" {
  description = "The same build account as an IAM member, to read the source bucket."
  type        = string
}

variable "push_invoker_email" {
  description = "The account push subscriptions invoke topic-triggered functions as."
  type        = string
}

variable "scheduler_invoker_email" {
  description = "The account Cloud Scheduler invokes scheduled functions as."
  type        = string
}

variable "environment" {
  description = "Environment variables of every function; a function's manifest `environment` wins."
  type        = map(string)
}

variable "secret_environment" {
  description = "Each function's environment variables read from Secret Manager (variable name => secret id), keyed by function name."
  type        = map(map(string))
}

variable "vpc_connector" {
  description = "A Serverless VPC Access connector for private traffic (Cloud SQL), or null."
  type        = string
}

variable "public_min_instances" {
  description = "Instances kept warm for public functions, so the GraphQL door answers without a cold start."
  type        = number
}

variable "labels" {
  description = "Labels on every resource that takes them."
  type        = map(string)
}
