# dev: small and disposable. The database may be destroyed with the environment, nothing is kept warm,
# and functions log at DEBUG. State lives in a GCS bucket (README, "Deploying to Google Cloud").

terraform {
  # Partial configuration: the bucket is given at init,
  # terraform init -backend-config="bucket=<state bucket>"
  backend "gcs" {
    prefix = "kiroku/dev"
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
  environment            = "dev"
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
  log_level             = "DEBUG"
  deletion_protection   = false
  public_min_instances  = 0
  postgres_tier         = "db-g1-small"
  postgres_availability = "ZONAL"
  firestore_location    = var.region
}
