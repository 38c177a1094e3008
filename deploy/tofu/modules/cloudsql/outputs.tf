output "instance_name" {
  description = "Cloud SQL instance name, for backups and restores."
  value       = google_sql_database_instance.postgres.name
}

output "private_ip" {
  description = "Private IP the server connects to."
  value       = google_sql_database_instance.postgres.private_ip_address
}

output "database_url" {
  description = "Connection string for DATABASE_URL (stored in Secret Manager by the environment)."
  value       = "postgres://${google_sql_user.leasehold.name}:${random_password.user.result}@${google_sql_database_instance.postgres.private_ip_address}:5432/${google_sql_database.leasehold.name}?sslmode=require"
  sensitive   = true
}
