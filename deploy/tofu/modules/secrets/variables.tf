variable "project_id" {
  description = "Google Cloud project of the secrets."
  type        = string
}

variable "secret_ids" {
  description = "Secret Manager secret ids to create, e.g. leasehold-database-url. Each becomes a file in the pod through the SecretProviderClass."
  type        = set(string)
}

variable "initial_values" {
  description = "Values to store as the first version, keyed by secret id. Secrets not listed are created empty and filled by an operator."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "accessors" {
  description = "IAM members allowed to read every secret, e.g. serviceAccount:leasehold-server@PROJECT.iam.gserviceaccount.com."
  type        = list(string)
  default     = []
}
