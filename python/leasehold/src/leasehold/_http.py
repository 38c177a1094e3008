"""HTTP to the license server through the standard library: timeouts, TLS verification
(optionally against a custom CA bundle), the usual proxy environment variables
(``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``), and retries with exponential backoff and
full jitter on 429, 503 and network errors only, honouring ``Retry-After``.

Example::

    transport = Transport("https://lic.example.com")
    answer = transport.request("POST", "/api/v1/licenses/validate", {"product": "coditect", "licenseKey": key})
    answer.body["valid"]
"""

from __future__ import annotations

import http.client
import json
import random
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Mapping, Optional

from ._clock import SYSTEM_CLOCK, Clock
from ._error_base import ServerError, ServerUnreachableError
from ._problem import error_from_problem

__all__ = ["Response", "RetryPolicy", "Transport", "backoff_delay", "parse_retry_after"]

RETRYABLE_STATUS = (429, 503)


@dataclass(frozen=True)
class RetryPolicy:
    """How requests are retried on 429, 503 and network errors (a 4xx is a decision, never retried).

    Example::

        RetryPolicy(attempts=5, base_delay=0.25, max_delay=8.0)
    """

    attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 8.0
    #: A ``Retry-After`` longer than this ends the retries at once.
    max_retry_after: float = 60.0


def backoff_delay(attempt: int, policy: RetryPolicy, rand: Callable[[], float], retry_after: Optional[float]) -> float:
    """The delay in seconds before retry number ``attempt`` (0-based): full-jitter exponential
    backoff, at least the server's ``Retry-After`` when it sent one.

    Example::

        backoff_delay(2, RetryPolicy(base_delay=0.1, max_delay=1.0), random.random, None)  # 0 … 0.4
    """
    ceiling = min(policy.max_delay, policy.base_delay * 2.0**attempt)
    jittered = float(rand()) * ceiling
    return jittered if retry_after is None else max(float(retry_after), jittered)


def parse_retry_after(value: Optional[str], now_ms: float) -> Optional[float]:
    """``Retry-After`` in seconds: delay-seconds or an HTTP date; ``None`` when absent or unreadable.

    Example::

        parse_retry_after("3", time.time() * 1000)  # 3.0
    """
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        at = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, at.timestamp() - now_ms / 1000)


@dataclass(frozen=True)
class Response:
    """A successful answer: the parsed body, the status and the server's ``Date`` (ms).

    Example::

        answer.body, answer.status, answer.server_date_ms
    """

    body: Any
    status: int
    server_date_ms: Optional[float]


