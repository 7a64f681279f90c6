# The composite indexes the Firestore backend declares in Firebase's firestore.indexes.json, keyed for
# for_each. The file may not exist yet, which means no composite index. No provider and no resource:
# the deploy tests evaluate this module offline with `terraform console`.

variable "path" {
  description = "firestore.indexes.json ({\"indexes\": [{collectionGroup, queryScope, fields}]})."
  type        = string
}

locals {
  declared = fileexists(var.path) ? try(jsondecode(file(var.path)).indexes, []) : []
  indexes = {
    for index in local.declared :
    join("|", concat(
      [index.collectionGroup, try(index.queryScope, "COLLECTION")],
      [for field in index.fields : "${field.fieldPath}:${try(field.order, field.arrayConfig)}"],
    )) => index
  }
}

output "indexes" {
  description = "Each declared composite index, keyed by collection group, scope and fields."
  value       = local.indexes
}
