terraform {
  required_version = ">= 1.6.0"
  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 6.14"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # State holds generated secrets: keep it in a private, versioned bucket.
  # tofu init -backend-config="bucket=<state bucket>" -backend-config="prefix=leasehold/prod"
  backend "gcs" {}

}

provider "google" {
  project = var.project_id
  region  = var.region
}
