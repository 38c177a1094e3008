output "network_id" {
  description = "ID of the VPC, for Cloud SQL and Memorystore private IPs."
  value       = google_compute_network.vpc.id
}

output "network_name" {
  description = "Name of the VPC, for the GKE cluster."
  value       = google_compute_network.vpc.name
}

output "subnet_name" {
  description = "Name of the node subnet."
  value       = google_compute_subnetwork.nodes.name
}

output "pods_range_name" {
  description = "Secondary range name for pods."
  value       = "${var.name}-pods"
}

output "services_range_name" {
  description = "Secondary range name for services."
  value       = "${var.name}-services"
}

output "private_services_cidr" {
  description = "CIDR of the private services access range; the Kubernetes NetworkPolicy must allow egress to it."
  value       = "${google_compute_global_address.private_services.address}/${google_compute_global_address.private_services.prefix_length}"
}

output "private_services_connection" {
  description = "The peering connection; Cloud SQL and Memorystore depend on it."
  value       = google_service_networking_connection.private_services.id
}
