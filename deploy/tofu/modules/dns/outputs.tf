output "ip_name" {
  description = "Name of the static IP, for the Ingress annotation kubernetes.io/ingress.global-static-ip-name."
  value       = google_compute_global_address.ingress.name
}

output "ip_address" {
  description = "The static IP address the hostname points to."
  value       = google_compute_global_address.ingress.address
}

output "name_servers" {
  description = "Name servers to delegate to when the zone was created here (empty otherwise)."
  value       = var.create_zone ? google_dns_managed_zone.zone[0].name_servers : []
}
