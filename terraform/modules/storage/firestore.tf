# Firestore in native mode, the fully serverless backend, and the composite indexes its queries need,
# as the Firestore backend declares them in Firebase's firestore.indexes.json.

locals {
  firestore = var.storage == "firestore"
}

module "firestore_indexes" {
  source = "../firestore_indexes"
  path   = var.firestore_indexes_path
}

resource "google_firestore_database" "kiroku" {
  count                             = local.firestore ? 1 : 0
  project                           = var.project_id
  name                              = "(default)"
  location_id                       = var.firestore_location
  type                              = "FIRESTORE_NATIVE"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  delete_protection_state           = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  deletion_policy                   = var.deletion_protection ? "ABANDON" : "DELETE"
}

resource "google_firestore_index" "declared" {
  for_each    = { for key, index in module.firestore_indexes.indexes : key => index if local.firestore }
  project     = var.project_id
  database    = google_firestore_database.kiroku[0].name
  collection  = each.value.collectionGroup
  query_scope = try(each.value.queryScope, "COLLECTION")

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.fieldPath
      order        = try(fields.value.order, null)
      array_config = try(fields.value.arrayConfig, null)
    }
  }
}
