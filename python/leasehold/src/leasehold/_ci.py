"""A CI job's workload identity: the OIDC token it presents instead of a license key.

The twin of ``packages/client/src/ci/workload-identity.ts``: the same environment
variables, the same token request, the same seat fingerprint (one seat per job).
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

from ._error_base import NotLicensedError
from .fingerprint import Fingerprint


@dataclass(frozen=True)
class WorkloadIdentity:
    """The token to send as ``Authorization: Workload <token>`` and the job's seat fingerprint."""

    token: str
    repository: str
    fingerprint: Fingerprint


def workload_identity(env: Mapping[str, str], server_url: str, timeout: float = 10.0) -> Optional[WorkloadIdentity]:
    """The CI's workload identity from the environment, or None outside CI.

    ``LEASEHOLD_CI_TOKEN`` when set (any issuer), else GitHub Actions' token, requested from
    ``ACTIONS_ID_TOKEN_REQUEST_URL`` with ``ACTIONS_ID_TOKEN_REQUEST_TOKEN`` for the audience
    ``LEASEHOLD_CI_AUDIENCE`` (default: the server's URL). The job is ``LEASEHOLD_CI_JOB``,
    else ``GITHUB_JOB``.

    Example::

        ci = workload_identity(os.environ, "https://lic.example.com")
    """
    token = env.get("LEASEHOLD_CI_TOKEN") or _github_actions_token(env, env.get("LEASEHOLD_CI_AUDIENCE") or server_url, timeout)
    if not token:
        return None
    claims = _claims(token)

    def text(*names: str) -> str:
        for name in names:
            value = claims.get(name)
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                return str(value)
        return ""

    job = env.get("LEASEHOLD_CI_JOB") or env.get("GITHUB_JOB") or ""
    repository = text("repository", "project_path")
    parts = ["leasehold-ci-job", text("iss").rstrip("/"), repository, text("run_id", "pipeline_id"), text("run_attempt") or "1", job]
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()
    return WorkloadIdentity(token, repository, Fingerprint(digest, {"ciJob": job[:128]}, "override"))


def _github_actions_token(env: Mapping[str, str], audience: str, timeout: float) -> Optional[str]:
    url = env.get("ACTIONS_ID_TOKEN_REQUEST_URL")
    request_token = env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
    if not url or not request_token:
        return None
    separator = "&" if "?" in url else "?"
    request = urllib.request.Request(
        f"{url}{separator}audience={urllib.parse.quote(audience, safe='')}",
        headers={"authorization": f"Bearer {request_token}", "accept": "application/json"},
    )
    status = 0
    try:
        with urllib.request.build_opener(urllib.request.ProxyHandler()).open(request, timeout=timeout) as answer:
            status = answer.status
            value = json.loads(answer.read().decode("utf-8")).get("value")
            if isinstance(value, str):
                return value
    except urllib.error.HTTPError as error:
        status = error.code
    except (OSError, ValueError):
        pass
    raise NotLicensedError(
        f"GitHub Actions did not give this job an OIDC token{f' (HTTP {status})' if status else ''}. "
        'Give the job "permissions: id-token: write", or set a license key.'
    )


def _claims(token: str) -> Dict[str, Any]:
    try:
        part = token.split(".")[1]
        decoded = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8"))
        if isinstance(decoded, dict):
            return decoded
    except (IndexError, ValueError):
        pass
    raise NotLicensedError("The CI workload identity token is not a JWT.")
