"""Leasehold: take a floating seat of your product, keep it alive from a background
thread, work offline on a signed lease token, and give it back on exit.

Example::

    import json, sys
    from leasehold import LeaseClient, LeaseholdError

    client = LeaseClient("https://lic.example.com", "coditect", jwks=json.load(open("leasehold-jwks.json")))
    try:
        with client.lease() as lease:
            print("licensed:", lease.entitlements)
    except LeaseholdError as error:
        sys.exit(f"coditect: {error}")
"""

from ._clock import Clock, SystemClock
from ._http import RetryPolicy, Transport
from ._probes import FingerprintProbes, NetworkInterfaceFact, SystemProbes
from .auth import DeviceCodePrompt, credentials_path, current_access_token, device_login, load_credentials, logout
from .client import Lease, LeaseClient
from .errors import (
    ClockRollbackError,
    LeaseholdError,
    LoginFailedError,
    NoSeatAvailableError,
    NotLicensedError,
    OfflineGraceExpiredError,
    ProtocolError,
    SeatHolder,
    ServerError,
    ServerUnreachableError,
    TokenVerificationError,
)
from .fingerprint import Fingerprint, compute_fingerprint, get_machine_id, physical_mac_addresses
from .state import LeaseStateStore, default_state_dir, lease_state_path
from .status import LeaseStatus
from .token import KeyRing, VerifiedLeaseToken, decode_lease_token_unverified, verify_lease_token

__version__ = "0.1.0"

__all__ = [
    "Clock",
    "ClockRollbackError",
    "DeviceCodePrompt",
    "Fingerprint",
    "FingerprintProbes",
    "KeyRing",
    "Lease",
    "LeaseClient",
    "LeaseStateStore",
    "LeaseStatus",
    "LeaseholdError",
    "LoginFailedError",
    "NetworkInterfaceFact",
    "NoSeatAvailableError",
    "NotLicensedError",
    "OfflineGraceExpiredError",
    "ProtocolError",
    "RetryPolicy",
    "SeatHolder",
    "ServerError",
    "ServerUnreachableError",
    "SystemClock",
    "SystemProbes",
    "TokenVerificationError",
    "Transport",
    "VerifiedLeaseToken",
    "__version__",
    "compute_fingerprint",
    "credentials_path",
    "current_access_token",
    "decode_lease_token_unverified",
    "default_state_dir",
    "device_login",
    "get_machine_id",
    "lease_state_path",
    "load_credentials",
    "logout",
    "physical_mac_addresses",
    "verify_lease_token",
]
