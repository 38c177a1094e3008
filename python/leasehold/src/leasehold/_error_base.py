"""The base exception classes; ``leasehold.errors`` is the public module.

Example::

    from leasehold.errors import LeaseholdError
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, ClassVar, Dict, List, Mapping, Optional


class LeaseholdError(Exception):
    """The base of every error the library raises.

    ``code`` is stable: test it, not the message, which is written for the person
    at the keyboard.

    Example::

        try:
            client.acquire()
        except LeaseholdError as error:
            print(f"{error} ({error.code})", file=sys.stderr)
            raise SystemExit(1)
    """

    code: str = "PROTOCOL_ERROR"

    def __init__(self, message: str, *, code: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


@dataclass(frozen=True)
class SeatHolder:
    """One program holding a seat, as the server reports it when no seat is free.

    Example::

        names = [h.hostname or "unknown" for h in error.holders]
    """

    hostname: Optional[str]
    user_id: Optional[str]
    since: Optional[str]
    expires_at: Optional[str]


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def _instant(value: Any) -> Optional[datetime]:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return None


class ServerError(LeaseholdError):
    """The server refused a request with a problem+json answer (RFC 9457).

    Every code of the protocol's closed list has its own subclass (``LicenseSuspendedError``,
    ``NoSeatAvailableError``, …). ``status``, ``request_id`` and the raw ``problem`` help
    support trace it; ``retry_after`` is the server's ``Retry-After`` in seconds; when the
    server says who holds the seats, ``holders``, ``next_free_at``, ``seats_used`` and
    ``seats_total`` carry it.

    Example::

        except ServerError as error:
            print(error.code, error.status, error.request_id)
    """

    status: int = 0
    title: ClassVar[str] = ""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        problem: Optional[Mapping[str, Any]] = None,
        retry_after: Optional[float] = None,
        code: Optional[str] = None,
    ) -> None:
        super().__init__(message, code=code)
        facts: Dict[str, Any] = dict(problem or {})
        if status is not None:
            self.status = status
        self.problem = facts
        self.request_id: Optional[str] = _text(facts.get("requestId"))
        self.detail: Optional[str] = _text(facts.get("detail"))
        self.retry_after = retry_after
        self.seats_used: Optional[int] = facts.get("seatsUsed") if isinstance(facts.get("seatsUsed"), int) else None
        self.seats_total: Optional[int] = facts.get("seatsTotal") if isinstance(facts.get("seatsTotal"), int) else None
        self.next_free_at: Optional[datetime] = _instant(facts.get("nextFreeAt"))
        raw = facts.get("holders")
        self.holders: List[SeatHolder] = [
            SeatHolder(_text(h.get("hostname")), _text(h.get("userId")), _text(h.get("since")), _text(h.get("expiresAt")))
            for h in (raw if isinstance(raw, list) else [])
            if isinstance(h, dict)
        ]


class ServerUnreachableError(LeaseholdError):
    """The server could not be reached (network error, timeout, 5xx or 429 after the
    retries) and there was no usable cached token to fall back on.

    Example::

        except ServerUnreachableError as error:
            print(error, "Check your network or proxy settings.")
    """

    code = "SERVER_UNREACHABLE"


class OfflineGraceExpiredError(LeaseholdError):
    """The program may no longer run offline: the lease token's grace deadline passed.

    Example::

        except OfflineGraceExpiredError as error:
            print(f"offline since too long; grace ended {error.grace_ended_at}")
    """

    code = "OFFLINE_GRACE_EXPIRED"

    def __init__(self, message: str, grace_ended_at: Optional[datetime]) -> None:
        super().__init__(message)
        self.grace_ended_at = grace_ended_at


class ClockRollbackError(LeaseholdError):
    """The clock reads earlier than a time this machine already recorded: someone set
    it back, so offline time limits cannot be trusted.

    Example::

        except ClockRollbackError as error:
            print(f"clock is {error.behind_by_seconds} s behind")
    """

    code = "CLOCK_ROLLBACK"

    def __init__(self, message: str, behind_by_seconds: int) -> None:
        super().__init__(message)
        self.behind_by_seconds = behind_by_seconds


class TokenVerificationError(LeaseholdError):
    """A lease token failed verification; ``reason`` says which check failed
    (``malformed``, ``header``, ``unknown-key``, ``signature``, ``audience``, ``issuer``,
    ``fingerprint``, ``expired``, ``claims``).

    Example::

        except TokenVerificationError as error:
            if error.reason == "signature":
                report_tampering()
    """

    code = "LEASE_TOKEN_INVALID"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, code="FINGERPRINT_MISMATCH" if reason == "fingerprint" else "LEASE_TOKEN_INVALID")
        self.reason = reason


class NotLicensedError(LeaseholdError):
    """No lease is held, nor a license key or a sign-in to take one.

    Example::

        except NotLicensedError:
            print('Run "leasehold activate <key>" first.')
    """

    code = "NOT_LICENSED"


class ProtocolError(LeaseholdError):
    """The server answered something that is not the Leasehold protocol.

    Example::

        except ProtocolError as error:
            print("unexpected answer:", error)
    """

    code = "PROTOCOL_ERROR"


class LoginFailedError(LeaseholdError):
    """The device sign-in was declined, expired or failed.

    Example::

        except LoginFailedError as error:
            print(error)  # "The sign-in was declined in the browser."
    """

    code = "LOGIN_FAILED"


#: The client-side classes by code; a test checks it covers CLIENT_ERROR_CODES.
CLIENT_ERROR_CLASSES = {
    "SERVER_UNREACHABLE": ServerUnreachableError,
    "OFFLINE_GRACE_EXPIRED": OfflineGraceExpiredError,
    "CLOCK_ROLLBACK": ClockRollbackError,
    "LEASE_TOKEN_INVALID": TokenVerificationError,
    "NOT_LICENSED": NotLicensedError,
    "PROTOCOL_ERROR": ProtocolError,
    "LOGIN_FAILED": LoginFailedError,
}
