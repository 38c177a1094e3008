variable "project_id" {
  description = "Google Cloud project of the instance."
  type        = string
}

variable "region" {
  description = "Region of the instance."
  type        = string
}

variable "name" {
  description = "Instance name, e.g. leasehold-dev-pg."
  type        = string
}

variable "network_id" {
  description = "VPC the private IP lives in (module network)."
  type        = string
}

variable "tier" {
  description = "Machine tier, e.g. db-custom-2-7680."
  type        = string
  default     = "db-custom-2-7680"
}

variable "availability_type" {
  description = "ZONAL, or REGIONAL for a standby in another zone with automatic failover."
  type        = string
  default     = "ZONAL"
}

variable "disk_size_gb" {
  description = "Initial SSD size; it grows automatically."
  type        = number
  default     = 20
}

variable "backup_start_time" {
  description = "UTC time (HH:MM) the daily backup starts."
  type        = string
  default     = "03:00"
}

variable "retained_backups" {
  description = "Number of daily backups kept."
  type        = number
  default     = 14
}

variable "log_retention_days" {
  description = "Days of transaction logs kept for point-in-time recovery (1-7)."
  type        = number
  default     = 7
}

variable "database_name" {
  description = "Database the server uses."
  type        = string
  default     = "leasehold"
}

variable "user_name" {
  description = "Database user the server connects as."
  type        = string
  default     = "leasehold"
}

variable "deletion_protection" {
  description = "Refuse to delete the instance (OpenTofu and the Cloud SQL API)."
  type        = bool
  default     = true
}

variable "server_ca_path" {
  description = "Where the pods find the server CA PEM (the Secret Manager CSI mount), written into the URL's sslrootcert."
  type        = string
  default     = "/var/run/secrets/leasehold/database-ca.pem"
}