class Transport:
    """Sends requests to one license server. Every call settles within ``deadline``
    seconds whatever the network does (each try is bounded by ``timeout``).

    Example::

        transport = Transport("https://lic.example.com", timeout=10, ca_bundle="/etc/ssl/corp-ca.pem")
    """

    def __init__(
        self,
        server_url: str,
        *,
        timeout: float = 10.0,
        deadline: float = 25.0,
        retry: Optional[RetryPolicy] = None,
        ca_bundle: Optional[str] = None,
        user_agent: str = "leasehold-python/0.1.0",
        clock: Clock = SYSTEM_CLOCK,
        sleep: Callable[[float], None] = time.sleep,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.timeout = timeout
        self.deadline = deadline
        self.retry = retry or RetryPolicy()
        self.user_agent = user_agent
        self._clock = clock
        self._sleep = sleep
        self._rand = rand
        context = ssl.create_default_context(cafile=ca_bundle) if ca_bundle else ssl.create_default_context()
        # ProxyHandler() reads HTTP(S)_PROXY and honours NO_PROXY; TLS is always verified.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler(), urllib.request.HTTPSHandler(context=context))

    def request(
        self,
        method: str,
        path: str,
        body: Optional[Mapping[str, Any]] = None,
        *,
        form: bool = False,
        bearer: Optional[str] = None,
        authorization: Optional[str] = None,
        attempts: Optional[int] = None,
        timeout: Optional[float] = None,
        deadline: Optional[float] = None,
        accept_status: Callable[[int], bool] = lambda status: False,
    ) -> Response:
        """Sends one request (with retries) and returns the parsed JSON answer; a refusal
        raises the :class:`ServerError` subclass of its code; no answer in time raises
        :class:`ServerUnreachableError`.

        Example::

            transport.request("POST", "/api/v1/licenses/heartbeat", {"sessionId": sid, "sessionSecret": secret})
        """
        tries = max(1, attempts if attempts is not None else self.retry.attempts)
        bound = deadline if deadline is not None else self.deadline
        started = time.monotonic()
        last_failure: Optional[BaseException] = None
        for attempt in range(tries):
            remaining = bound - (time.monotonic() - started)
            if remaining <= 0.05:
                break
            retry_after: Optional[float] = None
            try:
                status, headers, raw = self._send(method, path, body, form, bearer, min(timeout or self.timeout, remaining), authorization)
            except (OSError, http.client.HTTPException, ValueError) as error:
                last_failure = error
            else:
                server_date = _parse_date(headers.get("date"))
                parsed = _parse_body(raw)
                if 200 <= status < 300 or accept_status(status):
                    return Response(parsed, status, server_date)
                retry_after = parse_retry_after(headers.get("retry-after"), self._clock.now())
                problem = parsed if isinstance(parsed, dict) else {}
                refusal = error_from_problem(status, problem, retry_after)
                if status not in RETRYABLE_STATUS:
                    raise refusal
                last_failure = refusal
                if retry_after is not None and retry_after > self.retry.max_retry_after:
                    break
            if attempt + 1 < tries:
                delay = backoff_delay(attempt, self.retry, self._rand, retry_after)
                if delay >= bound - (time.monotonic() - started):
                    break
                self._sleep(delay)
        raise _unreachable(self.server_url, last_failure)

    def _send(  # type: ignore[no-untyped-def]
        self, method: str, path: str, body: Optional[Mapping[str, Any]], form: bool, bearer: Optional[str], timeout: float, authorization: Optional[str] = None
    ):
        headers: Dict[str, str] = {"accept": "application/json, application/problem+json", "user-agent": self.user_agent}
        data: Optional[bytes] = None
        if bearer:
            headers["authorization"] = f"Bearer {bearer}"
        if authorization:
            # Another scheme for the whole header: "Workload <token>" for a CI job.
            headers["authorization"] = authorization
        if body is not None:
            if form:
                headers["content-type"] = "application/x-www-form-urlencoded"
                data = urllib.parse.urlencode(dict(body)).encode("ascii")
            else:
                body, moved = credential_headers(body, has_bearer=bool(bearer or authorization))
                headers.update(moved)
                headers["content-type"] = "application/json"
                data = json.dumps(body).encode("utf-8")
        request = urllib.request.Request(f"{self.server_url}{path}", data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=timeout) as answer:
                return answer.status, _lower(answer.headers), answer.read()
        except urllib.error.HTTPError as answer:
            with answer:
                return answer.code, _lower(answer.headers), answer.read()


SESSION_SECRET_HEADER = "leasehold-session-secret"


def credential_headers(body: Mapping[str, Any], has_bearer: bool) -> "tuple[Dict[str, Any], Dict[str, str]]":
    """Moves a licensing call's credentials out of the JSON body into the headers the
    server's security schemes name (``Authorization: License <key>``, ``Leasehold-Session-Secret``),
    where proxies and logs treat them as secrets. A call with a bearer token keeps its key in the body.

    >>> credential_headers({"sessionId": "ses_1", "sessionSecret": "s"}, has_bearer=False)
    ({'sessionId': 'ses_1'}, {'leasehold-session-secret': 's'})
    """
    kept = dict(body)
    headers: Dict[str, str] = {}
    key = kept.get("licenseKey")
    if isinstance(key, str) and not has_bearer:
        headers["authorization"] = f"License {kept.pop('licenseKey')}"
    secret = kept.get("sessionSecret")
    if isinstance(secret, str):
        headers[SESSION_SECRET_HEADER] = kept.pop("sessionSecret")
    return kept, headers


def _lower(headers: Any) -> Dict[str, str]:
    return {k.lower(): v for k, v in headers.items()} if headers else {}


def _parse_body(raw: bytes) -> Any:
    if not raw:
        return {}
    try:
        return json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {"detail": raw[:200].decode("utf-8", "replace")}


def _parse_date(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).timestamp() * 1000
    except (TypeError, ValueError):
        return None


def _unreachable(server_url: str, failure: Optional[BaseException]) -> ServerUnreachableError:
    if isinstance(failure, ServerError):
        error = ServerUnreachableError(f"The license server at {server_url} is not answering properly ({failure}) Try again in a few minutes.")
    else:
        reason = getattr(failure, "reason", None) or failure
        if isinstance(failure, (socket.timeout, TimeoutError)) or isinstance(reason, (socket.timeout, TimeoutError)):
            reason = "no answer in time"
        cause = f" ({reason})" if reason else ""
        error = ServerUnreachableError(f"Cannot reach the license server at {server_url}{cause}. Check your network connection, proxy or firewall.")
    error.__cause__ = failure
    return error
