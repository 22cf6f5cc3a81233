"""Junk at allauth's SAML addresses, from anyone: the refusal page (not a 500), one log line without the
payload, no session."""

from __future__ import annotations

import base64
import logging

import pytest
from django.contrib.sessions.models import Session

MARK = "qmjunk7731"
XXE = (
    f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    f'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="{MARK}">&x;</samlp:Response>'
)
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + f']><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="{MARK}">&lol9;</samlp:Response>'
)


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def assert_refused(response, caplog) -> None:
    page = response.content.decode()
    assert response.status_code in (400, 403), response.status_code
    assert "You are not signed in" in page
    assert "could not be accepted" in page
    assert not Session.objects.exists()
    assert not [r for r in caplog.records if MARK in r.getMessage() or r.exc_info]
    # One line says why (Django's own "Bad Request"/"Forbidden" line for any 4xx aside).
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING and r.name != "django.request"]) <= 1


@pytest.mark.parametrize(
    "payload",
    ["", "not base64 at all %%% " + MARK, b64(XXE), b64(LAUGHS), b64(f"<x>{MARK}</x>")],
    ids=["empty", "not-base64", "xxe", "billion-laughs", "not-saml"],
)
def test_junk_at_the_acs_gets_the_refusal_page(client, saml_provider, caplog, payload) -> None:
    caplog.set_level(logging.INFO)
    response = client.post("/accounts/saml/irwell-saml/acs/", {"SAMLResponse": payload}, follow=True)
    assert_refused(response, caplog)


@pytest.mark.parametrize(
    "query",
    [f"SAMLRequest=%%%{MARK}", f"SAMLResponse=abc{MARK}", f"SAMLRequest={b64(XXE)}", f"SAMLResponse={b64(LAUGHS)}"],
    ids=["request-not-encoded", "response-not-base64", "request-xxe", "response-billion-laughs"],
)
def test_junk_at_single_log_out_gets_the_refusal_page(client, saml_provider, caplog, query) -> None:
    caplog.set_level(logging.INFO)
    response = client.get(f"/accounts/saml/irwell-saml/sls/?{query}")
    assert_refused(response, caplog)
