output "instance_name" {
  description = "Cloud SQL instance name, for backups and restores."
  value       = google_sql_database_instance.postgres.name
}

output "private_ip" {
  description = "Private IP the server connects to."
  value       = google_sql_database_instance.postgres.private_ip_address
}

# TLS verified against the instance's own server CA (mounted from Secret Manager at
# var.server_ca_path). verify-ca with libpq semantics: the per-instance CA signs only
# this instance's certificate, whose name is "project:instance", not the private IP.
# (pg's plain sslmode=require means verify-full against the public CAs: it fails.)
output "database_url" {
  description = "Connection string for DATABASE_URL (stored in Secret Manager by the environment)."
  value       = "postgres://${google_sql_user.leasehold.name}:${random_password.user.result}@${google_sql_database_instance.postgres.private_ip_address}:5432/${google_sql_database.leasehold.name}?sslmode=verify-ca&uselibpqcompat=true&sslrootcert=${var.server_ca_path}"
  sensitive   = true
}

output "server_ca_cert" {
  description = "PEM of the instance's server CA, stored in Secret Manager and mounted at server_ca_path."
  value       = google_sql_database_instance.postgres.server_ca_cert[0].cert
}
