"""Device sign-in (RFC 8628): against the real server up to the person's approval, and the whole
flow against a small loopback stand-in for the approval; tokens stored as the TypeScript CLI stores them."""

from __future__ import annotations

import json
import os
import stat
import urllib.parse
from typing import Dict, Iterator, List

import pytest
from loopback import Answer, LoopbackServer, Seen
from support import Server, clean_env, node

from leasehold import DeviceCodePrompt, LoginFailedError, credentials_path, current_access_token, device_login, load_credentials, logout


class Stop(Exception):
    pass


def test_the_real_server_hands_out_a_code_and_answers_pending(server: Server, state_dir: str) -> None:
    prompts: List[DeviceCodePrompt] = []
    polls: List[float] = []

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) > 1:
            raise Stop()  # nobody approves in this test: the first poll was authorization_pending

    with pytest.raises(Stop):
        device_login(server.url, on_user_code=prompts.append, state_dir=state_dir, sleep=sleep)
    [prompt] = prompts
    assert prompt.user_code and prompt.verification_uri.endswith("/auth/device")
    assert prompt.expires_in_seconds > 0 and len(polls) == 2
    assert load_credentials(server.url, state_dir) is None


class Fake(LoopbackServer):
    """Stands in for the server's device-flow endpoints: pending, slow_down, then approved (or denied)."""

    def __init__(self) -> None:
        self.mode = "approve"
        self.polls = 0
        self.revoked: List[str] = []
        super().__init__(self.answer)

    def answer(self, seen: Seen) -> Answer:
        raw = seen.body.decode()
        form: Dict[str, str] = json.loads(raw) if "json" in seen.headers.get("content-type", "") else dict(urllib.parse.parse_qsl(raw))
        if seen.path == "/auth/device/code":
            self.polls = 0
            return 200, {}, {"device_code": "dev-123", "user_code": "WDJB-MJHT", "verification_uri": f"{self.url}/device",
                             "verification_uri_complete": f"{self.url}/device?user_code=WDJB-MJHT", "expires_in": 600, "interval": 5}
        if seen.path == "/auth/token" and form.get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code":
            self.polls += 1
            if self.polls == 1:
                return 400, {}, {"error": "authorization_pending"}
            if self.polls == 2:
                return 400, {}, {"error": "slow_down"}
            if self.mode == "deny":
                return 400, {}, {"error": "access_denied"}
            return 200, {}, {"access_token": "at-1", "refresh_token": "rt-1", "token_type": "Bearer", "expires_in": 3600}
        if seen.path == "/auth/token" and form.get("grant_type") == "refresh_token":
            if form.get("refresh_token") != "rt-1":
                return 400, {}, {"error": "invalid_grant"}
            return 200, {}, {"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 3600}
        if seen.path == "/auth/logout":
            self.revoked.append(form.get("refresh_token", ""))
            return 200, {}, {}
        return 404, {}, {"code": "ROUTE_NOT_FOUND"}


@pytest.fixture()
def fake() -> Iterator[Fake]:
    server = Fake()
    yield server
    server.close()


class Clock:
    def __init__(self) -> None:
        self.ms = 1_900_000_000_000.0

    def now(self) -> float:
        return self.ms


def test_login_polls_stores_like_the_cli_refreshes_and_logs_out(fake: Fake, state_dir: str) -> None:
    url = fake.url
    waits: List[float] = []
    prompts: List[DeviceCodePrompt] = []
    clock = Clock()
    creds = device_login(url, on_user_code=prompts.append, state_dir=state_dir, sleep=waits.append, clock=clock)
    assert prompts[0].verification_uri_complete == f"{url}/device?user_code=WDJB-MJHT" and prompts[0].user_code == "WDJB-MJHT"
    assert waits == [5, 5, 10]  # the interval, then slowed down by 5 s
    assert creds["accessToken"] == "at-1" and creds["refreshToken"] == "rt-1"
    path = credentials_path(state_dir, url)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    # The TypeScript SDK (what `leasehold login` uses) reads the same file.
    seen = json.loads(node(f"""
        import {{ loadCredentials }} from './packages/client/dist/index.js';
        console.log(JSON.stringify(await loadCredentials({json.dumps(state_dir)}, {json.dumps(url + "/")})));
    """, clean_env()))
    assert seen == creds
    assert current_access_token(url, state_dir=state_dir, clock=clock) == "at-1"
    clock.ms += 3600_000  # expired: refreshed, the refresh token rotates
    assert current_access_token(url, state_dir=state_dir, clock=clock) == "at-2"
    assert load_credentials(url, state_dir)["refreshToken"] == "rt-2"  # type: ignore[index]
    assert logout(url, state_dir=state_dir) is True
    assert fake.revoked == ["rt-2"] and load_credentials(url, state_dir) is None


def test_a_declined_sign_in_raises(fake: Fake, state_dir: str) -> None:
    fake.mode = "deny"
    with pytest.raises(LoginFailedError, match="declined"):
        device_login(fake.url, on_user_code=lambda p: None, state_dir=state_dir, sleep=lambda s: None)
