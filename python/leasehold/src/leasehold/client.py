"""The lease client: one seat of one product on one license server.

Example::

    from leasehold import LeaseClient

    client = LeaseClient("https://lic.example.com", "coditect", jwks=SHIPPED_JWKS)
    with client.lease() as lease:
        if lease.has_feature("pro"):
            enable_pro()
        run_the_program()
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import random
import socket
import math
import threading
import time
import uuid
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Union

from . import _exit_hooks
from ._ci import workload_identity
from ._clock import SYSTEM_CLOCK, Clock
from ._error_base import (
    ClockRollbackError,
    LeaseholdError,
    NotLicensedError,
    OfflineGraceExpiredError,
    ProtocolError,
    ServerError,
    ServerUnreachableError,
    TokenVerificationError,
)
from ._http import RetryPolicy, Transport
from ._license_key import license_key_problem, normalise_license_key
from ._probes import FingerprintProbes
from .auth import current_access_token
from ._codes import InvalidLicenseKeyError, NoSeatAvailableError
from ._problem import format_time
from .fingerprint import Fingerprint, compute_fingerprint
from .state import LeaseStateStore, default_state_dir, normalise_server_url
from .status import LeaseStatus
from .token import KeyRing, VerifiedLeaseToken, decode_lease_token_unverified, verify_lease_token

__all__ = ["Lease", "LeaseClient"]

log = logging.getLogger("leasehold")

PATHS = {
    "acquire": "/api/v1/licenses/acquire",
    "heartbeat": "/api/v1/licenses/heartbeat",
    "release": "/api/v1/licenses/release",
    "validate": "/api/v1/licenses/validate",
    "borrow": "/api/v1/licenses/borrow",
    "return": "/api/v1/licenses/return",
    "jwks": "/.well-known/jwks.json",
}
# Codes after which a cached token must not be used any more.
TERMINAL_LICENSE_CODES = {"LICENSE_REVOKED", "LICENSE_SUSPENDED", "LICENSE_EXPIRED", "LICENSE_NOT_FOUND"}
SESSION_GONE_CODES = {"SESSION_NOT_FOUND", "SESSION_EXPIRED", "FINGERPRINT_MISMATCH"}
OFFLINE_RETRY_SECONDS = 15.0
EVENTS = ("renewed", "offline", "recovered", "lost", "queued")
# How long one poll of the seat queue asks the server to hold it (the server holds at most 20 s).
MAX_HOLD_SECONDS = 15

Listener = Callable[..., None]


def _at(seconds: Any) -> Optional[datetime]:
    return datetime.fromtimestamp(seconds, timezone.utc) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else None


def _iso(ms: float) -> str:
    return datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _os_name() -> str:
    # Named as Node's os.platform() names it, so both SDKs report one platform the same way.
    return {"windows": "win32"}.get(platform.system().lower(), platform.system().lower())


def _checked_license_key(key: Optional[str]) -> Optional[str]:
    if not key:
        return None
    canonical = normalise_license_key(key)
    problem = license_key_problem(canonical)
    if problem:
        raise InvalidLicenseKeyError(f"This is not a valid license key: {problem}.", status=400)
    return canonical


class LeaseClient:
    """A seat of one product on one license server: take it, keep it alive from a daemon
    thread (which never keeps the interpreter alive), work offline on the cached, locally
    verified lease token up to its grace deadline, borrow it, and give it back on exit
    (``atexit``, ``sys.exit()``, SIGTERM, SIGHUP, and SIGINT when it ends the program).
    Thread-safe.

    Without ``license_key``, the key stored by ``leasehold activate`` is used, then, in CI,
    the job's workload identity token (GitHub Actions' with ``permissions: id-token: write``,
    or ``LEASEHOLD_CI_TOKEN``; ``ci_identity=False`` turns this off), then the person signed
    in with ``leasehold login`` (or :func:`leasehold.device_login`).

    With ``wait=N``, an acquire that finds every seat taken waits up to N seconds in the
    server's seat queue (seats that free go to waiters in order) instead of raising
    :class:`NoSeatAvailableError` at once; ``on("queued", ...)`` hears the place after each
    poll, and the error's ``problem["queue"]`` holds it when the wait runs out.

    Example::

        client = LeaseClient(
            "https://lic.example.com", "coditect",
            license_key=os.environ.get("CODITECT_LICENSE_KEY"),
            jwks=json.load(open("leasehold-jwks.json")),   # pinned: verifies offline
        )
        client.on("lost", lambda error, status: print(error, file=sys.stderr))
        status = client.acquire()
        print(status.mode, status.entitlements)
    """

    def __init__(
        self,
        server_url: str,
        product: str,
        *,
        license_key: Optional[str] = None,
        access_token: Union[str, Callable[[], Optional[str]], None] = None,
        jwks: Optional[Mapping[str, Any]] = None,
        issuer: Optional[str] = None,
        fingerprint: Optional[str] = None,
        fingerprint_salt: str = "",
        probes: Optional[FingerprintProbes] = None,
        state_dir: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        client_version: Optional[str] = None,
        hostname: Optional[str] = None,
        heartbeat: bool = True,
        release_on_exit: bool = True,
        allow_offline: bool = True,
        remember_license_key: bool = False,
        ci_identity: bool = True,
        wait: float = 0,
        clock_tolerance_seconds: float = 300,
        timeout: float = 10.0,
        deadline: float = 25.0,
        retry: Optional[RetryPolicy] = None,
        ca_bundle: Optional[str] = None,
        clock: Optional[Clock] = None,
        on_renewed: Optional[Listener] = None,
        on_offline: Optional[Listener] = None,
        on_recovered: Optional[Listener] = None,
        on_lost: Optional[Listener] = None,
        on_queued: Optional[Listener] = None,
    ) -> None:
        if not server_url:
            raise ValueError("server_url is required")
        if not product:
            raise ValueError("product is required")
        self._env: Mapping[str, str] = os.environ if env is None else env
        self.product = product
        self.server_url = normalise_server_url(server_url)
        self.state_dir = state_dir or default_state_dir(self._env)
        self._license_key = license_key
        self._access_token = access_token
        self._pinned = jwks
        self._issuer = issuer
        self._fingerprint_override = fingerprint
        self._fingerprint_salt = fingerprint_salt
        self._probes = probes
        self._client_version = client_version
        self._hostname = hostname
        self._heartbeat_enabled = heartbeat
        self._release_on_exit = release_on_exit
        self._allow_offline = allow_offline
        self._remember_key = remember_license_key
        self._ci_identity = ci_identity
        self._wait = max(0.0, float(wait))
        self._tolerance_ms = clock_tolerance_seconds * 1000
        self._clock: Clock = clock or SYSTEM_CLOCK
        self._store = LeaseStateStore(self.state_dir, self.server_url, product)
        version = f"leasehold-python/0.1.0{f' {client_version}' if client_version else ''}"
        self._transport = Transport(
            self.server_url, timeout=timeout, deadline=deadline, retry=retry, ca_bundle=ca_bundle or self._env.get("LEASEHOLD_CA_BUNDLE"),
            user_agent=version, clock=self._clock,
        )
        self._lock = threading.RLock()
        self._listeners: Dict[str, List[Listener]] = {name: [] for name in EVENTS}
        for name, listener in (("renewed", on_renewed), ("offline", on_offline), ("recovered", on_recovered), ("lost", on_lost), ("queued", on_queued)):
            if listener:
                self._listeners[name].append(listener)
        self._fetched_keys: Optional[Dict[str, Any]] = None
        self._fp: Optional[Fingerprint] = None
        self._state: Optional[Dict[str, Any]] = None
        self._claims: Optional[Dict[str, Any]] = None
        self._mode = "idle"
        self._error: Optional[LeaseholdError] = None
        self._last_renewed_at: Optional[datetime] = None
        self._seats: Optional[Dict[str, int]] = None
        self._thread: Optional[threading.Thread] = None
        self._wake = threading.Event()
        self._next_delay: Optional[float] = None
        self._hooked = False

    # --- events -----------------------------------------------------------

    def on(self, event: str, listener: Listener) -> Listener:
        """Calls ``listener`` on an event: ``renewed(status)``, ``offline(error, status)``,
        ``recovered(status)``, ``lost(error, status)``. Listeners run on the heartbeat
        thread; an exception in one is logged, never fatal. Returns the listener.

        Example::

            client.on("offline", lambda error, s: print(f"offline until {s.offline_grace_until}"))
            client.on("lost", lambda error, s: os._exit(6))
        """
        if event not in self._listeners:
            raise ValueError(f"unknown event {event!r}; one of {', '.join(EVENTS)}")
        self._listeners[event].append(listener)
        return listener

    def _emit(self, event: str, *args: Any) -> None:
        for listener in list(self._listeners[event]):
            try:
                listener(*args)
            except Exception:
                log.exception("leasehold: a %s listener failed", event)

    # --- public operations ------------------------------------------------

    def fingerprint(self) -> Fingerprint:
        """This machine's fingerprint for the product (computed once).

        Example::

            client.fingerprint().fingerprint  # "7f85ca88…"
        """
        with self._lock:
            if self._fp is None:
                self._fp = compute_fingerprint(
                    self.product, override=self._fingerprint_override, salt=self._fingerprint_salt, probes=self._probes, env=self._env
                )
            return self._fp

    def acquire(self) -> LeaseStatus:
        """Takes a seat. Online: asks the server, verifies the token, caches it and starts
        heartbeats. Server unreachable: carries on with the cached token until its
        offline-grace deadline, else raises :class:`ServerUnreachableError`. A refusal (no
        seat, revoked, …) raises the error class of its code.

        Example::

            try:
                status = client.acquire()
            except NoSeatAvailableError as error:
                sys.exit(f"{error}")
        """
        with self._lock:
            fp = self.fingerprint()
            state = self._store.load() or self._store.empty(self._clock.now())
            self._state = state
            borrowed = self._usable_borrow(state, fp.fingerprint)
            if borrowed:
                self._claims = borrowed.claims
                self._mode = "borrowed"
                self._persist()
                return self.status()
            try:
                self._acquire_online(fp)
            except ServerUnreachableError as error:
                if not self._allow_offline:
                    raise
                self._continue_offline(error)
            except ServerError as error:
                if error.code in TERMINAL_LICENSE_CODES:
                    self._forget_session()
                raise
            return self.status()

    def heartbeat(self) -> LeaseStatus:
        """Renews the lease now (the background thread calls this at the server's interval).
        After an offline start without a session, it takes a seat instead.

        Example::

            client.heartbeat().lease_expires_at
        """
        with self._lock:
            if self._mode == "offline" and not (self._state or {}).get("sessionId"):
                self._acquire_online(self.fingerprint(), start=False)
                status = self.status()
                self._emit("recovered", status)
                return status
            state = self._require_session()
            answer = self._transport.request(
                "POST", PATHS["heartbeat"], {"sessionId": state["sessionId"], "sessionSecret": state["sessionSecret"]}, attempts=2
            )
            body = self._body(answer.body, "leaseToken")
            was_offline = self._mode == "offline"
            if body["leaseToken"] != state.get("leaseToken") or not self._claims:
                self._claims = self._verify_online(body["leaseToken"]).claims
            state["leaseToken"] = body["leaseToken"]
            if isinstance(body.get("heartbeatIntervalSeconds"), int):
                state["heartbeatIntervalSeconds"] = body["heartbeatIntervalSeconds"]
            self._mark_online(answer.server_date_ms)
            self._persist()
            status = self.status()
        if was_offline:
            self._emit("recovered", status)
        self._emit("renewed", status)
        return status

    def release(self) -> None:
        """Gives the seat back now and stops heartbeats. A borrowed seat stays borrowed
        (use :meth:`return_borrow`). The last token stays cached: the license's offline
        grace still covers a later start without network.

        Example::

            client.release()
        """
        self._stop_heartbeats()
        self._unhook()
        with self._lock:
            state = self._state or self._store.load()
            if not state or not state.get("sessionId") or not state.get("sessionSecret"):
                self._mode = "released"
                return
            self._state = state
            if self._mode == "borrowed" or self._usable_borrow(state, self.fingerprint().fingerprint):
                return
            credentials = {"sessionId": state["sessionId"], "sessionSecret": state["sessionSecret"]}
            self._forget_session(keep_token=True)
            self._mode = "released"
            try:
                self._transport.request("POST", PATHS["release"], credentials, attempts=2, timeout=5)
            except ServerError as error:
                if error.code != "SESSION_NOT_FOUND":  # already gone is what we wanted
                    raise

    def borrow(self, duration_seconds: float) -> LeaseStatus:
        """Checks the seat out for offline use for ``duration_seconds`` (up to the plan's
        ``maxBorrowSeconds``): the seat stays held on the server and the token works
        offline until then, across restarts.

        Example::

            client.borrow(3 * 86400)  # three days on a plane
        """
        with self._lock:
            if self._mode == "idle":
                self.acquire()
            state = self._require_session()
            answer = self._transport.request(
                "POST",
                PATHS["borrow"],
                {"sessionId": state["sessionId"], "sessionSecret": state["sessionSecret"], "durationSeconds": int(round(duration_seconds))},
            )
            body = self._body(answer.body, "leaseToken")
            self._claims = self._verify_online(body["leaseToken"]).claims
            state["leaseToken"] = body["leaseToken"]
            self._mark_online(answer.server_date_ms)
            self._mode = "borrowed"
            self._persist()
        self._stop_heartbeats()
        self._unhook()
        return self.status()

    def return_borrow(self) -> None:
        """Ends a borrow early and frees the seat on the server.

        Example::

            client.return_borrow()
        """
        self._stop_heartbeats()
        self._unhook()
        with self._lock:
            state = self._state or self._store.load()
            if not state or not state.get("sessionId") or not state.get("sessionSecret"):
                raise NotLicensedError("Nothing is borrowed on this machine.")
            self._state = state
            self._transport.request("POST", PATHS["return"], {"sessionId": state["sessionId"], "sessionSecret": state["sessionSecret"]})
            self._forget_session()
            self._mode = "released"

    def validate(self) -> Dict[str, Any]:
        """Checks the license key (or the cached token) online without taking a seat:
        ``{"valid": …, "code": …, "detail": …, "license": {…}}``.

        Example::

            if not client.validate()["valid"]: ...
        """
        state = self._state or self._store.load() or {}
        key = _checked_license_key(self._license_key or state.get("licenseKey"))
        if key:
            body: Dict[str, Any] = {"product": self.product, "licenseKey": key}
        elif state.get("leaseToken"):
            body = {"leaseToken": state["leaseToken"]}
        else:
            raise self._not_licensed()
        return dict(self._transport.request("POST", PATHS["validate"], body).body)

    def status(self) -> LeaseStatus:
        """The lease right now, judged by the clock: an offline lease past its grace
        deadline (or on a clock set back) reads ``lost``, and the ``lost`` event fires.

        Example::

            client.status().mode  # "online"
        """
        self._check_deadlines()
        claims = self._claims or {}
        state = self._state or {}
        return LeaseStatus(
            mode=self._mode,
            product=self.product,
            server_url=self.server_url,
            session_id=state.get("sessionId"),
            license_id=claims.get("license_id") or state.get("licenseId"),
            entitlements=list(claims.get("entitlements") or []),
            lease_expires_at=_at(claims.get("lease_expires_at")),
            offline_grace_until=_at(claims.get("exp")),
            borrowed_until=_at(claims.get("borrowed_until")),
            last_renewed_at=self._last_renewed_at,
            heartbeat_interval_seconds=state.get("heartbeatIntervalSeconds"),
            seats=self._seats,
            fingerprint=self._fp.fingerprint if self._fp else None,
            error=self._error,
        )

    def assert_licensed(self) -> LeaseStatus:
        """Raises the reason the program may not use licensed features now, if any
        (grace ended, clock set back, seat lost, never acquired); returns the status.

        Example::

            def run_command():
                client.assert_licensed()
                ...
        """
        status = self.status()
        if status.licensed:
            return status
        raise status.error or self._not_licensed()

    @property
    def entitlements(self) -> List[str]:
        """The features the lease grants (empty when not licensed).

        Example::

            client.entitlements  # ["core", "pro"]
        """
        status = self.status()
        return status.entitlements if status.licensed else []

    def has_feature(self, name: str) -> bool:
        """Whether the lease grants this entitlement now.

        Example::

            if client.has_feature("pro"): enable_pro()
        """
        return self.status().has_feature(name)

    @contextlib.contextmanager
    def lease(self) -> Iterator["Lease"]:
        """Acquires on entry and releases on exit, whatever ends the block.

        Example::

            with client.lease() as lease:
                print(lease.status().mode)
                if lease.has_feature("pro"): ...
        """
        self.acquire()
        try:
            yield Lease(self)
        finally:
            try:
                self.release()
            except LeaseholdError as error:
                log.warning("leasehold: releasing the seat failed: %s", error)

    def remember_license_key(self, license_key: str) -> None:
        """Stores a license key for this product, as ``leasehold activate`` does, so runs
        without one use it.

        Example::

            client.remember_license_key("ABCDE-FGHJK-MNPQR-STVWX-YZ012")
        """
        with self._lock:
            self._state = self._state or self._store.load() or self._store.empty(self._clock.now())
            self._state["licenseKey"] = license_key.strip().upper()
            self._persist()

    def close(self) -> None:
        """Stops heartbeats and exit hooks without releasing the seat (it lapses after the lease TTL).

        Example::

            client.close()
        """
        self._stop_heartbeats()
        self._unhook()

    # --- online -----------------------------------------------------------

    def _acquire_online(self, fp: Fingerprint, start: bool = True) -> None:
        state = self._state if self._state is not None else self._store.empty(self._clock.now())
        self._state = state
        key = _checked_license_key(self._license_key or state.get("licenseKey"))
        # In CI without a key: the job's workload identity token, mapped to a license on the server.
        ci = None if key or not self._ci_identity else workload_identity(self._env, self.server_url)
        if ci:
            # The seat is the job's: its fingerprint comes from the token, as the server derives it.
            self._fp = fp = ci.fingerprint
        bearer = None if key or ci else self._bearer()
        if not key and not bearer and not ci:
            if state.get("sessionId") and state.get("sessionSecret"):
                # Activated earlier without a stored key: resume the cached session.
                self.heartbeat()
                self._start_heartbeats()
                return
            raise self._not_licensed()
        request: Dict[str, Any] = {
            "product": self.product,
            "fingerprint": fp.fingerprint,
            "fingerprintComponents": fp.components,
            "hostname": (self._hostname or self._env.get("LEASEHOLD_HOSTNAME") or socket.gethostname())[:255] or "unknown",
            "platform": f"{_os_name()}-{platform.release()}"[:64],
            # One key per acquire() call: a retry after a lost answer (or the next poll of a wait) gets the same seat back.
            "idempotencyKey": f"acq-{uuid.uuid4()}",
        }
        if key:
            request["licenseKey"] = key
        if self._client_version:
            request["clientVersion"] = self._client_version[:64]
        answer = self._acquire_in_line(request, bearer, f"Workload {ci.token}" if ci else None)
        body = self._body(answer.body, "sessionId", "sessionSecret", "leaseToken")
        try:
            verified = self._verify_online(body["leaseToken"])
        except LeaseholdError:
            # A token we cannot trust is no seat: give it back rather than hold it.
            with contextlib.suppress(LeaseholdError):
                self._transport.request(
                    "POST", PATHS["release"], {"sessionId": body["sessionId"], "sessionSecret": body["sessionSecret"]}, attempts=1
                )
            raise
        for name in ("sessionId", "sessionSecret", "licenseId", "leaseToken", "heartbeatIntervalSeconds", "leaseTtlSeconds"):
            state[name] = body.get(name)
        if self._remember_key and self._license_key:
            state["licenseKey"] = self._license_key
        self._claims = verified.claims
        self._seats = body.get("seats")
        self._mark_online(answer.server_date_ms)
        self._persist()
        if start:
            self._start_heartbeats()
        self._emit("renewed", self.status())

    def _acquire_in_line(self, request: Dict[str, Any], bearer: Optional[str], authorization: Optional[str]) -> Any:
        """Asks for the seat; with ``wait``, waits in the server's seat queue for up to that
        long, polling with the place's ticket (each poll held by the server up to 15 s) and
        emitting ``queued`` with the place (``ticket``, ``position``, ``waiting``,
        ``estimatedWaitSeconds``) after each. One idempotency key throughout."""
        wait_until = time.monotonic() + self._wait
        ticket: Optional[str] = None
        while True:
            remaining = math.ceil(wait_until - time.monotonic())
            hold = min(remaining, MAX_HOLD_SECONDS)
            body = {**request, **({"wait": hold} if hold > 0 else {}), **({"queueTicket": ticket} if ticket else {})}
            # A held poll may take the whole hold: the usual bounds, plus the hold.
            bounds: Dict[str, float] = (
                {"timeout": self._transport.timeout + hold, "deadline": self._transport.deadline + hold} if hold > 0 else {}
            )
            try:
                return self._transport.request("POST", PATHS["acquire"], body, bearer=bearer, authorization=authorization, **bounds)
            except NoSeatAvailableError as error:
                place = error.problem.get("queue") if isinstance(error.problem, dict) else None
                if not isinstance(place, dict) or remaining <= MAX_HOLD_SECONDS:
                    raise
                ticket = str(place.get("ticket"))
                self._emit("queued", place)

    def _bearer(self) -> Optional[str]:
        given = self._access_token
        if isinstance(given, str):
            return given
        if callable(given):
            return given()
        try:
            return current_access_token(self.server_url, state_dir=self.state_dir, transport=self._transport, clock=self._clock)
        except ServerUnreachableError:
            raise  # signed in, server away: the cached token may carry on offline
        except LeaseholdError:
            return None

    def _verify_online(self, token: str) -> VerifiedLeaseToken:
        expect = self._expectations(self.fingerprint().fingerprint)
        try:
            return verify_lease_token(token, KeyRing(self._pinned, self._fetched_keys), **expect)
        except TokenVerificationError as error:
            if error.reason != "unknown-key":
                raise
        keys = self._transport.request("GET", PATHS["jwks"], attempts=2).body
        self._fetched_keys = keys if isinstance(keys, dict) else None
        if self._state is not None and self._fetched_keys:
            self._state["jwks"] = self._fetched_keys
        return verify_lease_token(token, KeyRing(self._pinned, self._fetched_keys), **expect)

    def _mark_online(self, server_date_ms: Optional[float]) -> None:
        self._mode = "online"
        self._error = None
        self._last_renewed_at = datetime.fromtimestamp(self._clock.now() / 1000, timezone.utc)
        if self._state is not None and server_date_ms:
            self._state["lastSeenAt"] = int(max(self._state.get("lastSeenAt", 0), server_date_ms))

    # --- offline ----------------------------------------------------------

    def _continue_offline(self, cause: ServerUnreachableError) -> None:
        state = self._state or {}
        fp = self.fingerprint().fingerprint
        if not state.get("leaseToken"):
            raise cause
        self._check_clock(state)
        keys = KeyRing(self._pinned or state.get("jwks"))
        try:
            self._claims = verify_lease_token(state["leaseToken"], keys, **self._expectations(fp)).claims
            self._check_clock(state)
        except TokenVerificationError as error:
            if error.reason == "expired":
                # The signature held (expiry is checked after it): the deadline can be shown.
                self._claims = decode_lease_token_unverified(state["leaseToken"])
                raise self._grace_expired() from error
            raise
        self._fetched_keys = None
        self._mode = "offline"
        self._error = cause
        with contextlib.suppress(OSError):
            self._persist()
        self._emit("offline", cause, self.status())
        self._start_heartbeats(OFFLINE_RETRY_SECONDS)

    def _usable_borrow(self, state: Dict[str, Any], fingerprint: str) -> Optional[VerifiedLeaseToken]:
        if not state.get("leaseToken"):
            return None
        try:
            verified = verify_lease_token(state["leaseToken"], KeyRing(self._pinned or state.get("jwks")), **self._expectations(fingerprint))
            until = verified.claims.get("borrowed_until")
            if not isinstance(until, (int, float)) or until * 1000 <= self._clock.now():
                return None
            self._claims = verified.claims
            self._check_clock(state)
            return verified
        except ClockRollbackError:
            raise
        except LeaseholdError:
            return None

    def _check_clock(self, state: Mapping[str, Any]) -> None:
        now = self._clock.now()
        iat = (self._claims or {}).get("iat") or 0
        latest = max(float(state.get("lastSeenAt") or 0), float(iat) * 1000)
        if now < latest - self._tolerance_ms:
            behind = int(round((latest - now) / 1000))
            raise ClockRollbackError(
                f"This computer's clock reads {_iso(now)}, earlier than {_iso(latest)}, a time it already passed ({behind} s back). "
                "Set the clock to the correct time, then start again; offline use is refused until then.",
                behind,
            )

    def _check_deadlines(self) -> None:
        if self._mode not in ("offline", "borrowed"):
            return
        try:
            if self._state:
                self._check_clock(self._state)
        except ClockRollbackError as error:
            self._lose(error)
            return
        exp = (self._claims or {}).get("exp")
        if isinstance(exp, (int, float)) and self._clock.now() >= exp * 1000:
            self._lose(self._grace_expired())

    def _grace_expired(self) -> OfflineGraceExpiredError:
        exp = (self._claims or {}).get("exp")
        end = _at(exp)
        when = f" at {format_time(end, datetime.fromtimestamp(self._clock.now() / 1000, timezone.utc))}" if end else ""
        return OfflineGraceExpiredError(
            f"The license server at {self.server_url} has not been reachable and the offline grace period of this license ended{when}. "
            "Connect to the network (or the VPN) and start the program again.",
            end,
        )

    def _lose(self, error: LeaseholdError) -> None:
        if self._mode == "lost":
            return
        self._mode = "lost"
        self._error = error
        self._stop_heartbeats(join=False)
        self._emit("lost", error, self.status())

    # --- heartbeat thread -------------------------------------------------

    def _interval(self) -> float:
        return float(max(1, (self._state or {}).get("heartbeatIntervalSeconds") or 60))

    def _jittered(self, seconds: float) -> float:
        # Up to 10 % early, never late: many clients started together spread out.
        return seconds * (0.9 + 0.1 * random.random())

    def _start_heartbeats(self, first_delay: Optional[float] = None) -> None:
        if self._release_on_exit and not self._hooked:
            self._hooked = True
            _exit_hooks.register(self)
        if not self._heartbeat_enabled:
            return
        self._next_delay = first_delay if first_delay is not None else self._jittered(self._interval())
        if self._thread is None or not self._thread.is_alive():
            self._wake.clear()
            # daemon: the heartbeat never keeps the interpreter alive once the program is done.
            self._thread = threading.Thread(target=self._run_heartbeats, name=f"leasehold-heartbeat-{self.product}", daemon=True)
            self._thread.start()
        else:
            self._wake.set()

    def _stop_heartbeats(self, join: bool = True) -> None:
        self._next_delay = None
        self._wake.set()
        thread = self._thread
        self._thread = None
        if join and thread is not None and thread is not threading.current_thread():
            thread.join(timeout=0.1)

    def _run_heartbeats(self) -> None:
        me = threading.current_thread()
        while self._thread is me:
            delay = self._next_delay
            if delay is None:
                return
            if self._wake.wait(delay):
                self._wake.clear()
                continue  # rescheduled or stopped
            if self._thread is not me:
                return
            self._tick()

    def _tick(self) -> None:
        try:
            self.heartbeat()
            self._next_delay = self._jittered(self._interval())
        except ServerUnreachableError as error:
            if self._mode in ("released", "lost"):
                return
            self._on_unreachable(error)
        except LeaseholdError as error:
            if self._mode in ("released", "lost"):
                return
            if isinstance(error, ServerError) and (error.code in SESSION_GONE_CODES or error.code in TERMINAL_LICENSE_CODES):
                with contextlib.suppress(OSError):
                    self._forget_session()
            self._lose(error)
        except Exception as error:  # never let the thread die silently
            if self._mode not in ("released", "lost"):
                self._lose(ProtocolError(str(error)))

    def _on_unreachable(self, error: ServerUnreachableError) -> None:
        if self._mode != "offline":
            self._mode = "offline"
            self._error = error
            self._emit("offline", error, self.status())
        self._check_deadlines()
        if self._mode != "offline":
            return
        grace_left = ((self._claims or {}).get("exp", 0) * 1000 - self._clock.now()) / 1000
        self._next_delay = max(1.0, min(OFFLINE_RETRY_SECONDS, self._interval(), grace_left))

    # --- exit -------------------------------------------------------------

    def _release_for_exit(self) -> None:
        """Called once by the exit hooks: a bounded, best-effort release."""
        self._hooked = False
        self._next_delay = None
        self._wake.set()
        state = self._state
        # Offline the server is not answering, and a borrowed seat stays out: nothing to send.
        if self._mode in ("borrowed", "offline", "released") or not state or not state.get("sessionId") or not state.get("sessionSecret"):
            return
        credentials = {"sessionId": state["sessionId"], "sessionSecret": state["sessionSecret"]}
        self._mode = "released"
        with contextlib.suppress(Exception):
            self._transport.request("POST", PATHS["release"], credentials, attempts=1, timeout=2)
        if self._lock.acquire(timeout=0.5):
            try:
                self._forget_session(keep_token=True)
            except OSError:
                pass
            finally:
                self._lock.release()

    def _unhook(self) -> None:
        if self._hooked:
            _exit_hooks.unregister(self)
        self._hooked = False

    # --- state ------------------------------------------------------------

    def _require_session(self) -> Dict[str, Any]:
        state = self._state
        if not state or not state.get("sessionId") or not state.get("sessionSecret"):
            raise self._not_licensed()
        return state

    def _persist(self) -> None:
        state = self._state
        if state is None:
            return
        state["lastSeenAt"] = int(max(float(state.get("lastSeenAt") or 0), self._clock.now()))
        self._store.save(state)

    def _forget_session(self, keep_token: bool = False) -> None:
        state = self._state
        if state is None:
            return
        state.pop("sessionId", None)
        state.pop("sessionSecret", None)
        if not keep_token:
            state.pop("leaseToken", None)
            state.pop("licenseId", None)
            self._claims = None
        self._persist()

    def _expectations(self, fingerprint: str) -> Dict[str, Any]:
        return {"product": self.product, "fingerprint": fingerprint, "now_ms": self._clock.now(), "issuer": self._issuer}

    def _body(self, body: Any, *required: str) -> Dict[str, Any]:
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in required):
            raise ProtocolError(f"The license server at {self.server_url} answered something that is not the Leasehold protocol.")
        return body

    def _not_licensed(self) -> NotLicensedError:
        return NotLicensedError(
            f"No license for {self.product} is set up on this machine. "
            'Run "leasehold activate <license-key>" or "leasehold login", or pass a license key.'
        )


class Lease:
    """The live view of a held seat that ``with client.lease() as lease:`` gives.

    Example::

        with client.lease() as lease:
            lease.assert_licensed()
            print(lease.session_id, lease.entitlements, lease.has_feature("pro"))
    """

    def __init__(self, client: LeaseClient) -> None:
        self.client = client

    def status(self) -> LeaseStatus:
        """The lease now. Example: ``lease.status().mode``."""
        return self.client.status()

    def assert_licensed(self) -> LeaseStatus:
        """Raises when licensed features may not be used now. Example: ``lease.assert_licensed()``."""
        return self.client.assert_licensed()

    def has_feature(self, name: str) -> bool:
        """Whether the lease grants an entitlement. Example: ``lease.has_feature("pro")``."""
        return self.client.has_feature(name)

    @property
    def entitlements(self) -> List[str]:
        """The granted features. Example: ``lease.entitlements  # ["core", "pro"]``."""
        return self.client.entitlements

    @property
    def session_id(self) -> Optional[str]:
        """The server's session id. Example: ``lease.session_id  # "ses_…"``."""
        return self.client.status().session_id

    @property
    def mode(self) -> str:
        """``online``, ``offline``, ``borrowed``, ``lost``…. Example: ``lease.mode``."""
        return self.client.status().mode
