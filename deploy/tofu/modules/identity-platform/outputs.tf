output "providers" {
  description = "Enabled sign-in providers."
  value       = [google_identity_platform_default_supported_idp_config.google.idp_id, google_identity_platform_default_supported_idp_config.github.idp_id]
}

output "issuer" {
  description = "Issuer of Identity Platform ID tokens, for the server's token verification."
  value       = "https://securetoken.google.com/${var.project_id}"
}
