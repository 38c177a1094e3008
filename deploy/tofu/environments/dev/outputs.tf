# Everything the Kubernetes overlay and the release workflow need, by name.

output "cluster_name" {
  description = "GKE cluster (repository variable GKE_CLUSTER)."
  value       = module.gke.cluster_name
}

output "cluster_location" {
  description = "GKE cluster location (repository variable GCP_REGION)."
  value       = module.gke.location
}

output "image_repository" {
  description = "Artifact Registry path of the server image, for the overlay's images: newName."
  value       = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}/leasehold-server"
}

output "server_service_account" {
  description = "Value of the iam.gke.io/gcp-service-account annotation (overlay workload-identity.yaml)."
  value       = module.workload_identity.server_service_account_email
}

output "kms_key_version" {
  description = "LEASEHOLD_KMS_KEY_VERSION for the overlay's config.env."
  value       = module.kms.key_version_name
}

output "secret_names" {
  description = "Secret Manager secrets for the overlay's secrets.yaml (append /versions/latest)."
  value       = module.secrets.secret_names
}

output "static_ip_name" {
  description = "Static IP name for the Ingress annotation."
  value       = module.dns.ip_name
}

output "static_ip_address" {
  description = "Address the hostname resolves to."
  value       = module.dns.ip_address
}

output "cloudsql_instance" {
  description = "Cloud SQL instance name, for backups and restores."
  value       = module.cloudsql.instance_name
}

output "private_services_cidr" {
  description = "Range Cloud SQL and Redis live in; the NetworkPolicy egress rule must cover it."
  value       = module.network.private_services_cidr
}

output "identity_issuer" {
  description = "Issuer of Identity Platform ID tokens."
  value       = module.identity_platform.issuer
}

output "github_workload_identity_provider" {
  description = "Repository variable GCP_WORKLOAD_IDENTITY_PROVIDER for the release workflow."
  value       = module.workload_identity.github_workload_identity_provider
}

output "deployer_service_account" {
  description = "Repository variable GCP_DEPLOY_SERVICE_ACCOUNT for the release workflow."
  value       = module.workload_identity.deployer_service_account_email
}

output "cluster_dns_endpoint" {
  description = "DNS-based control-plane endpoint the deploy workflow reaches (IAM-guarded, no authorised networks)."
  value       = module.gke.dns_endpoint
}
