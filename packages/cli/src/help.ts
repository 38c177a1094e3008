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
  run -- <command...>   Take a seat, run the command, give the seat back when it ends

Options:
  --server <url>        License server URL (or LEASEHOLD_URL)
  --product <code>      Product code, e.g. coditect (or LEASEHOLD_PRODUCT)
  --config-dir <dir>    Where state is kept (or LEASEHOLD_CONFIG_DIR; default: platform config dir)
  --json                Print machine-readable JSON on stdout
  --force               release: take the seat even from a running program
  --wait <duration>     run: wait this long for a free seat, e.g. 300 or 5m (default: do not wait)
  -h, --help            Show this help (after a command: that command's help)
  -v, --version         Show the version

Environment:
  LEASEHOLD_FINGERPRINT  Fixed machine identity for containers and VMs
  LEASEHOLD_LICENSE_KEY  run: the license key (else the one activated here)
  LEASEHOLD_CI_JOB       run in CI: the job's name (default GITHUB_JOB), one seat per job

Exit codes:
  0  success
  1  unexpected failure
  2  usage error (unknown command or option, missing server or product)
  3  no seat available (every seat of the license is in use)
  4  license refused (bad key, unknown, suspended, revoked, expired, borrowing not allowed)
  5  license server unreachable (network, 5xx, rate limited)
  6  offline use refused (grace period over, clock set back, cached token invalid)
  7  not licensed on this machine, not signed in, sign-in failed, or nothing borrowed to return
  8  doctor found a problem
`;

/** `leasehold <command> --help`: what one command does, its arguments and options. */
export const COMMAND_HELP: Record<string, string> = {
  login: `Usage: leasehold login [--server URL]

Signs in with your organisation account: prints a URL and a code to confirm in a
browser (device flow), then stores the tokens so licensed programs take seats as you.
`,
  logout: `Usage: leasehold logout [--server URL]

Revokes the sign-in on the server (when it answers) and forgets it on this machine.
`,
  status: `Usage: leasehold status [--server URL] [--product CODE] [--json]

Shows who is signed in, the license key activated here, the license's state and seat
use (when the server answers), the seat held from this machine and how long it works
offline. Exit 7 when nothing is set up on this machine.
`,
  activate: `Usage: leasehold activate <license-key> [--server URL] [--product CODE] [--json]

Checks the key online (no seat is taken) and stores it for the product, so the
licensed program finds it when it starts. Exit 4 when the key is refused, 5 when the
server cannot be reached.
`,
  release: `Usage: leasehold release [--force] [--server URL] [--product CODE] [--json]

Gives back the seat held from this machine, say one a crashed program left behind.
A seat a running program is still renewing is released only with --force (that
program then loses its seat at its next heartbeat). A borrowed seat is given back
with "leasehold return".
`,
  borrow: `Usage: leasehold borrow <duration> [--server URL] [--product CODE] [--json]

Checks a seat out for offline use: 3d, 12h, 90m, 1d12h or seconds, up to the plan's
maximum. The program then works without the network until the borrow ends.
`,
  return: `Usage: leasehold return [--server URL] [--product CODE] [--json]

Gives a borrowed seat back before its time. Exit 7 when nothing is borrowed here.
`,
  run: `Usage: leasehold run [--wait DURATION] [--server URL] [--product CODE] -- <command> [args...]

Takes a seat, runs the command with this terminal's input and output, renews the seat
while it runs and gives it back when it ends, so a Makefile or a CI step licenses a
tool without code changes. The seat comes from LEASEHOLD_LICENSE_KEY, the key
activated here, the CI job's identity (GitHub Actions with "permissions: id-token:
write", mapped to a license by the vendor), or your sign-in, in that order.
--wait 5m asks again while every seat is taken, for up to that long.
SIGINT, SIGTERM and SIGHUP are passed on to the command. The exit code is the
command's (128 + n when signal n ended it); 3 when no seat came, 4 when the license
was refused, 127 when the command was not found.
`,
  doctor: `Usage: leasehold doctor [--server URL] [--product CODE] [--json]

Checks the machine fingerprint, that the server answers, the clock's drift against
the server, and the cached token. Exit 8 when a check fails.
`,
};
