variable "project_id" {
  description = "Google Cloud project of the cluster."
  type        = string
}

variable "region" {
  description = "Region of the regional cluster (control plane and nodes spread over its zones)."
  type        = string
}

variable "name" {
  description = "Cluster name, e.g. leasehold-dev."
  type        = string
}

variable "network_name" {
  description = "VPC name (module network)."
  type        = string
}

variable "subnet_name" {
  description = "Node subnet name (module network)."
  type        = string
}

variable "pods_range_name" {
  description = "Secondary range for pods (module network)."
  type        = string
}

variable "services_range_name" {
  description = "Secondary range for services (module network)."
  type        = string
}

variable "master_ipv4_cidr" {
  description = "/28 range for the private control plane endpoint."
  type        = string
  default     = "172.16.0.0/28"
}

variable "master_authorized_networks" {
  description = "CIDRs allowed to reach the Kubernetes API (CI runners, operators' VPN). Empty means none but the VPC."
  type        = list(object({ cidr_block = string, display_name = string }))
  default     = []
}

variable "machine_type" {
  description = "Node machine type."
  type        = string
  default     = "e2-standard-2"
}

variable "min_nodes" {
  description = "Fewest nodes in the pool across all zones (cluster autoscaler)."
  type        = number
  default     = 1
}

variable "max_nodes" {
  description = "Most nodes in the pool across all zones (cluster autoscaler)."
  type        = number
  default     = 10
}

variable "release_channel" {
  description = "GKE release channel: RAPID, REGULAR or STABLE."
  type        = string
  default     = "REGULAR"
}

variable "deletion_protection" {
  description = "Refuse to destroy the cluster from OpenTofu."
  type        = bool
  default     = true
}
