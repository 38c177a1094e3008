"""Offline verification of lease tokens against pinned keys (EdDSA / Ed25519 only).

Example::

    from leasehold import KeyRing, verify_lease_token
    keys = KeyRing(json.load(open("leasehold-jwks.json")))
    verified = verify_lease_token(token, keys, product="coditect", fingerprint=fp, now_ms=time.time() * 1000)
    print(verified.claims["entitlements"])
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ._b64 import b64url_decode
from ._error_base import TokenVerificationError

__all__ = ["LEASE_TOKEN_ALGORITHM", "LEASE_TOKEN_TYPE", "KeyRing", "VerifiedLeaseToken", "decode_lease_token_unverified", "verify_lease_token"]

#: The header ``typ`` of a lease token: never mistaken for an access token (RFC 8725 §3.11).
LEASE_TOKEN_TYPE = "leasehold-lease+jwt"
#: The only algorithm a lease token may carry.
LEASE_TOKEN_ALGORITHM = "EdDSA"


def _is_ed25519_signing_jwk(jwk: Any) -> bool:
    return (
        isinstance(jwk, dict)
        and jwk.get("kty") == "OKP"
        and jwk.get("crv") == "Ed25519"
        and isinstance(jwk.get("x"), str)
        and isinstance(jwk.get("kid"), str)
        and jwk.get("alg") in (None, "EdDSA", "Ed25519")
        and jwk.get("use") in (None, "sig")
        and "d" not in jwk
    )


class KeyRing:
    """Ed25519 verification keys by ``kid``. Only OKP/Ed25519 keys meant for signatures
    and for EdDSA are admitted (one algorithm per key, RFC 8725 §3.1); others are skipped.

    Example::

        keys = KeyRing(pinned_jwks)          # {"keys": [...]} as /.well-known/jwks.json serves
        keys.add(fetched_jwks)
        len(keys)                            # 2
    """

    def __init__(self, *sets: Optional[Mapping[str, Any]]) -> None:
        self._keys: Dict[str, Ed25519PublicKey] = {}
        for key_set in sets:
            if key_set:
                self.add(key_set)

    def add(self, key_set: Mapping[str, Any]) -> None:
        """Adds every acceptable key of a JWKS; ignores the rest.

        Example::

            keys.add({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "…", "kid": "k1"}]})
        """
        keys = key_set.get("keys") if isinstance(key_set, Mapping) else None
        for jwk in keys if isinstance(keys, list) else []:
            if not _is_ed25519_signing_jwk(jwk):
                continue
            try:
                raw = b64url_decode(jwk["x"])
                self._keys[jwk["kid"]] = Ed25519PublicKey.from_public_bytes(raw)
            except (ValueError, TypeError):
                continue  # a malformed key is skipped, never fatal: the others may still verify

    def get(self, kid: str) -> Optional[Ed25519PublicKey]:
        """The key with this ``kid``, if any.

        Example::

            keys.get("k1")
        """
        return self._keys.get(kid)

    def __len__(self) -> int:
        return len(self._keys)


@dataclass(frozen=True)
class VerifiedLeaseToken:
    """A lease token whose signature and claims held.

    Example::

        verified.claims["offline_grace_until"], verified.header["kid"]
    """

    header: Dict[str, Any]
    claims: Dict[str, Any]


def _fail(reason: str, message: str) -> TokenVerificationError:
    return TokenVerificationError(reason, message)


def _decode_json(part: str) -> Dict[str, Any]:
    try:
        value = json.loads(b64url_decode(part).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        raise _fail("malformed", "The lease token is not a compact JWS.")
    return value


def verify_lease_token(
    token: str,
    keys: KeyRing,
    *,
    product: str,
    fingerprint: str,
    now_ms: float,
    issuer: Optional[str] = None,
    clock_tolerance_seconds: float = 0,
) -> VerifiedLeaseToken:
    """Verifies a lease token offline: the header must say ``alg: EdDSA`` and
    ``typ: leasehold-lease+jwt`` with a known ``kid`` and no ``crit``, the Ed25519
    signature must hold, and ``aud``, ``fingerprint``, ``iss`` (when given) and ``exp``
    (the offline-grace deadline) must match. Raises :class:`TokenVerificationError`
    naming the failed check.

    Example::

        verified = verify_lease_token(token, KeyRing(jwks), product="coditect",
                                      fingerprint=fp.fingerprint, now_ms=time.time() * 1000)
    """
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise _fail("malformed", "The lease token is not a compact JWS.")
    header_part, payload_part, signature_part = parts
    header = _decode_json(header_part)
    if header.get("alg") != LEASE_TOKEN_ALGORITHM:
        raise _fail("header", f"The lease token's algorithm {header.get('alg')} is not accepted.")
    if header.get("typ") != LEASE_TOKEN_TYPE:
        raise _fail("header", f"The token is a {header.get('typ')}, not a lease token.")
    if "crit" in header:
        raise _fail("header", "The lease token has critical header parameters this client does not know.")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise _fail("header", "The lease token does not name its signing key.")
    key = keys.get(kid)
    if key is None:
        raise _fail("unknown-key", f'The lease token was signed by key "{kid}", which this program does not trust.')
    try:
        signature = b64url_decode(signature_part)
        if len(signature) != 64:
            raise InvalidSignature()
        key.verify(signature, f"{header_part}.{payload_part}".encode("ascii"))
    except (InvalidSignature, ValueError, UnicodeEncodeError):
        raise _fail(
            "signature", "The lease token signature is not valid: the cached token was altered or not issued by the license server."
        ) from None
    claims = _decode_json(payload_part)
    _check_claims(claims, product, fingerprint, now_ms, issuer, clock_tolerance_seconds)
    return VerifiedLeaseToken(header, claims)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_claims(claims: Dict[str, Any], product: str, fingerprint: str, now_ms: float, issuer: Optional[str], tolerance: float) -> None:
    if not _number(claims.get("exp")) or not isinstance(claims.get("session_id"), str) or not isinstance(claims.get("fingerprint"), str):
        raise _fail("claims", "The lease token lacks required claims.")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if product not in audiences:
        raise _fail("audience", f"The lease token is for {aud}, not {product}.")
    if issuer is not None and claims.get("iss") != issuer:
        raise _fail("issuer", f"The lease token was issued by {claims.get('iss')}, not {issuer}.")
    if claims["fingerprint"] != fingerprint:
        raise _fail("fingerprint", "The lease token belongs to another machine: this machine has to take its own seat.")
    if now_ms >= claims["exp"] * 1000 + tolerance * 1000:
        from datetime import datetime, timezone

        ended = datetime.fromtimestamp(claims["exp"], timezone.utc).isoformat().replace("+00:00", "Z")
        raise _fail("expired", f"The lease token's offline grace ended at {ended}.")


def decode_lease_token_unverified(token: str) -> Optional[Dict[str, Any]]:
    """Reads a lease token's claims WITHOUT verifying them: for display only.

    Example::

        decode_lease_token_unverified(token)["exp"]
    """
    try:
        return _decode_json(token.split(".")[1])
    except (IndexError, AttributeError, TokenVerificationError):
        return None
