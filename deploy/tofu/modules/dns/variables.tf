variable "project_id" {
  description = "Google Cloud project of the DNS zone and the static IP."
  type        = string
}

variable "name" {
  description = "Prefix of the static IP name; the Ingress names the IP `<name>-ip`."
  type        = string
}

variable "hostname" {
  description = "Fully qualified name of the service, e.g. auth.coditect.ai."
  type        = string
}

variable "create_zone" {
  description = "Create the managed zone (true) or add records to an existing one (false)."
  type        = bool
  default     = false
}

variable "zone_name" {
  description = "Name of the Cloud DNS managed zone holding hostname."
  type        = string
}

variable "zone_dns_name" {
  description = "DNS name of the zone with a trailing dot, e.g. coditect.ai.; used only when create_zone is true."
  type        = string
  default     = ""
}

variable "zone_project_id" {
  description = "Project of the managed zone when it is not the environment's own (a shared DNS project); null for project_id."
  type        = string
  default     = null
}
