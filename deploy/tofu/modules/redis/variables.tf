variable "project_id" {
  description = "Google Cloud project of the instance."
  type        = string
}

variable "region" {
  description = "Region of the instance."
  type        = string
}

variable "name" {
  description = "Instance name, e.g. leasehold-dev-redis."
  type        = string
}

variable "network_id" {
  description = "VPC the instance is reachable from (module network)."
  type        = string
}

variable "tier" {
  description = "BASIC (single node) or STANDARD_HA (replica with automatic failover)."
  type        = string
  default     = "BASIC"
}

variable "memory_size_gb" {
  description = "Memory of the instance in GiB."
  type        = number
  default     = 1
}

variable "redis_version" {
  description = "Memorystore Redis version."
  type        = string
  default     = "REDIS_7_2"
}

variable "transit_encryption_mode" {
  description = "SERVER_AUTHENTICATION (TLS on port 6378, verified against server_ca_cert) or DISABLED."
  type        = string
  default     = "SERVER_AUTHENTICATION"
}
