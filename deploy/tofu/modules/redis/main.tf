# Memorystore Redis for live seats (Lua scripts, see the server's seat store).
# Reached over private services access with AUTH and TLS (the server trusts the
# instance's CA through REDIS_CA_CERT_FILE). Losing it costs live leases until
# clients' next heartbeat, never licenses, so no persistence is configured; prod
# uses STANDARD_HA so a zone loss fails over instead of dropping every lease. The caller makes this module depend on the network module.

resource "google_redis_instance" "seats" {
  project                 = var.project_id
  name                    = var.name
  region                  = var.region
  tier                    = var.tier
  memory_size_gb          = var.memory_size_gb
  redis_version           = var.redis_version
  authorized_network      = var.network_id
  connect_mode            = "PRIVATE_SERVICE_ACCESS"
  auth_enabled            = true
  transit_encryption_mode = var.transit_encryption_mode

  # Seats expire by TTL; evicting them under memory pressure would free seats early.
  redis_configs = {
    maxmemory-policy = "noeviction"
  }

  maintenance_policy {
    weekly_maintenance_window {
      day = "SUNDAY"
      start_time {
        hours   = 3
        minutes = 0
      }
    }
  }
}
