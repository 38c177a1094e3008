"""Signing a person in with the OAuth 2.0 device authorization grant (RFC 8628). The
tokens are stored where and how the ``leasehold`` CLI stores them
(``<state dir>/credentials/<server hash>.json``, mode 0600), so ``leasehold login`` and
:func:`device_login` sign in the same person for both SDKs.

Example::

    from leasehold import device_login
    device_login("https://lic.example.com",
                 on_user_code=lambda p: print(f"Open {p.verification_uri_complete or p.verification_uri}, code {p.user_code}"))
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Mapping, Optional

from ._clock import SYSTEM_CLOCK, Clock
from ._error_base import LoginFailedError, ProtocolError
from ._http import Transport
from .state import default_state_dir, normalise_server_url, read_json_file, server_hash, write_json_file_atomic

__all__ = ["DeviceCodePrompt", "credentials_path", "current_access_token", "device_login", "load_credentials", "logout"]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DEFAULT_CLIENT_ID = "leasehold-cli"


@dataclass(frozen=True)
class DeviceCodePrompt:
    """What the person has to do to finish signing in (RFC 8628 §3.2).

    Example::

        def show(prompt: DeviceCodePrompt) -> None:
            print(f"Open {prompt.verification_uri} and enter {prompt.user_code}")
    """

    user_code: str
    verification_uri: str
    verification_uri_complete: Optional[str]
    expires_in_seconds: int


def credentials_path(state_dir: str, server_url: str) -> str:
    """Where the sign-in for one server is stored.

    Example::

        credentials_path("/home/alice/.config/leasehold", "https://lic.example.com")
    """
    return os.path.join(state_dir, "credentials", f"{server_hash(server_url)}.json")


def load_credentials(server_url: str, state_dir: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """The stored sign-in (``accessToken``, ``refreshToken``, ``expiresAt`` in ms, …), or ``None``.

    Example::

        creds = load_credentials("https://lic.example.com")
    """
    creds = read_json_file(credentials_path(state_dir or default_state_dir(), server_url))
    if isinstance(creds, dict) and creds.get("version") == 1 and creds.get("serverUrl") == normalise_server_url(server_url):
        return creds
    return None


def _store(server_url: str, state_dir: str, client_id: str, body: Mapping[str, Any], clock: Clock, refresh: Optional[str]) -> Dict[str, Any]:
    creds = {
        "version": 1,
        "serverUrl": normalise_server_url(server_url),
        "clientId": client_id,
        "accessToken": body["access_token"],
        "refreshToken": body.get("refresh_token") or refresh,
        "expiresAt": int(clock.now() + float(body.get("expires_in") or 3600) * 1000),
    }
    write_json_file_atomic(credentials_path(state_dir, server_url), creds)
    return creds


def device_login(
    server_url: str,
    *,
    on_user_code: Callable[[DeviceCodePrompt], None],
    client_id: str = DEFAULT_CLIENT_ID,
    scope: Optional[str] = None,
    state_dir: Optional[str] = None,
    transport: Optional[Transport] = None,
    clock: Clock = SYSTEM_CLOCK,
    sleep: Callable[[float], None] = time.sleep,
) -> Dict[str, Any]:
    """Asks the server for a device code, shows it through ``on_user_code``, polls
    ``/auth/token`` (slowing down when told to) until the person approves in a browser,
    and stores the access and refresh tokens. Raises :class:`LoginFailedError` when the
    sign-in is declined or the code expires.

    Example::

        creds = device_login("https://lic.example.com", on_user_code=lambda p: print(p.user_code))
        creds["expiresAt"]
    """
    state_dir = state_dir or default_state_dir()
    transport = transport or Transport(server_url)
    request: Dict[str, str] = {"client_id": client_id}
    if scope:
        request["scope"] = scope
    code = transport.request("POST", "/auth/device/code", request, form=True).body
    if not isinstance(code, dict) or not all(isinstance(code.get(k), str) for k in ("device_code", "user_code", "verification_uri")):
        raise ProtocolError("The server did not return a device code.")
    expires_in = int(code.get("expires_in") or 600)
    complete = code.get("verification_uri_complete")
    on_user_code(DeviceCodePrompt(code["user_code"], code["verification_uri"], complete if isinstance(complete, str) else None, expires_in))
    interval = float(code.get("interval") or 5)
    deadline = clock.now() + expires_in * 1000
    while clock.now() < deadline:
        sleep(interval)
        answer = transport.request(
            "POST",
            "/auth/token",
            {"grant_type": DEVICE_GRANT, "device_code": code["device_code"], "client_id": client_id},
            form=True,
            accept_status=lambda s: s in (400, 401),
        )
        body = answer.body if isinstance(answer.body, dict) else {}
        if answer.status == 200 and isinstance(body.get("access_token"), str):
            return _store(server_url, state_dir, client_id, body, clock, None)
        error = body.get("error")
        if error == "authorization_pending":
            continue
        if error == "slow_down":
            interval += 5
            continue
        if error == "access_denied":
            raise LoginFailedError("The sign-in was declined in the browser.")
        if error == "expired_token":
            break
        raise LoginFailedError(f"The sign-in failed: {body.get('error_description') or error or f'HTTP {answer.status}'}.")
    raise LoginFailedError("The sign-in code expired before it was confirmed. Run the login again.")


def current_access_token(
    server_url: str, *, state_dir: Optional[str] = None, transport: Optional[Transport] = None, clock: Clock = SYSTEM_CLOCK
) -> Optional[str]:
    """The stored access token, refreshed first (rotating the refresh token) when it is
    about to expire; ``None`` when nobody signed in or the refresh was refused.

    Example::

        token = current_access_token("https://lic.example.com")
    """
    state_dir = state_dir or default_state_dir()
    creds = load_credentials(server_url, state_dir)
    if not creds:
        return None
    if creds["expiresAt"] - 30_000 > clock.now():
        return str(creds["accessToken"])
    if not creds.get("refreshToken"):
        return None
    answer = (transport or Transport(server_url)).request(
        "POST",
        "/auth/token",
        {"grant_type": "refresh_token", "refresh_token": creds["refreshToken"], "client_id": creds.get("clientId") or DEFAULT_CLIENT_ID},
        form=True,
        accept_status=lambda s: s in (400, 401),
    )
    body = answer.body if isinstance(answer.body, dict) else {}
    if answer.status != 200 or not isinstance(body.get("access_token"), str):
        try:
            os.unlink(credentials_path(state_dir, server_url))
        except FileNotFoundError:
            pass
        return None
    return str(_store(server_url, state_dir, creds.get("clientId") or DEFAULT_CLIENT_ID, body, clock, creds["refreshToken"])["accessToken"])


def logout(server_url: str, *, state_dir: Optional[str] = None, transport: Optional[Transport] = None) -> bool:
    """Signs out: asks the server to revoke the refresh token, then forgets the tokens
    here even if the server cannot be reached. Returns whether the server revoked it.

    Example::

        logout("https://lic.example.com")
    """
    state_dir = state_dir or default_state_dir()
    creds = load_credentials(server_url, state_dir)
    revoked = False
    if creds and creds.get("refreshToken"):
        try:
            (transport or Transport(server_url)).request(
                "POST", "/auth/logout", {"refresh_token": creds["refreshToken"], "client_id": creds.get("clientId")}, attempts=2
            )
            revoked = True
        except Exception:
            pass  # the local tokens are forgotten regardless; the refresh token expires on its own
    try:
        os.unlink(credentials_path(state_dir, server_url))
    except FileNotFoundError:
        pass
    return revoked
