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
  value       = "redis://:${google_redis_instance.seats.auth_string}@${google_redis_instance.seats.host}:${google_redis_instance.seats.port}"
  sensitive   = true
}
