/** The text of `leasehold --help`. */
export const HELP = `leasehold — manage this machine's license for a Leasehold-licensed program

Usage: leasehold <command> [options]

Commands:
  login                 Sign in with your organisation account (device code in a browser)
  logout                Sign out and revoke the sign-in
  status                Show the license and seat held from this machine
  activate <key>        Check a license key and store it for the product
  release               Give back the seat held from this machine
  borrow <duration>     Check a seat out for offline use, e.g. 3d, 12h, 90m
  return                Give a borrowed seat back early
  doctor                Check fingerprint, server reachability, clock drift and cached token

Options:
  --server <url>        License server URL (or LEASEHOLD_URL)
  --product <code>      Product code, e.g. coditect (or LEASEHOLD_PRODUCT)
  --config-dir <dir>    Where state is kept (or LEASEHOLD_CONFIG_DIR; default: platform config dir)
  --json                Print machine-readable JSON on stdout
  -h, --help            Show this help
  -v, --version         Show the version

Environment:
  LEASEHOLD_FINGERPRINT  Fixed machine identity for containers and VMs

Exit codes:
  0  success
  1  unexpected failure
  2  usage error (unknown command or option, missing server or product)
  3  no seat available (every seat of the license is in use)
  4  license refused (bad key, unknown, suspended, revoked, expired, borrowing not allowed)
  5  license server unreachable (network, 5xx, rate limited)
  6  offline use refused (grace period over, clock set back, cached token invalid)
  7  not licensed on this machine, not signed in, or sign-in failed
  8  doctor found a problem
`;
