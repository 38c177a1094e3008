"""TLS is verified (a custom CA bundle trusts a private CA) and HTTP(S)_PROXY is honoured; loopback only."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
from pathlib import Path
from typing import Iterator, Tuple

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from loopback import LoopbackServer

from leasehold import RetryPolicy, ServerUnreachableError, Transport


def serve(tls: "ssl.SSLContext | None" = None) -> LoopbackServer:
    return LoopbackServer(lambda seen: (200, {}, {"ok": True, "path": seen.path}), tls)


@pytest.fixture()
def https(tmp_path: Path) -> Iterator[Tuple[str, str]]:
    """An HTTPS server on 127.0.0.1 with a certificate from a private CA; yields (url, CA file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "leasehold test CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    served = serve(context)
    yield served.url, str(cert_file)
    served.close()


def test_tls_is_verified_and_a_custom_ca_bundle_is_trusted(https: Tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    url, ca = https
    for var in ("SSL_CERT_FILE", "SSL_CERT_DIR", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ServerUnreachableError) as caught:
        Transport(url, retry=RetryPolicy(attempts=1)).request("GET", "/x")
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)
    assert Transport(url, ca_bundle=ca).request("GET", "/x").body == {"ok": True, "path": "/x"}


def test_the_proxy_environment_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    proxy = serve()
    try:
        monkeypatch.setenv("http_proxy", proxy.url)
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        # The name is never resolved here: the request goes to the proxy on loopback, which answers it.
        answer = Transport("http://licenses.example.test").request("GET", "/api/v1/ping")
        assert answer.status == 200
        assert [r.path for r in proxy.seen] == ["http://licenses.example.test/api/v1/ping"]  # the absolute form a proxy receives
    finally:
        proxy.close()
