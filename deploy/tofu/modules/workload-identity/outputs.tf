output "server_service_account_email" {
  description = "Google SA of the server: the value of the iam.gke.io/gcp-service-account annotation, and the member to grant KMS and Secret Manager access."
  value       = google_service_account.server.email
}

output "server_member" {
  description = "IAM member string of the server's Google SA."
  value       = "serviceAccount:${google_service_account.server.email}"
}

output "deployer_service_account_email" {
  description = "Google SA the release workflow impersonates (repository variable GCP_DEPLOY_SERVICE_ACCOUNT), or null."
  value       = var.github_repository == null ? null : google_service_account.deployer[0].email
}

output "github_workload_identity_provider" {
  description = "Provider resource name for google-github-actions/auth (repository variable GCP_WORKLOAD_IDENTITY_PROVIDER), or null."
  value       = var.github_repository == null ? null : google_iam_workload_identity_pool_provider.github[0].name
}
