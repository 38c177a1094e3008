output "host" {
  description = "Private IP of the instance."
  value       = google_redis_instance.seats.host
}

output "port" {
  description = "Port of the instance."
  value       = google_redis_instance.seats.port
}

output "redis_url" {
  description = "Connection string for REDIS_URL, with the AUTH string (stored in Secret Manager by the environment)."
  value       = "${var.transit_encryption_mode == "DISABLED" ? "redis" : "rediss"}://:${google_redis_instance.seats.auth_string}@${google_redis_instance.seats.host}:${google_redis_instance.seats.port}"
  sensitive   = true
}

output "server_ca_cert" {
  description = "PEM of the CA that signs the instance's TLS certificate (REDIS_CA_CERT_FILE in the pods)."
  value       = var.transit_encryption_mode == "DISABLED" ? "" : google_redis_instance.seats.server_ca_certs[0].cert
}
