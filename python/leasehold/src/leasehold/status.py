"""Where a lease stands, as ``status()``, ``acquire()`` and the events report it.

Example::

    status = client.status()
    print(status.mode, status.entitlements, status.offline_grace_until)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, List, Optional

from ._error_base import LeaseholdError

__all__ = ["LeaseStatus", "MODES"]

#: ``idle`` nothing acquired yet; ``online`` granted and renewed by heartbeats; ``offline``
#: the server cannot be reached, the cached token is used until its grace deadline;
#: ``borrowed`` checked out for offline use; ``lost`` the seat is gone (see ``error``);
#: ``released`` given back.
MODES = ("idle", "online", "offline", "borrowed", "lost", "released")


@dataclass(frozen=True)
class LeaseStatus:
    """A snapshot of the lease.

    Example::

        s = client.status()
        if s.mode == "offline":
            print(f"working offline until {s.offline_grace_until:%Y-%m-%d %H:%M}")
    """

    mode: str
    product: str
    server_url: str
    session_id: Optional[str] = None
    license_id: Optional[str] = None
    entitlements: List[str] = field(default_factory=list)
    #: When the server lets the seat go unless a heartbeat renews it.
    lease_expires_at: Optional[datetime] = None
    #: The latest moment the program may run without reaching the server.
    offline_grace_until: Optional[datetime] = None
    borrowed_until: Optional[datetime] = None
    last_renewed_at: Optional[datetime] = None
    heartbeat_interval_seconds: Optional[int] = None
    #: Seats ``used``/``total``/``overage`` at the last acquire, when known.
    seats: Optional[Dict[str, int]] = None
    fingerprint: Optional[str] = None
    #: Why the lease is ``lost``, or why it is ``offline``.
    error: Optional[LeaseholdError] = None

    @property
    def licensed(self) -> bool:
        """Whether licensed features may be used now.

        Example::

            if not client.status().licensed: ...
        """
        return self.mode in ("online", "offline", "borrowed")

    def has_feature(self, name: str) -> bool:
        """Whether the lease grants this entitlement.

        Example::

            status.has_feature("pro")  # True
        """
        return self.licensed and name in self.entitlements
