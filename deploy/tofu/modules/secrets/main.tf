# Secret Manager secrets for the server. The pods read them as files through
# the GKE Secret Manager add-on, under their Workload Identity.

resource "google_secret_manager_secret" "secret" {
  for_each  = var.secret_ids
  project   = var.project_id
  secret_id = each.value

  replication {
    auto {}
  }
}

# Keys of a sensitive map are sensitive too; the ids themselves are not secret.
resource "google_secret_manager_secret_version" "initial" {
  for_each    = nonsensitive(toset(keys(var.initial_values)))
  secret      = google_secret_manager_secret.secret[each.value].id
  secret_data = var.initial_values[each.value]
}

resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = {
    for pair in setproduct(var.secret_ids, var.accessors) : "${pair[0]} ${pair[1]}" => { secret = pair[0], member = pair[1] }
  }
  project   = var.project_id
  secret_id = google_secret_manager_secret.secret[each.value.secret].secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value.member
}
