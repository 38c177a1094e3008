# Identity Platform for the dashboard's operators: sign in with Google or
# GitHub only (no passwords to store or reset).

resource "google_identity_platform_config" "config" {
  project            = var.project_id
  authorized_domains = var.authorized_domains

  sign_in {
    allow_duplicate_emails = false
    email {
      enabled = false
    }
  }
}

resource "google_identity_platform_default_supported_idp_config" "google" {
  project       = var.project_id
  idp_id        = "google.com"
  client_id     = var.google_client_id
  client_secret = var.google_client_secret
  enabled       = true
  depends_on    = [google_identity_platform_config.config]
}

resource "google_identity_platform_default_supported_idp_config" "github" {
  project       = var.project_id
  idp_id        = "github.com"
  client_id     = var.github_client_id
  client_secret = var.github_client_secret
  enabled       = true
  depends_on    = [google_identity_platform_config.config]
}
