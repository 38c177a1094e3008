variable "project_id" {
  description = "Google Cloud project of the dev environment."
  type        = string
}

variable "region" {
  description = "Region for the cluster, database, Redis, key ring and registry."
  type        = string
  default     = "us-central1"
}

variable "environment" {
  description = "Environment name; prefixes resource names and names the Kubernetes namespace suffix."
  type        = string
  default     = "dev"
}

variable "hostname" {
  description = "Public name of the service in this environment."
  type        = string
  default     = "dev.auth.coditect.ai"
}

variable "dns_zone_name" {
  description = "Existing Cloud DNS managed zone that holds hostname."
  type        = string
  default     = "coditect-ai"
}

variable "dns_zone_project_id" {
  description = "Project of the managed zone when it is shared (e.g. a DNS project); null when it is this project."
  type        = string
  default     = null
}

variable "image_readers" {
  description = "IAM members that may read this registry: prod's deployer service account, which copies promoted digests."
  type        = list(string)
  default     = []
}

variable "kubernetes_namespace" {
  description = "Namespace of the dev overlay (deploy/k8s/overlays/dev)."
  type        = string
  default     = "leasehold-dev"
}

variable "github_repository" {
  description = "owner/name of the repository whose Actions deploy here; null for no deploy identity."
  type        = string
  default     = null
}

variable "master_authorized_networks" {
  description = "CIDRs allowed to reach the Kubernetes API."
  type        = list(object({ cidr_block = string, display_name = string }))
  default     = []
}

variable "google_client_id" {
  description = "OAuth client id for Google sign-in."
  type        = string
}

variable "google_client_secret" {
  description = "OAuth client secret for Google sign-in (TF_VAR_google_client_secret)."
  type        = string
  sensitive   = true
}

variable "github_client_id" {
  description = "Client id of the GitHub OAuth app."
  type        = string
}

variable "github_client_secret" {
  description = "Client secret of the GitHub OAuth app (TF_VAR_github_client_secret)."
  type        = string
  sensitive   = true
}
