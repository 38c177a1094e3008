"""CI jobs as seat holders: the library picks up GitHub Actions' OIDC token from the
environment and takes the job's seat without a license key, against a real server that
trusts a loopback issuer shaped like GitHub's."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Iterator, List
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from leasehold import LeaseClient, NotLicensedError
from support import Server, seed_license

AUDIENCE = "leasehold-python-ci-test"
REQUEST_TOKEN = "runtime-token-for-the-test"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Issuer:
    """Discovery, JWKS and the runner's token endpoint, on 127.0.0.1; RS256 like GitHub's."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.audiences: List[str] = []
        numbers = self.key.public_key().public_numbers()
        jwk = {"kty": "RSA", "kid": "py-test", "alg": "RS256", "use": "sig",
               "n": _b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")), "e": _b64(numbers.e.to_bytes(3, "big"))}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, status: int, body: Any) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, {"issuer": outer.url, "jwks_uri": f"{outer.url}/.well-known/jwks", "id_token_signing_alg_values_supported": ["RS256"]})
                if url.path == "/.well-known/jwks":
                    return self._json(200, {"keys": [jwk]})
                if url.path == "/_apis/pipelines/workflows/token":
                    if self.headers.get("authorization") != f"Bearer {REQUEST_TOKEN}":
                        return self._json(401, {"message": "bad runtime token"})
                    audience = parse_qs(url.query).get("audience", [""])[0]
                    outer.audiences.append(audience)
                    return self._json(200, {"count": 1, "value": outer.token(audience)})
                self._json(404, {})

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def token(self, audience: str) -> str:
        now = int(time.time())
        repository, ref = "acme/data-tools", "refs/heads/main"
        claims = {"jti": str(uuid.uuid4()), "sub": f"repo:{repository}:ref:{ref}", "aud": audience, "ref": ref, "sha": "0" * 40,
                  "repository": repository, "repository_owner": "acme", "repository_owner_id": "65432", "run_id": "8812", "run_number": "3",
                  "run_attempt": "1", "repository_visibility": "private", "repository_id": "99", "actor_id": "7", "actor": "octocat",
                  "workflow": "ci", "event_name": "push", "ref_type": "branch",
                  "job_workflow_ref": f"{repository}/.github/workflows/ci.yml@{ref}", "runner_environment": "github-hosted",
                  "iss": self.url, "nbf": now - 5, "iat": now, "exp": now + 300}
        signing_input = f"{_b64(json.dumps({'typ': 'JWT', 'alg': 'RS256', 'kid': 'py-test'}).encode())}.{_b64(json.dumps(claims).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    def close(self) -> None:
        self.httpd.shutdown()


@pytest.fixture(scope="module")
def ci() -> Iterator[tuple[Issuer, Server]]:
    issuer = Issuer()
    server = Server(env={"LEASEHOLD_CI_ISSUERS": issuer.url, "LEASEHOLD_CI_AUDIENCE": AUDIENCE})
    yield issuer, server
    server.close()
    issuer.close()


def _env(issuer: Issuer, **extra: str) -> Dict[str, str]:
    return {"ACTIONS_ID_TOKEN_REQUEST_URL": f"{issuer.url}/_apis/pipelines/workflows/token?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": REQUEST_TOKEN, "LEASEHOLD_CI_AUDIENCE": AUDIENCE, "GITHUB_JOB": "lint", **extra}


def test_a_github_actions_job_takes_its_seat_with_its_oidc_token(ci: tuple[Issuer, Server], state_dir: str) -> None:
    issuer, server = ci
    lic = seed_license(server, product="py-ci-tool", seats=2)
    server.admin("POST", "/ci-mappings", {"licenseId": lic["licenseId"], "issuer": issuer.url, "repository": "acme/*"})
    client = LeaseClient(server.url, "py-ci-tool", env=_env(issuer), state_dir=state_dir, heartbeat=False, release_on_exit=False)
    status = client.acquire()
    assert status.mode == "online"
    assert status.license_id == lic["licenseId"]
    assert issuer.audiences[-1] == AUDIENCE
    expected = hashlib.sha256("\n".join(["leasehold-ci-job", issuer.url, "acme/data-tools", "8812", "1", "lint"]).encode()).hexdigest()
    assert status.fingerprint == expected  # the job's seat, bound as the server derived it
    assert len(server.sessions(lic["licenseId"])) == 1
    client.release()
    assert server.sessions(lic["licenseId"]) == []


def test_without_id_token_permission_the_error_says_what_to_do(ci: tuple[Issuer, Server], state_dir: str) -> None:
    issuer, server = ci
    env = _env(issuer, ACTIONS_ID_TOKEN_REQUEST_TOKEN="wrong")
    client = LeaseClient(server.url, "py-ci-tool", env=env, state_dir=state_dir, heartbeat=False, release_on_exit=False)
    with pytest.raises(NotLicensedError, match="permissions: id-token: write"):
        client.acquire()
