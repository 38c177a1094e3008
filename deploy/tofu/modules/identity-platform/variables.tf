variable "project_id" {
  description = "Google Cloud project with Identity Platform enabled."
  type        = string
}

variable "authorized_domains" {
  description = "Domains allowed to complete sign-in redirects, e.g. auth.coditect.ai."
  type        = list(string)
}

variable "google_client_id" {
  description = "OAuth client id of the Google sign-in provider."
  type        = string
}

variable "google_client_secret" {
  description = "OAuth client secret of the Google sign-in provider (pass as TF_VAR_google_client_secret)."
  type        = string
  sensitive   = true
}

variable "github_client_id" {
  description = "Client id of the GitHub OAuth app."
  type        = string
}

variable "github_client_secret" {
  description = "Client secret of the GitHub OAuth app (pass as TF_VAR_github_client_secret)."
  type        = string
  sensitive   = true
}
