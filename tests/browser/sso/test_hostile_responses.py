"""Hostile answers from an identity provider, through the real flow in Chromium: each is refused with a
clear message, and leaves no session and no account.

SAML responses are the test IdP's real output, changed on their way to the product's ACS (the browser
carries them, so a person in the middle can change them): changed after signing, or changed and signed
again with the IdP's own key. OpenID Connect's hostile answers come from the provider itself (an ID token
with another audience or issuer, an address it says is unverified) or from the browser (a changed state).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest

from cohort.models import Role, User
from tests import factories
from tests.browser.sso import saml_tools
from tests.browser.sso.conftest import DOMAIN, SAML_SLUG
from tests.browser.sso.support import accounts_for, assert_refused, pick_account, signed_in_sessions, start_sso

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("sso")]

LENA = f"lena@{DOMAIN}"
ALICE = f"alice@{DOMAIN}"  # invited too: a changed response that named her must not sign her in


def assert_refused_and_nobody_in(page: Any, email: str, *, reason: str) -> None:
    assert_refused(page, reason)
    assert signed_in_sessions() == []
    assert accounts_for(email) == {"users": 0, "memberships": 0, "linked": 0}
    page.goto("/")
    assert "/accounts/login/" in page.url


# --- SAML: the response changed between the IdP and the product ---------------------------------------


@pytest.fixture
def kind() -> str:
    """This module's tests use the SAML IdP unless they name the kind."""
    return "saml"


def change_saml_response(page: Any, change: Any) -> list[str]:
    """Change the SAMLResponse the browser posts to the product's ACS; returns the originals seen."""
    seen: list[str] = []

    def on_post(route: Any) -> None:
        form = parse_qs(route.request.post_data or "")
        original = form["SAMLResponse"][0]
        seen.append(original)
        try:
            form["SAMLResponse"] = [saml_tools.encode(change(saml_tools.decode(original)))]
        except Exception as error:  # say what went wrong here, rather than leave the browser waiting
            seen.append(f"could not change the response: {error!r}")
            route.abort()
            raise
        route.continue_(post_data=urlencode(form, doseq=True))

    page.route(f"**/accounts/saml/{SAML_SLUG}/acs/", on_post)
    return seen


def hostile_change(name: str, idp: Any, workdir: Path) -> Callable[[str], str]:
    """How a response is changed on its way: the XML in, the XML posted out."""
    as_idp = {"key_file": idp.key_file, "cert_file": idp.cert_file}
    if name == "tampered":  # another person's address, the IdP's signature left as it was
        return lambda xml: saml_tools.replace_email(xml, LENA, ALICE)
    if name == "unsigned":  # another person's address, the signature taken off
        return lambda xml: saml_tools.strip_signature(saml_tools.replace_email(xml, LENA, ALICE))
    if name == "signed-by-another-key":  # another person's address, signed with a key of one's own
        key_file, cert_file = saml_tools.write_key_and_cert(workdir, "attacker")
        return lambda xml: saml_tools.resign(
            saml_tools.replace_email(xml, LENA, ALICE), key_file=key_file, cert_file=cert_file
        )
    if name == "wrong-audience":  # meant for another service, signed by the IdP
        return lambda xml: saml_tools.resign(saml_tools.replace_audience(xml, "https://elsewhere.example/sp"), **as_idp)
    if name == "unsolicited":  # sent by the IdP on its own initiative (answering no request), signed by it
        return lambda xml: saml_tools.resign(saml_tools.unsolicited(xml), **as_idp)
    assert name == "expired"  # two hours old, signed by the IdP
    return lambda xml: saml_tools.resign(saml_tools.expire(xml), **as_idp)


@pytest.mark.parametrize(
    "hostile", ["tampered", "unsigned", "signed-by-another-key", "wrong-audience", "expired", "unsolicited"]
)
def test_a_changed_saml_response_is_refused(
    page: Any, provider: Any, saml_idp: Any, invite: Any, hostile: str, tmp_path: Path
) -> None:
    invite(LENA, Role.LEAD)
    invite(ALICE, Role.MEMBER)
    seen = change_saml_response(page, hostile_change(hostile, saml_idp, tmp_path))

    start_sso(page, LENA, saml_idp.url)
    pick_account(page, "lena")

    assert len(seen) == 1, seen
    assert_refused_and_nobody_in(page, LENA, reason="error")
    assert accounts_for(ALICE) == {"users": 0, "memberships": 0, "linked": 0}


