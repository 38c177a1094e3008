# Two keyless identities:
# - the server: Kubernetes SA leasehold-server acts as a Google SA (Workload Identity);
# - the release pipeline: GitHub Actions OIDC tokens of one repository act as a
#   deploy SA (Workload Identity Federation). No service account key exists.

resource "google_service_account" "server" {
  project      = var.project_id
  account_id   = "leasehold-server"
  display_name = "Leasehold server (Workload Identity)"
}

resource "google_service_account_iam_member" "server_workload_identity" {
  service_account_id = google_service_account.server.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "serviceAccount:${var.project_id}.svc.id.goog[${var.namespace}/${var.kubernetes_service_account}]"
}

resource "google_service_account" "deployer" {
  count        = var.github_repository == null ? 0 : 1
  project      = var.project_id
  account_id   = "leasehold-deployer"
  display_name = "Leasehold release pipeline (GitHub Actions)"
}

resource "google_project_iam_member" "deployer" {
  for_each = var.github_repository == null ? toset([]) : toset([
    "roles/artifactregistry.writer",
    "roles/container.developer",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.deployer[0].email}"
}

resource "google_iam_workload_identity_pool" "github" {
  count                     = var.github_repository == null ? 0 : 1
  project                   = var.project_id
  workload_identity_pool_id = var.pool_id
  display_name              = "GitHub Actions"
}

resource "google_iam_workload_identity_pool_provider" "github" {
  count                              = var.github_repository == null ? 0 : 1
  project                            = var.project_id
  workload_identity_pool_id          = google_iam_workload_identity_pool.github[0].workload_identity_pool_id
  workload_identity_pool_provider_id = "github-actions"
  display_name                       = "GitHub Actions OIDC"
  # Only this repository's jobs that run in this GitHub environment, from the
  # release branch, are accepted: the environment's required reviewers are then
  # enforced by Google too, and a workflow on another branch cannot deploy.
  attribute_condition = "assertion.repository == \"${var.github_repository}\" && assertion.environment == \"${var.github_environment}\" && assertion.ref == \"${var.github_ref}\""
  attribute_mapping = {
    "google.subject"        = "assertion.sub"
    "attribute.repository"  = "assertion.repository"
    "attribute.ref"         = "assertion.ref"
    "attribute.environment" = "assertion.environment"
  }
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

resource "google_service_account_iam_member" "deployer_federation" {
  count              = var.github_repository == null ? 0 : 1
  service_account_id = google_service_account.deployer[0].name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github[0].name}/attribute.environment/${var.github_environment}"
}
