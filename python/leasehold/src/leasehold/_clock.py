"""The source of time: leases, grace periods and rollback checks read it, so tests pass
their own instead of sleeping.

Example::

    class FixedClock:
        def __init__(self, ms): self.ms = ms
        def now(self): return self.ms
"""

from __future__ import annotations

import time

try:
    from typing import Protocol
except ImportError:  # pragma: no cover
    Protocol = object  # type: ignore[assignment]


class Clock(Protocol):
    """Anything with ``now()`` returning milliseconds since the epoch.

    Example::

        client = LeaseClient(..., clock=FixedClock(1_900_000_000_000))
    """

    def now(self) -> float: ...


class SystemClock:
    """The system clock, in milliseconds.

    Example::

        SystemClock().now()  # 1764655200000.0
    """

    def now(self) -> float:
        return time.time() * 1000


SYSTEM_CLOCK = SystemClock()
