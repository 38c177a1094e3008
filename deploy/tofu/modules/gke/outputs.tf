output "cluster_name" {
  description = "Cluster name, for `gcloud container clusters get-credentials` and the release workflow."
  value       = google_container_cluster.cluster.name
}

output "location" {
  description = "Cluster location (its region)."
  value       = google_container_cluster.cluster.location
}

output "endpoint" {
  description = "Control plane endpoint."
  value       = google_container_cluster.cluster.endpoint
  sensitive   = true
}

output "workload_pool" {
  description = "Workload Identity pool, PROJECT.svc.id.goog."
  value       = "${var.project_id}.svc.id.goog"
}

output "dns_endpoint" {
  description = "DNS-based control-plane endpoint (what get-gke-credentials uses with use_dns_based_endpoint: true)."
  value       = google_container_cluster.cluster.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint
}
