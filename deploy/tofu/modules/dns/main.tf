# A global static IP for the GKE Ingress and the records that point the
# service's name at it. The CAA record allows only Let's Encrypt to issue.

resource "google_compute_global_address" "ingress" {
  project = var.project_id
  name    = "${var.name}-ip"
}

resource "google_dns_managed_zone" "zone" {
  count    = var.create_zone ? 1 : 0
  project  = local.zone_project
  name     = var.zone_name
  dns_name = var.zone_dns_name

  dnssec_config {
    state = "on"
  }
}

locals {
  zone = var.create_zone ? google_dns_managed_zone.zone[0].name : var.zone_name
  # The zone often lives in a shared DNS project rather than in each environment's.
  zone_project = coalesce(var.zone_project_id, var.project_id)
}

resource "google_dns_record_set" "a" {
  project      = local.zone_project
  managed_zone = local.zone
  name         = "${var.hostname}."
  type         = "A"
  ttl          = 300
  rrdatas      = [google_compute_global_address.ingress.address]
}

resource "google_dns_record_set" "caa" {
  project      = local.zone_project
  managed_zone = local.zone
  name         = "${var.hostname}."
  type         = "CAA"
  ttl          = 3600
  rrdatas      = ["0 issue \"letsencrypt.org\""]
}
