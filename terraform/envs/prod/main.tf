# prod: protected and warm. The database refuses deletion and (Cloud SQL) keeps a standby in a second
# zone, the public GraphQL function keeps one instance warm, and functions log at INFO.
# State lives in a GCS bucket (README, "Deploying to Google Cloud").

terraform {
  # Partial configuration: the bucket is given at init,
  # terraform init -backend-config="bucket=<state bucket>"
  backend "gcs" {
    prefix = "kiroku/prod"
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

module "kiroku" {
  source                 = "../../modules/kiroku"
  project_id             = var.project_id
  region                 = var.region
  environment            = "prod"
  storage                = var.storage
  manifest_path          = "${path.root}/../../../manifest.yaml"
  firestore_indexes_path = "${path.root}/../../../firestore.indexes.json"
  bundle_path            = var.bundle_path
  app_environment = merge(var.settings, {
    ADMIN_EMAIL         = var.admin_email
    KIROKU_CORS_ORIGINS = join(",", var.cors_origins)
  })
  payment_gateway_url   = var.payment_gateway_url
  shipping_gateway_url  = var.shipping_gateway_url
  log_level             = "INFO"
  deletion_protection   = true
  public_min_instances  = 1
  postgres_tier         = "db-custom-2-7680"
  postgres_availability = "REGIONAL"
  firestore_location    = var.region
}
