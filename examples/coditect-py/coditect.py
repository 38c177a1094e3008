#!/usr/bin/env python3
"""coditect — a CODITECT-like developer tool licensed with the ``leasehold`` Python library.

It validates its license on start, works while a background thread keeps its seat,
works offline on the cached token when the server is away, and gives the seat back when
it ends: normally, by ``sys.exit()``, on Ctrl-C or on SIGTERM.

Example::

    LEASEHOLD_URL=http://127.0.0.1:8080 CODITECT_JWKS=jwks.json python3 examples/coditect-py/coditect.py work 5
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Dict, Mapping, NoReturn, Optional

try:
    import leasehold  # noqa: F401  (is it installed?)
except ImportError:  # run from a clone without installing: use the library next door
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python" / "leasehold" / "src"))
    import leasehold  # noqa: F401  (is it installed?)

from leasehold import LeaseClient, LeaseholdError, LeaseStatus

USAGE = """coditect — a CODITECT-like developer tool, licensed with Leasehold

Usage:
  coditect.py hello              check the license, greet, and finish
  coditect.py work <seconds>     do some work for a while (heartbeats keep the seat), then finish
  coditect.py serve              keep working until interrupted (Ctrl-C or SIGTERM releases the seat)
  coditect.py check              check the license and quit at once with sys.exit()

Environment: LEASEHOLD_URL, CODITECT_LICENSE_KEY (or run "leasehold activate"), CODITECT_JWKS (pinned keys file),
LEASEHOLD_FINGERPRINT, LEASEHOLD_CONFIG_DIR, LEASEHOLD_TIMEOUT_SECONDS
"""

#: The same exit codes as the ``leasehold`` CLI and the TypeScript example.
EXIT_CODES: Dict[str, int] = {
    **dict.fromkeys(["NO_SEAT_AVAILABLE", "SESSION_EXPIRED"], 3),
    **dict.fromkeys(["INVALID_LICENSE_KEY", "LICENSE_NOT_FOUND", "LICENSE_SUSPENDED", "LICENSE_REVOKED", "LICENSE_EXPIRED", "FORBIDDEN"], 4),
    **dict.fromkeys(["SERVER_UNREACHABLE", "RATE_LIMITED", "SERVICE_UNAVAILABLE", "INTERNAL_ERROR"], 5),
    **dict.fromkeys(["OFFLINE_GRACE_EXPIRED", "CLOCK_ROLLBACK", "LEASE_TOKEN_INVALID", "FINGERPRINT_MISMATCH"], 6),
    **dict.fromkeys(["NOT_LICENSED", "UNAUTHENTICATED", "TOKEN_INVALID", "SESSION_NOT_FOUND"], 7),
}


def licensing_client(env: Mapping[str, str]) -> LeaseClient:
    """CODITECT's licensing settings; a real build would ship its server URL and JWKS inside.

    Example::

        client = licensing_client(os.environ)
    """
    jwks_path: Optional[str] = env.get("CODITECT_JWKS")
    jwks = json.loads(Path(jwks_path).read_text("utf-8")) if jwks_path else None
    timeout = float(env.get("LEASEHOLD_TIMEOUT_SECONDS") or 10)
    return LeaseClient(
        env.get("LEASEHOLD_URL") or "http://127.0.0.1:8080",
        env.get("LEASEHOLD_PRODUCT") or "coditect",
        license_key=env.get("CODITECT_LICENSE_KEY") or None,
        jwks=jwks,
        env=env,
        client_version="coditect-py/0.1.0",
        timeout=timeout,
        deadline=min(25.0, timeout * 3),
        on_renewed=lambda s: print(f"[license] renewed, lease until {s.lease_expires_at:%Y-%m-%dT%H:%M:%SZ}", flush=True),
        on_offline=lambda e, s: print(f"[license] server unreachable, working offline until {s.offline_grace_until:%Y-%m-%dT%H:%M:%SZ}", flush=True),
        on_recovered=lambda s: print("[license] back online", flush=True),
        on_lost=lambda e, s: print(f"[license] lost: {e}", file=sys.stderr, flush=True),
    )


def fail(error: BaseException) -> NoReturn:
    """Prints the reason for the person and exits with its code.

    Example::

        fail(NotLicensedError("…"))  # exit 7
    """
    print(f"coditect: {error}", file=sys.stderr, flush=True)
    sys.exit(EXIT_CODES.get(getattr(error, "code", ""), 1))


def main(argv: list) -> int:
    command = argv[0] if argv else None
    if command not in ("hello", "work", "serve", "check"):
        sys.stdout.write(USAGE)
        return 2 if command else 0
    client = licensing_client(os.environ)
    try:
        status: LeaseStatus = client.acquire()
    except LeaseholdError as error:
        fail(error)
    features = ", ".join(status.entitlements) or "none"
    print(f"CODITECT licensed ({status.mode}; session {status.session_id or '-'}; features: {features})", flush=True)
    if command == "check":
        sys.exit(0)  # sys.exit() runs atexit: the seat is released
    if command == "hello":
        print("Hello from CODITECT.", flush=True)
        return 0  # nothing left to do: the interpreter ends and the seat is released
    seconds = float(argv[1]) if command == "work" and len(argv) > 1 else (3.0 if command == "work" else float("inf"))
    started, step = time.monotonic(), 0
    while time.monotonic() - started < seconds:
        time.sleep(0.25)
        step += 1
        try:
            client.assert_licensed()
        except LeaseholdError as error:
            fail(error)
    print(f"Work done in {step} steps.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
