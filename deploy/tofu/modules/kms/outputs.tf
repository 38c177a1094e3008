output "crypto_key_id" {
  description = "Resource name of the signing key."
  value       = google_kms_crypto_key.signing.id
}

output "key_version_name" {
  description = "Resource name of the key version to sign with: the value of LEASEHOLD_KMS_KEY_VERSION."
  value       = "${google_kms_crypto_key.signing.id}/cryptoKeyVersions/${var.key_version}"
}
