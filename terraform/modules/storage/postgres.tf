# Cloud SQL for PostgreSQL on a private IP only: the functions reach it through a Serverless VPC
# Access connector, with TLS required. Three roles, each with a password generated here and handed over
# as a URL through Secret Manager (they are also in the Terraform state, which is why the state bucket
# is private; README, "Deploying to Google Cloud"):
#   kiroku         the owner: only the migration job (migrations.tf) connects as it;
#   kiroku_writer  every `database: write` function: the rows of every table, no schema change;
#   kiroku_reader  every `database: read` function (GraphQL): SELECT on the read models, the events
#                  and the log's bookkeeping (appends, waiting, outbox).
# The owner is a Cloud SQL user; the job creates the other two, and grants them exactly that
# (shared/eventstore/deploy_schema.py), so they are not members of cloudsqlsuperuser.

locals {
  postgres       = var.storage == "postgres"
  postgres_count = local.postgres ? 1 : 0
  # The login roles the migration job creates, by the manifest's `database` level.
  database_roles = { write = "kiroku_writer", read = "kiroku_reader" }
  # Which URL each job setting and each level's functions get; `none` gets none.
  database_url_secrets = local.postgres ? {
    owner = "kiroku-database-owner-url"
    write = "kiroku-database-url"
    read  = "kiroku-database-reader-url"
  } : {}
}

resource "google_compute_network" "private" {
  count                   = local.postgres_count
  project                 = var.project_id
  name                    = "kiroku"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "connector" {
  count                    = local.postgres_count
  project                  = var.project_id
  name                     = "kiroku-functions"
  region                   = var.region
  network                  = google_compute_network.private[0].id
  ip_cidr_range            = var.network_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_5_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Nothing enters this network from outside: it only carries the functions' traffic to Cloud SQL. The
# rules Google adds for the connector itself take precedence over this lowest-priority deny.
resource "google_compute_firewall" "deny_ingress" {
  count     = local.postgres_count
  project   = var.project_id
  name      = "kiroku-deny-ingress"
  network   = google_compute_network.private[0].id
  direction = "INGRESS"
  priority  = 65534

  deny {
    protocol = "all"
  }

  source_ranges = ["0.0.0.0/0"]

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}

resource "google_vpc_access_connector" "functions" {
  count         = local.postgres_count
  project       = var.project_id
  name          = "kiroku-functions"
  region        = var.region
  machine_type  = "e2-micro"
  min_instances = 2
  max_instances = 3

  subnet {
    name = google_compute_subnetwork.connector[0].name
  }
}

resource "google_compute_global_address" "private_services" {
  count         = local.postgres_count
  project       = var.project_id
  name          = "kiroku-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 16
  network       = google_compute_network.private[0].id
}

resource "google_service_networking_connection" "private_services" {
  count                   = local.postgres_count
  network                 = google_compute_network.private[0].id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services[0].name]
}

resource "google_sql_database_instance" "postgres" {
  count               = local.postgres_count
  project             = var.project_id
  name                = "kiroku"
  region              = var.region
  database_version    = var.postgres_version
  deletion_protection = var.deletion_protection

  settings {
    tier                        = var.postgres_tier
    edition                     = "ENTERPRISE"
    availability_type           = var.postgres_availability
    deletion_protection_enabled = var.deletion_protection
    disk_autoresize             = true
    user_labels                 = var.labels

    ip_configuration {
      ipv4_enabled    = false
      private_network = google_compute_network.private[0].id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }

    # What an audit needs in the server log: sessions, DDL, lock waits, errors, temp files.
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }

    database_flags {
      name  = "log_connections"
      value = "on"
    }

    database_flags {
      name  = "log_disconnections"
      value = "on"
    }

    database_flags {
      name  = "log_duration"
      value = "on"
    }

    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }

    database_flags {
      name  = "log_hostname"
      value = "on"
    }

    database_flags {
      name  = "log_statement"
      value = "ddl"
    }

    database_flags {
      name  = "log_min_messages"
      value = "error"
    }

    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }

    database_flags {
      name  = "log_temp_files"
      value = "0"
    }

    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }

    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }

    # The event store's queue tables (appends waiting for positions, the outbox) churn a row per append:
    # autovacuum must come by every 10 s, not every minute, or a busy minute leaves kiroku_waiting hundreds
    # of empty pages long for every positioning pass to scan. The embedded server sets the same
    # (SERVER_SETTINGS in shared/eventstore/postgres.py).
    database_flags {
      name  = "autovacuum_naptime"
      value = "10"
    }
  }

  depends_on = [google_service_networking_connection.private_services]
}

resource "google_sql_database" "kiroku" {
  count    = local.postgres_count
  project  = var.project_id
  name     = "kiroku"
  instance = google_sql_database_instance.postgres[0].name
}

resource "random_password" "database" {
  # The owner, the writer and the reader.
  for_each = local.postgres ? toset(["owner", "write", "read"]) : toset([])
  # Letters and digits only, so the password needs no escaping inside the URL.
  length  = 40
  special = false
}

resource "google_sql_user" "kiroku" {
  count    = local.postgres_count
  project  = var.project_id
  name     = "kiroku"
  instance = google_sql_database_instance.postgres[0].name
  password = random_password.database["owner"].result
}

resource "google_secret_manager_secret" "database_url" {
  for_each  = local.database_url_secrets
  project   = var.project_id
  secret_id = each.value
  labels    = var.labels

  replication {
    auto {}
  }
}

resource "google_secret_manager_secret_version" "database_url" {
  for_each = local.database_url_secrets
  secret   = google_secret_manager_secret.database_url[each.key].id
  secret_data = format(
    "postgresql://%s:%s@%s:5432/%s?sslmode=require",
    each.key == "owner" ? google_sql_user.kiroku[0].name : local.database_roles[each.key],
    random_password.database[each.key].result,
    google_sql_database_instance.postgres[0].private_ip_address,
    google_sql_database.kiroku[0].name,
  )
}

# Each function reads the URL of its manifest `database` level, and no other.
resource "google_secret_manager_secret_iam_member" "reader" {
  for_each  = { for name, reader in var.secret_readers : name => reader if contains(keys(local.database_roles), reader.database) && local.postgres }
  project   = var.project_id
  secret_id = google_secret_manager_secret.database_url[each.value.database].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${each.value.email}"
}

# State written while the owner's was the one password keeps that password as the owner's: the moved
# block lets such a state apply without replacing it.
moved {
  from = random_password.database[0]
  to   = random_password.database["owner"]
}

moved {
  from = google_secret_manager_secret.database_url[0]
  to   = google_secret_manager_secret.database_url["write"]
}

moved {
  from = google_secret_manager_secret_version.database_url[0]
  to   = google_secret_manager_secret_version.database_url["write"]
}
