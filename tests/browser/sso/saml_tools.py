"""Hostile SAML responses made from the test IdP's real output: changed after signing (the signature
no longer holds), changed with the signature taken off or made with another key, or changed and signed
again with the IdP's own key (the signature holds, the content is wrong: another audience, an assertion
past its time). Also the IdP's key and certificate, made at test time."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2.config import IdPConfig
from saml2.sigver import security_context

from tests.browser.sso.saml_idp import idp_config

ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"


def decode(response: str) -> str:
    return base64.b64decode(response).decode()


def encode(xml: str) -> str:
    return base64.b64encode(xml.encode()).decode()


def assertion_id(xml: str) -> str:
    found = re.search(r"<(?:\w+:)?Assertion\b[^>]*\bID=\"([^\"]+)\"", xml)
    assert found, "the response carries no assertion"
    return found.group(1)


def replace_email(xml: str, old: str, new: str) -> str:
    assert xml.count(old) >= 1, f"{old} is not in the response"
    return xml.replace(old, new)


def replace_audience(xml: str, audience: str) -> str:
    changed, count = re.subn(r"(<(?:\w+:)?Audience>)[^<]*(</(?:\w+:)?Audience>)", rf"\g<1>{audience}\g<2>", xml)
    assert count == 1, "the response has no single Audience"
    return changed


def unsolicited(xml: str) -> str:
    """The response as an IdP-initiated one: answering no request (no InResponseTo anywhere)."""
    changed, count = re.subn(r'\s+InResponseTo="[^"]*"', "", xml)
    assert count >= 1, "the response answers no request already"
    return changed


def expire(xml: str, *, ago: timedelta = timedelta(hours=2)) -> str:
    """Every time the assertion names moved back by `ago`: issued, valid from and until, all in the past."""

    def earlier(match: re.Match[str]) -> str:
        when = datetime.strptime(match.group(2), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) - ago
        return f'{match.group(1)}="{when.strftime("%Y-%m-%dT%H:%M:%SZ")}"'

    return re.sub(r"\b(IssueInstant|NotBefore|NotOnOrAfter|AuthnInstant)=\"([^\"]+)\"", earlier, xml)


def write_key_and_cert(directory: Path, name: str = "idp") -> tuple[str, str]:
    """A fresh signing key and self-signed certificate (made at test time, never committed)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"QM Cohort test {name}")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_file.chmod(0o600)
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def strip_signature(xml: str) -> str:
    stripped, count = re.subn(r"<(\w+:)?Signature\b.*?</(\w+:)?Signature>", "", xml, flags=re.DOTALL)
    assert count == 1, "the response has no single signature"
    return stripped


def resign(xml: str, *, key_file: str, cert_file: str) -> str:
    """Sign the (changed) assertion again with the IdP's key, as the IdP itself would have."""
    template = re.sub(r"(<(?:\w+:)?DigestValue>)[^<]*(</)", r"\1\2", xml)
    template = re.sub(r"(<(?:\w+:)?SignatureValue>)[^<]*(</)", r"\1\2", template)
    config = idp_config("http://127.0.0.1", key_file, cert_file)
    context = security_context(IdPConfig().load(config))
    return str(context.sign_statement(template, ASSERTION, node_id=assertion_id(xml)))
