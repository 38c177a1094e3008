variable "project_id" {
  description = "Google Cloud project of the key ring."
  type        = string
}

variable "location" {
  description = "KMS location of the key ring, usually the cluster's region."
  type        = string
}

variable "key_ring_name" {
  description = "Key ring name, e.g. leasehold-dev. Key rings cannot be deleted: choose it once."
  type        = string
}

variable "key_name" {
  description = "Name of the signing key."
  type        = string
  default     = "lease-signing"
}

variable "protection_level" {
  description = "HSM (FIPS 140-2 level 3) or SOFTWARE."
  type        = string
  default     = "HSM"
}

variable "key_version" {
  description = "Key version the server signs with; raise it after creating a new version to rotate (docs/operations.md)."
  type        = number
  default     = 1
}

variable "signers" {
  description = "IAM members that sign with the key and read its public key (the server's Google service account)."
  type        = list(string)
  default     = []
}
