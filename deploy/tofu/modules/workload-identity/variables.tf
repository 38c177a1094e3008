variable "project_id" {
  description = "Google Cloud project of the service accounts."
  type        = string
}

variable "namespace" {
  description = "Kubernetes namespace of the server (the overlay's namespace)."
  type        = string
}

variable "kubernetes_service_account" {
  description = "Kubernetes service account the server's pods run as."
  type        = string
  default     = "leasehold-server"
}

variable "github_repository" {
  description = "owner/name of the GitHub repository whose Actions may deploy; null to skip the deploy identity."
  type        = string
  default     = null
}

variable "pool_id" {
  description = "Id of the Workload Identity Federation pool for GitHub Actions."
  type        = string
  default     = "github"
}

variable "github_environment" {
  description = "GitHub environment (dev, prod) whose jobs may deploy here: the OIDC token's environment claim must equal it."
  type        = string
}

variable "github_ref" {
  description = "Git ref the deploying workflow must run from."
  type        = string
  default     = "refs/heads/main"
}
