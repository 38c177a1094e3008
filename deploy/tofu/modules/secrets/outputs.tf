output "secret_names" {
  description = "Full resource names by secret id, as the SecretProviderClass needs them (append /versions/latest)."
  value       = { for id, secret in google_secret_manager_secret.secret : id => secret.name }
}
