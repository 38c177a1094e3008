# The prod environment: the same composition as environments/dev in its own
# project, sized for production: REGIONAL Cloud SQL (a standby in another zone),
# STANDARD_HA Redis (a replica that takes over on failure, so a zone loss does
# not drop every live lease), three or more nodes, deletion protection on.
# Its images are copied by digest from dev's registry (see image_readers there).

locals {
  name = "leasehold-${var.environment}"
  apis = [
    "artifactregistry.googleapis.com",
    "cloudkms.googleapis.com",
    "compute.googleapis.com",
    "container.googleapis.com",
    "dns.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "identitytoolkit.googleapis.com",
    "redis.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com",
    "sqladmin.googleapis.com",
    "sts.googleapis.com",
  ]
}

resource "google_project_service" "api" {
  for_each           = toset(local.apis)
  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_artifact_registry_repository" "images" {
  project       = var.project_id
  location      = var.region
  repository_id = "leasehold"
  format        = "DOCKER"
  description   = "Leasehold server images, pushed by the release workflow."

  # Releases are addressed by digest; keep the last 20 and anything deployed recently.
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 20
    }
  }
  depends_on = [google_project_service.api]
}


module "network" {
  source     = "../../modules/network"
  project_id = var.project_id
  region     = var.region
  name       = local.name
  depends_on = [google_project_service.api]
}

module "gke" {
  source                     = "../../modules/gke"
  project_id                 = var.project_id
  region                     = var.region
  name                       = local.name
  network_name               = module.network.network_name
  subnet_name                = module.network.subnet_name
  pods_range_name            = module.network.pods_range_name
  services_range_name        = module.network.services_range_name
  master_authorized_networks = var.master_authorized_networks
  min_nodes                  = 3
  max_nodes                  = 12
  deletion_protection        = true
}

module "cloudsql" {
  source              = "../../modules/cloudsql"
  project_id          = var.project_id
  region              = var.region
  name                = "${local.name}-pg"
  network_id          = module.network.network_id
  tier                = "db-custom-4-15360"
  availability_type   = "REGIONAL"
  deletion_protection = true
  depends_on          = [module.network]
}

module "redis" {
  source         = "../../modules/redis"
  project_id     = var.project_id
  region         = var.region
  name           = "${local.name}-redis"
  network_id     = module.network.network_id
  tier           = "STANDARD_HA"
  memory_size_gb = 5
  depends_on     = [module.network]
}

module "workload_identity" {
  source             = "../../modules/workload-identity"
  project_id         = var.project_id
  namespace          = var.kubernetes_namespace
  github_repository  = var.github_repository
  github_environment = var.environment
  depends_on         = [module.gke]
}

module "kms" {
  source        = "../../modules/kms"
  project_id    = var.project_id
  location      = var.region
  key_ring_name = local.name
  signers       = [module.workload_identity.server_member]
  depends_on    = [google_project_service.api]
}

resource "random_password" "bootstrap_admin_key" {
  length  = 48
  special = false
}

module "secrets" {
  source     = "../../modules/secrets"
  project_id = var.project_id
  secret_ids = ["leasehold-database-url", "leasehold-redis-url", "leasehold-bootstrap-admin-key", "leasehold-database-ca", "leasehold-redis-ca"]
  initial_values = {
    "leasehold-database-url"        = module.cloudsql.database_url
    "leasehold-redis-url"           = module.redis.redis_url
    "leasehold-bootstrap-admin-key" = random_password.bootstrap_admin_key.result
    "leasehold-database-ca"         = module.cloudsql.server_ca_cert
    "leasehold-redis-ca"            = module.redis.server_ca_cert
  }
  accessors  = [module.workload_identity.server_member]
  depends_on = [google_project_service.api]
}

module "identity_platform" {
  source               = "../../modules/identity-platform"
  project_id           = var.project_id
  authorized_domains   = [var.hostname]
  google_client_id     = var.google_client_id
  google_client_secret = var.google_client_secret
  github_client_id     = var.github_client_id
  github_client_secret = var.github_client_secret
  depends_on           = [google_project_service.api]
}

module "dns" {
  source          = "../../modules/dns"
  project_id      = var.project_id
  name            = local.name
  hostname        = var.hostname
  zone_name       = var.dns_zone_name
  zone_project_id = var.dns_zone_project_id
  depends_on      = [google_project_service.api]
}
