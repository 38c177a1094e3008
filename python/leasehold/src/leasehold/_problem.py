"""Problem+json answers turned into typed errors with a message a person can act on.

Example::

    from leasehold.errors import error_from_problem
    error_from_problem(403, {"code": "LICENSE_REVOKED"})  # LicenseRevokedError
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Dict, Mapping, Optional, Type

from ._codes import SERVER_ERROR_CLASSES, NoSeatAvailableError
from ._error_base import CLIENT_ERROR_CLASSES, LeaseholdError, ProtocolError, ServerError


#: What a person can do about each refusal (the same advice as the TypeScript SDK's).
ADVICE: Dict[str, str] = {
    "INVALID_LICENSE_KEY": "Check the license key for typing mistakes; it looks like ABCDE-FGHJK-MNPQR-STVWX-YZ012.",
    "LICENSE_NOT_FOUND": "No license matches this key for this product. Check the key and the product, or ask your administrator.",
    "UNAUTHENTICATED": "Sign in again (leasehold login) or provide a license key.",
    "TOKEN_INVALID": 'Your sign-in is no longer accepted. Sign in again with "leasehold login".',
    "FORBIDDEN": "Your account is not allowed to use this license. Ask your administrator for access.",
    "LICENSE_SUSPENDED": "This license is suspended. Ask your administrator or the vendor to reinstate it.",
    "LICENSE_REVOKED": "This license has been revoked. Ask your administrator for a new license key.",
    "LICENSE_EXPIRED": "This license has expired. Ask your administrator to renew it.",
    "FINGERPRINT_MISMATCH": "This session belongs to another machine. Start the program again to take a seat on this one.",
    "BORROW_NOT_ALLOWED": "Your plan does not allow borrowing a seat for offline use, or not for that long.",
    "SESSION_NOT_FOUND": "The seat was released (perhaps by an administrator). Start the program again to take a new one.",
    "SESSION_EXPIRED": "The seat lapsed while this program was out of touch and every seat is now taken. Try again later.",
    "RATE_LIMITED": "The license server is receiving too many requests. Wait a minute and try again.",
    "SERVICE_UNAVAILABLE": "The license server is temporarily unavailable. Try again in a few minutes.",
    "INTERNAL_ERROR": "The license server failed. Try again; if it persists, contact support with the request ID.",
    "VALIDATION_FAILED": "The request was refused as invalid; this is likely a bug in the program, please report it.",
}


def error_class(code: str) -> Type[LeaseholdError]:
    """The exception class of a code, server or client; ``ProtocolError`` for an unknown one.

    Example::

        error_class("NO_SEAT_AVAILABLE")  # NoSeatAvailableError
        error_class("CLOCK_ROLLBACK")     # ClockRollbackError
    """
    return SERVER_ERROR_CLASSES.get(code) or CLIENT_ERROR_CLASSES.get(code) or ProtocolError


def format_time(at: datetime, now: Optional[datetime] = None) -> str:
    """A time for a person, in local time: ``14:05`` today, ``2030-03-04 14:05`` another day.

    Example::

        format_time(datetime.now(timezone.utc))  # "14:05"
    """
    local = at.astimezone()
    today = (now or datetime.now().astimezone()).astimezone()
    hm = local.strftime("%H:%M")
    return hm if local.date() == today.date() else local.strftime("%Y-%m-%d %H:%M")


def _sentence(text: str) -> str:
    t = text.strip()
    return t if re.search(r"[.!?)]$", t) else f"{t}."


def _no_seat_message(error: ServerError, now: Optional[datetime]) -> str:
    total = error.seats_total
    if total is None:
        head = "Every seat of this license is in use"
    elif total == 1:
        head = "The one seat of this license is in use"
    else:
        head = f"All {total} seats of this license are in use"
    counts: Dict[str, int] = {}
    for holder in error.holders:
        name = holder.hostname or holder.user_id or "an unnamed machine"
        counts[name] = counts.get(name, 0) + 1
    names = [f"{name} ({n}×)" if n > 1 else name for name, n in counts.items()]
    shown = names[:5]
    by = f" (by {', '.join(shown)}{', …' if len(names) > len(shown) else ''})" if shown else ""
    if error.next_free_at is not None:
        nxt = f" The next one frees at {format_time(error.next_free_at, now)} unless released sooner."
    else:
        nxt = " Try again when a colleague closes the program, or ask your administrator for more seats."
    return f"{head}{by}.{nxt}"


def error_from_problem(
    status: int, problem: Mapping[str, Any], retry_after: Optional[float] = None, now: Optional[datetime] = None
) -> ServerError:
    """Turns a problem+json answer into the typed error of its code, with a message a
    person can act on.

    Example::

        error = error_from_problem(409, {"code": "NO_SEAT_AVAILABLE", "seatsTotal": 3, "holders": []})
        isinstance(error, NoSeatAvailableError)  # True
    """
    code = problem.get("code")
    if not isinstance(code, str) or code not in SERVER_ERROR_CLASSES:
        code = "INTERNAL_ERROR" if status >= 500 else "VALIDATION_FAILED"
    cls = SERVER_ERROR_CLASSES[code]
    if cls is NoSeatAvailableError:
        provisional = cls("", status=status, problem=problem, retry_after=retry_after)
        return cls(_no_seat_message(provisional, now), status=status, problem=problem, retry_after=retry_after)
    detail = problem.get("detail")
    title = problem.get("title")
    parts = [detail if isinstance(detail, str) and detail else title if isinstance(title, str) else f"HTTP {status}"]
    if code in ADVICE:
        parts.append(ADVICE[code])
    fields = problem.get("errors")
    if isinstance(fields, list) and fields:
        parts.append("(" + "; ".join(f"{e.get('path')}: {e.get('message')}" for e in fields if isinstance(e, dict)) + ")")
    return cls(" ".join(_sentence(p) for p in parts), status=status, problem=problem, retry_after=retry_after)
