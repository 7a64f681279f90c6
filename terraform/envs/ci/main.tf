# ci: the Cloud Build accounts and triggers of one environment's project (terraform/modules/ci). A project
# owner applies it by hand, once per project and whenever it changes; the deploy builds it sets up apply
# terraform/envs/dev or prod, never this root. State lives in the environment's state bucket, under its
# own prefix (README, "Deploying to Google Cloud").

terraform {
  # Partial configuration: the bucket is given at init,
  # terraform init -backend-config="bucket=<state bucket>"
  backend "gcs" {
    prefix = "kiroku/ci"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

module "ci" {
  source            = "../../modules/ci"
  project_id        = var.project_id
  region            = var.region
  environment       = var.environment
  github_owner      = var.github_owner
  github_repository = var.github_repository
  state_bucket      = var.state_bucket
  require_approval  = var.require_approval
  substitutions     = var.substitutions
}
