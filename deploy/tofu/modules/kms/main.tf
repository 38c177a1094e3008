# The asymmetric Ed25519 key that signs lease tokens. The private key never
# leaves Cloud KMS; the server calls asymmetricSign and publishes the public
# key in its JWKS.

resource "google_kms_key_ring" "ring" {
  project  = var.project_id
  name     = var.key_ring_name
  location = var.location
}

resource "google_kms_crypto_key" "signing" {
  name     = var.key_name
  key_ring = google_kms_key_ring.ring.id
  purpose  = "ASYMMETRIC_SIGN"

  version_template {
    algorithm        = "EC_SIGN_ED25519"
    protection_level = var.protection_level
  }

  # Destroying the key would make every outstanding token unverifiable.
  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "signer" {
  for_each      = toset(var.signers)
  crypto_key_id = google_kms_crypto_key.signing.id
  role          = "roles/cloudkms.signerVerifier"
  member        = each.value
}

resource "google_kms_crypto_key_iam_member" "public_key_viewer" {
  for_each      = toset(var.signers)
  crypto_key_id = google_kms_crypto_key.signing.id
  role          = "roles/cloudkms.publicKeyViewer"
  member        = each.value
}
