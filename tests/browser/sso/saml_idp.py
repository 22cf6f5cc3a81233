"""A real SAML 2.0 identity provider (pysaml2's IdP, signing with xmlsec1) for the single sign-on tests,
in its own process:

    python -m tests.browser.sso.saml_idp CONFIG.json

CONFIG.json: {"port": 8104, "key": "idp.key", "cert": "idp.crt", "accounts": "ACCOUNTS.json"}
ACCOUNTS.json (read again at every log-in, so a test may add people while the IdP runs):
    {"<account id>": {"email": ..., "given_name": ..., "surname": ..., "mfa": false}}

It answers AuthnRequests (HTTP-Redirect or HTTP-POST binding) with a signed assertion sent by HTTP-POST
to the service provider's ACS. Its log-in page lists the accounts as buttons: the tester picks who signs
in. With "mfa" the assertion's AuthnContextClassRef is REFEDS MFA, otherwise PasswordProtectedTransport.
A service provider is known by its metadata: the IdP fetches it from the SP's entity id when that is an
address on this machine (allauth's default entity id is its metadata URL), as an IT team would load it.
Prints "ready <entity id>" once it listens.

`idp_config` is shared with the tests, which build a pysaml2 Server of their own on the same key to sign
hostile responses (see tests/browser/sso/saml_tools.py).
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import sys
import threading
import traceback
import urllib.request
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.s_utils import decode_base64_and_inflate
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.samlp import authn_request_from_string
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

MFA = "https://refeds.org/profile/mfa"
PASSWORD = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


def idp_config(base_url: str, key_file: str, cert_file: str) -> dict[str, Any]:
    return {
        "entityid": f"{base_url}/metadata",
        "service": {
            "idp": {
                "name": "QM Cohort test IdP",
                "endpoints": {
                    "single_sign_on_service": [
                        (f"{base_url}/sso/redirect", BINDING_HTTP_REDIRECT),
                        (f"{base_url}/sso/post", BINDING_HTTP_POST),
                    ],
                },
                "policy": {
                    "default": {
                        "lifetime": {"minutes": 5},
                        "attribute_restrictions": None,
                        "name_form": NAME_FORMAT_URI,
                    }
                },
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                "want_authn_requests_signed": False,
                "sign_assertion": True,
                "sign_response": False,
                "signing_algorithm": SIG_RSA_SHA256,
                "digest_algorithm": DIGEST_SHA256,
            }
        },
        "key_file": key_file,
        "cert_file": cert_file,
        "xmlsec_binary": "/usr/bin/xmlsec1",
        "metadata": {},
    }


def identity_of(account: dict[str, Any]) -> dict[str, list[str]]:
    """The attributes asserted for an account, by their LDAP names (sent as urn:oid: URIs)."""
    given, surname = account.get("given_name", ""), account.get("surname", "")
    return {
        "mail": [account["email"]],
        "givenName": [given],
        "sn": [surname],
        "displayName": [f"{given} {surname}".strip()],
    }


def authn_of(account: dict[str, Any], entity_id: str) -> dict[str, str]:
    return {"class_ref": MFA if account.get("mfa") else PASSWORD, "authn_auth": entity_id}


class IdentityProvider:
    def __init__(self, config: dict[str, Any], accounts: Path) -> None:
        self.server = Server(config=IdPConfig().load(config))
        self.accounts_file = accounts
        self.pending: dict[str, tuple[Any, str]] = {}  # log-in page key -> (parsed request, relay state)
        self.lock = threading.Lock()  # pysaml2's Server and `pending` are shared by the request threads

    def accounts(self) -> dict[str, dict[str, Any]]:
        return json.loads(self.accounts_file.read_text())

    def know_sp(self, entity_id: str) -> None:
        """Load a service provider's metadata from its entity id (an address on this machine)."""
        if entity_id in self.server.metadata.keys():  # noqa: SIM118 (MetadataStore has no __contains__)
            return
        parts = urlsplit(entity_id)
        if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS | {"::1"}:
            raise LookupError(f"unknown service provider {entity_id}")
        with urllib.request.urlopen(entity_id, timeout=20) as response:
            xml = response.read().decode()
        with self.lock:
            if entity_id not in self.server.metadata.keys():  # noqa: SIM118 (as above)
                self.server.metadata.load("inline", xml)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if method == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            params = parse_qs(environ["wsgi.input"].read(size).decode())
        else:
            params = parse_qs(environ.get("QUERY_STRING", ""))
        form = {key: values[0] for key, values in params.items()}
        try:
            # No lock around network calls: the SP, fetching its metadata, may ask for the IdP's meanwhile.
            if path == "/metadata":
                return self.metadata(start_response)
            if path in ("/sso/redirect", "/sso/post"):
                binding = BINDING_HTTP_REDIRECT if path == "/sso/redirect" else BINDING_HTTP_POST
                return self.sign_in_page(form, binding, start_response)
            if path == "/login" and method == "POST":
                return self.answer(form, start_response)
            return page(start_response, "404 Not Found", "Not found", "")
        except Exception as error:  # a test IdP: show what went wrong instead of a bare 500, and log it
            traceback.print_exc()
            return page(start_response, "400 Bad Request", "The identity provider refused", html.escape(str(error)))

    def metadata(self, start_response: Any) -> list[bytes]:
        body = str(entity_descriptor(self.server.config)).encode()
        start_response("200 OK", [("Content-Type", "text/xml"), ("Content-Length", str(len(body)))])
        return [body]

    def sign_in_page(self, form: dict[str, str], binding: str, start_response: Any) -> list[bytes]:
        encoded = form["SAMLRequest"]
        raw = decode_base64_and_inflate(encoded) if binding == BINDING_HTTP_REDIRECT else base64.b64decode(encoded)
        issuer = authn_request_from_string(raw).issuer.text
        self.know_sp(issuer)
        with self.lock:
            request = self.server.parse_authn_request(encoded, binding).message
            key = secrets.token_urlsafe(16)
            self.pending[key] = (request, form.get("RelayState", ""))
        buttons = "".join(
            f'<li><button type="submit" name="account" value="{html.escape(account_id)}">'
            f"Sign in as {html.escape(account['email'])}{' (with MFA)' if account.get('mfa') else ''}</button></li>"
            for account_id, account in self.accounts().items()
        )
        body = f'<form method="post" action="/login"><input type="hidden" name="key" value="{key}"><ul>{buttons}</ul></form>'
        return page(start_response, "200 OK", "Test SAML identity provider: sign in", body)

    def answer(self, form: dict[str, str], start_response: Any) -> list[bytes]:
        account = self.accounts()[form["account"]]
        with self.lock:
            request, relay_state = self.pending.pop(form["key"])
            args = self.server.response_args(request, [BINDING_HTTP_POST])
            response = self.server.create_authn_response(
                identity_of(account),
                name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=account["email"]),
                authn=authn_of(account, self.server.config.entityid),
                sign_assertion=True,
                sign_response=False,
                **args,
            )
            http_args = self.server.apply_binding(
                BINDING_HTTP_POST, str(response), args["destination"], relay_state, response=True
            )
        body = http_args["data"].encode() if isinstance(http_args["data"], str) else http_args["data"]
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]


def page(start_response: Any, status: str, title: str, body: str) -> list[bytes]:
    text = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    ).encode()
    start_response(status, [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(text)))])
    return [text]


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def main(config_path: str) -> None:
    config = json.loads(Path(config_path).read_text())
    base_url = f"http://127.0.0.1:{config['port']}"
    settings = idp_config(base_url, config["key"], config["cert"])
    app = IdentityProvider(settings, Path(config["accounts"]))
    server = make_server("127.0.0.1", config["port"], app, server_class=_Server, handler_class=_QuietHandler)
    print(f"ready {settings['entityid']}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1])
