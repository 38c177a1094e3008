variable "project_id" {
  description = "Google Cloud project that owns the network."
  type        = string
}

variable "region" {
  description = "Region of the subnet, router and NAT."
  type        = string
}

variable "name" {
  description = "Prefix for every resource name, e.g. leasehold-dev."
  type        = string
}

variable "subnet_cidr" {
  description = "Primary range of the node subnet."
  type        = string
  default     = "10.10.0.0/20"
}

variable "pods_cidr" {
  description = "Secondary range for GKE pod IPs (VPC-native)."
  type        = string
  default     = "10.20.0.0/14"
}

variable "services_cidr" {
  description = "Secondary range for GKE service IPs."
  type        = string
  default     = "10.24.0.0/20"
}

variable "private_services_address" {
  description = "Base address of the range reserved for private services access (Cloud SQL, Memorystore). The Kubernetes NetworkPolicy allows egress to it."
  type        = string
  default     = "10.100.0.0"
}

variable "private_services_prefix_length" {
  description = "Prefix length of the private services access range."
  type        = number
  default     = 16
}