def test_a_replayed_saml_response_is_refused(
    page: Any, new_page: Any, provider: Any, saml_idp: Any, invite: Any
) -> None:
    invite(LENA, Role.LEAD)
    captured = change_saml_response(page, lambda xml: xml)  # Lena's own log-in, seen on its way
    start_sso(page, LENA, saml_idp.url)
    pick_account(page, "lena")
    assert page.get_by_role("heading", level=1).inner_text() == "Greater Manchester cohort"
    lena = User.objects.get(email=LENA)
    lena_sessions = signed_in_sessions()
    assert lena_sessions == [str(lena.pk)]

    # Someone else starts a log-in of their own and sends Lena's captured response in place of theirs.
    other = new_page()
    replayed = change_saml_response(other, lambda xml: saml_tools.decode(captured[0]))
    start_sso(other, LENA, saml_idp.url)
    pick_account(other, "uma")

    assert len(replayed) == 1
    assert_refused(other, "error")
    assert signed_in_sessions() == lena_sessions  # Lena's own session only: none for the replay
    other.goto("/")
    assert "/accounts/login/" in other.url


# --- Either protocol: the IdP vouches for an address it does not look after ---------------------------


@pytest.mark.parametrize("kind", ["oidc", "saml"])
def test_an_address_from_a_domain_the_provider_does_not_serve_is_refused(
    page: Any, provider: Any, running_idp: Any, sso_cohort: Any
) -> None:
    # Bob has an account at Medlock; Irwell's provider must not be able to sign anyone in as him.
    cohort, _, _ = sso_cohort
    medlock = factories.make_institution("Medlock Metropolitan University", "Medlock")
    factories.join(cohort, medlock)
    bob = factories.make_user("Bob Brown", email="bob@medlock.ac.uk")
    factories.member(bob, cohort, Role.MEMBER, medlock)

    start_sso(page, f"uma@{DOMAIN}", running_idp.url)
    pick_account(page, "bob-elsewhere")

    assert_refused(page, "domain")
    assert signed_in_sessions() == []
    assert accounts_for(bob.email) == {"users": 1, "memberships": 1, "linked": 0}


# --- OpenID Connect: what the provider says, and the state the browser carries ------------------------


@pytest.mark.parametrize(
    ("kind", "account", "email", "reason"),
    [
        ("oidc", "vic-unverified", f"vic@{DOMAIN}", "unverified"),
        ("oidc", "wrong-audience", LENA, "error"),
        ("oidc", "wrong-issuer", LENA, "error"),
    ],
)
def test_an_oidc_answer_the_product_cannot_trust_is_refused(
    page: Any, provider: Any, oidc_idp: Any, invite: Any, account: str, email: str, reason: str
) -> None:
    invite(email, Role.MEMBER)

    start_sso(page, email, oidc_idp.url)
    pick_account(page, account)

    assert_refused_and_nobody_in(page, email, reason=reason)


@pytest.mark.parametrize("kind", ["oidc"])
def test_an_oidc_callback_this_browser_did_not_start_is_refused(
    page: Any, new_page: Any, provider: Any, oidc_idp: Any, invite: Any
) -> None:
    # Lena signs in; the provider's answer (code and state) is then sent in other browsers, as a log-in
    # forgery would, as it was and with a forged state: neither is a state those sessions wait for.
    invite(LENA, Role.LEAD)
    callbacks: list[str] = []
    page.on("request", lambda request: callbacks.append(request.url) if "/login/callback/" in request.url else None)
    start_sso(page, LENA, oidc_idp.url)
    pick_account(page, "lena")
    assert page.get_by_role("heading", level=1).inner_text() == "Greater Manchester cohort"
    lena_sessions = signed_in_sessions()
    as_sent = urlsplit(callbacks[0])
    forged = as_sent._replace(query=urlencode({**parse_qs(as_sent.query), "state": ["forged-state"]}, doseq=True))

    for callback in (as_sent, forged):
        other = new_page()
        other.goto(urlunsplit(callback))

        assert_refused(other, "error")
        assert signed_in_sessions() == lena_sessions
        assert accounts_for(LENA) == {"users": 1, "memberships": 1, "linked": 1}
        other.goto("/")
        assert "/accounts/login/" in other.url
