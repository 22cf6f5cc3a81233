"""Who an identity provider lets in: allauth's own social log-in flow (complete_social_login) with the
product's adapters, from what the provider asserted. (The real IdPs' journeys and hostile responses are
in tests/browser/sso/.)"""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.core import context
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from cohort import authn
from cohort.access import get_membership
from cohort.models import Invitation, Membership, User
from cohort.services import invite
from cohort.sso import mfa as mfa_rules, services
from cohort.sso.adapters import SLO_KEY
from cohort.sso.models import IdentityProvider
from tests.factories import make_user


def browser_request() -> HttpRequest:
    """A request as allauth's callback receives it: a session, messages, no one signed in."""
    request = RequestFactory().get("/accounts/oidc/medlock-oidc/login/callback/", HTTP_HOST="127.0.0.1")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    request.user = AnonymousUser()
    return request


def sso_login(provider: IdentityProvider, claims: dict[str, Any], *, process: str = "login"):
    """What allauth does once a provider's answer has been checked: its provider builds the social
    log-in from the answer and allauth completes it. Returns the request (its session) and the response."""
    request = browser_request()
    app = SocialApp.objects.get(provider_id=provider.slug)
    with context.request_context(request):
        allauth_provider = app.get_provider(request)
        sociallogin = allauth_provider.sociallogin_from_response(request, {"userinfo": claims, "id_token": claims})
        sociallogin.state = {"process": process}
        response = complete_social_login(request, sociallogin)
    return request, response


def claims(email: str, **more: Any) -> dict[str, Any]:
    return {"sub": f"sub-{email}", "email": email, "email_verified": True, "name": "Mo Medlock", **more}


@pytest.fixture
def invitation(world, oidc_provider) -> Invitation:
    invitation, _token = invite(
        get_membership(world.fran, world.cohort.slug),
        email="mo@medlock.example",
        role="lead",
        institution=world.medlock,
    )
    return invitation


def signed_in(request) -> str | None:
    return request.session.get("_auth_user_id")


def test_an_invited_person_gets_an_account_and_their_membership_and_is_signed_in(world, invitation) -> None:
    request, response = sso_login(IdentityProvider.objects.get(slug="medlock-oidc"), claims("Mo@Medlock.example"))
    assert response.status_code == 302
    mo = User.objects.get(email="mo@medlock.example")
    assert signed_in(request) == str(mo.pk)
    assert mo.display_name == "Mo Medlock"
    assert not mo.has_usable_password()
    membership = Membership.objects.get(user=mo, cohort=world.cohort)
    assert (membership.role, membership.institution) == ("lead", world.medlock)
    invitation.refresh_from_db()
    assert invitation.accepted_by == mo
    assert EmailAddress.objects.get(user=mo).verified
    assert SocialAccount.objects.filter(user=mo, provider="medlock-oidc").exists()


def test_someone_without_an_invitation_gets_the_explanation_and_nothing_else(world, oidc_provider) -> None:
    request, response = sso_login(oidc_provider, claims("stranger@medlock.example"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Ask your institution's lead for an invitation" in page
    assert signed_in(request) is None
    assert not User.objects.filter(email="stranger@medlock.example").exists()
    assert not SocialAccount.objects.exists()


def test_an_existing_account_with_that_verified_address_is_signed_in_and_connected(world, oidc_provider) -> None:
    mo = make_user("Mo", email="mo@medlock.example")
    Membership.objects.create(user=mo, cohort=world.cohort, role="member", institution=world.medlock)
    request, response = sso_login(oidc_provider, claims("mo@medlock.example"))
    assert response.status_code == 302
    assert signed_in(request) == str(mo.pk)
    assert SocialAccount.objects.get(provider="medlock-oidc").user == mo
    mo.refresh_from_db()
    assert mo.has_usable_password()  # a verified address: allauth wipes nothing


def test_an_existing_account_whose_address_is_not_verified_is_not_taken_over(world, oidc_provider) -> None:
    mo = make_user("Mo", email="mo@medlock.example")
    EmailAddress.objects.filter(user=mo).update(verified=False)
    request, response = sso_login(oidc_provider, claims("mo@medlock.example"))
    assert response.status_code == 403
    assert signed_in(request) is None
    assert not SocialAccount.objects.exists()


@pytest.mark.parametrize(
    ("asserted", "shown"),
    [
        ({"email": "mo@elsewhere.example"}, "does not look after here"),
        ({"email_verified": False}, "is not verified"),
        ({"email_verified": "false"}, "is not verified"),
        ({"email_verified": None}, "is not verified"),
        ({"email": ""}, "did not tell us your e-mail address"),
    ],
    ids=["domain-not-served", "unverified", "unverified-as-text", "verification-missing", "no-email"],
)
def test_what_the_provider_may_not_vouch_for_is_refused_with_no_session_and_no_account(
    world, invitation, asserted, shown
) -> None:
    provider = IdentityProvider.objects.get(slug="medlock-oidc")
    request, response = sso_login(provider, {**claims("mo@medlock.example"), **asserted})
    assert response.status_code == 403
    assert shown in response.content.decode()
    assert signed_in(request) is None
    assert not User.objects.filter(email__endswith="example", memberships__isnull=True).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_entra_id_sends_no_email_verified_and_its_tenants_addresses_pass(world, invitation) -> None:
    provider = IdentityProvider.objects.get(slug="medlock-oidc")
    provider.kind = IdentityProvider.Kind.ENTRA
    provider.tenant_id = "3f1c0d2e-aaaa-bbbb-cccc-123456789abc"
    services.save_provider(None, provider, ["medlock.example"])
    asserted = claims("mo@medlock.example")
    del asserted["email_verified"]
    request, response = sso_login(provider, asserted)
    assert response.status_code == 302
    assert signed_in(request) is not None
    asserted["email_verified"] = False
    request, response = sso_login(provider, {**asserted, "sub": "another"})
    assert response.status_code == 403


def test_a_switched_off_provider_lets_no_one_in(world, invitation, oidc_provider) -> None:
    app = SocialApp.objects.get(provider_id="medlock-oidc")
    IdentityProvider.objects.filter(pk=oidc_provider.pk).update(enabled=False)  # as if switched off mid-log-in
    request = browser_request()
    with context.request_context(request):
        sociallogin = app.get_provider(request).sociallogin_from_response(
            request, {"userinfo": claims("mo@medlock.example")}
        )
        sociallogin.state = {"process": "login"}
        response = complete_social_login(request, sociallogin)
    assert response.status_code == 403
    assert signed_in(request) is None


def _facilitator_at_medlock(world) -> User:
    """A facilitator whose address Medlock's provider serves, which the operator trusts for staff."""
    fay = make_user("Fay", email="fay@medlock.example", totp=True)
    Membership.objects.create(user=fay, cohort=world.cohort, role="facilitator")
    IdentityProvider.objects.filter(slug="medlock-oidc").update(signs_in_staff=True)
    return fay


@pytest.mark.parametrize("amr", [["mfa"], ["pwd", "otp"], ["pin", "hwk"], ["sms", "fpt"], "mfa"])
def test_a_facilitator_whose_provider_asserts_mfa_is_not_asked_for_the_code(world, oidc_provider, amr) -> None:
    fay = _facilitator_at_medlock(world)
    request, response = sso_login(oidc_provider, claims(fay.email, amr=amr))
    assert response.status_code == 302
    assert response["Location"] != reverse("mfa_authenticate")
    assert signed_in(request) == str(fay.pk)
    assert authn.second_factor(request.session, fay) == "sso:medlock-oidc"
    assert authn.verdict(fay, request.session) is authn.Verdict.SIGNED_IN


@pytest.mark.parametrize(
    "amr",
    [["pwd"], ["hwk"], ["sms"], ["swk"], ["otp"], ["otp", "sms"], ["pwd", "pin", "kba"], ["nomfa"], "pwd mfa", []],
)
def test_a_facilitator_whose_provider_asserts_a_single_factor_is_asked_for_the_code(world, oidc_provider, amr) -> None:
    fay = _facilitator_at_medlock(world)
    request, response = sso_login(oidc_provider, claims(fay.email, amr=amr))
    assert response["Location"] == reverse("mfa_authenticate")
    assert signed_in(request) is None  # not until the code is given


def test_a_configured_acr_value_counts_as_multi_factor(world, oidc_provider) -> None:
    oidc_provider.mfa_acr = "https://medlock.example/acr/strong"
    oidc_provider.save()
    fay = _facilitator_at_medlock(world)
    request, _response = sso_login(oidc_provider, claims(fay.email, acr="https://medlock.example/acr/strong"))
    assert authn.second_factor(request.session, fay) == "sso:medlock-oidc"
    request, response = sso_login(oidc_provider, claims(fay.email, acr="https://medlock.example/acr/weak"))
    assert response["Location"] == reverse("mfa_authenticate")


def test_a_member_needs_no_second_factor_and_none_is_recorded_without_mfa(world, invitation) -> None:
    provider = IdentityProvider.objects.get(slug="medlock-oidc")
    request, _response = sso_login(provider, claims("mo@medlock.example"))
    mo = User.objects.get(email="mo@medlock.example")
    assert authn.second_factor(request.session, mo) is None
    assert authn.verdict(mo, request.session) is authn.Verdict.SIGNED_IN


@pytest.mark.parametrize(
    ("extra", "mfa"),
    [
        ({"_authn_contexts": ["http://schemas.microsoft.com/claims/multipleauthn"]}, True),
        ({"_authn_contexts": ["https://refeds.org/profile/mfa"]}, True),
        ({"_authn_contexts": ["urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"]}, False),
        ({"_authn_contexts": ["urn:example:ac:classes:nomfa"]}, False),
        ({"_authn_contexts": ["https://refeds.org/profile/mfa-not"]}, False),
        ({"_authn_contexts": ["urn:example:multifactor-disabled"]}, False),
        ({"_authn_contexts": ["urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard"]}, False),
        ({"_authn_contexts": ["https://refeds.org/profile/sfa", "https://refeds.org/profile/mfa"]}, True),
        (
            {
                "http://schemas.microsoft.com/claims/authnmethodsreferences": [
                    "http://schemas.microsoft.com/claims/multipleauthn"
                ]
            },
            True,
        ),
        ({}, False),
    ],
)
def test_saml_authentication_contexts_that_mean_multi_factor(saml_provider, extra, mfa) -> None:
    """Exact values only: a context that merely contains "mfa" (":nomfa") is not multi-factor."""
    sociallogin = type("L", (), {"account": SocialAccount(extra_data=extra)})()
    assert mfa_rules.asserted_mfa(saml_provider, sociallogin) is mfa  # type: ignore[arg-type]


def test_a_saml_session_keeps_what_single_log_out_needs(world, saml_provider) -> None:
    """After a SAML log-in from an IdP with a single log-out address, log-out goes there (a LogoutRequest)."""
    ivy = make_user("Ivy", email="ivy@irwell.example")
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(ivy)
    session = client.session
    session[SLO_KEY] = {"slug": "irwell-saml", "nameid": "ivy@irwell.example", "format": None, "session_index": "_s1"}
    session.save()
    response = client.post(reverse("account_logout"))
    assert response["Location"].startswith("https://idp.irwell.example/saml/slo?SAMLRequest=")
    assert "_auth_user_id" not in client.session  # the product's own session ended first


@pytest.mark.parametrize("process", ["connect", "redirect"])
def test_only_signing_in_is_offered_not_connecting_or_redirecting(world, oidc_provider, process) -> None:
    mo = make_user("Mo", email="mo@medlock.example")
    request, response = sso_login(oidc_provider, claims(mo.email), process=process)
    assert response.status_code == 403
    assert signed_in(request) is None
    assert not SocialAccount.objects.exists()


# --- whom an institution's provider may vouch for (finding 1: account takeover) ---------------------


def assert_refused(request, response, shown: str) -> None:
    assert response.status_code == 403
    assert shown in response.content.decode()
    assert signed_in(request) is None


NOT_TIED = "does not belong to Medlock"
STAFF = "the site operator has not allowed Medlock Login to sign such accounts in"


def test_an_account_of_another_institution_is_not_signed_in_by_this_one(world, oidc_provider) -> None:
    pat = make_user("Pat", email="pat@medlock.example")
    Membership.objects.create(user=pat, cohort=world.cohort, role="lead", institution=world.irwell)
    request, response = sso_login(oidc_provider, claims(pat.email))
    assert_refused(request, response, NOT_TIED)
    assert not SocialAccount.objects.exists()


def test_an_account_in_no_cohort_is_not_signed_in(world, oidc_provider) -> None:
    make_user("Nobody", email="nobody@medlock.example")
    request, response = sso_login(oidc_provider, claims("nobody@medlock.example"))
    assert_refused(request, response, NOT_TIED)


@pytest.mark.parametrize("kind", ["superuser", "is_staff", "facilitator", "assessor", "observer"])
def test_staff_accounts_are_refused_by_a_provider_not_trusted_for_staff(world, oidc_provider, kind) -> None:
    """The tester's attack: the operator's (or a facilitator's) address at a domain a facilitator gave
    their provider. Even a membership of the provider's own institution does not make it enough."""
    victim = make_user("Victim", email="victim@medlock.example", totp=True)
    Membership.objects.create(user=victim, cohort=world.cohort, role="member", institution=world.medlock)
    if kind == "superuser":
        User.objects.filter(pk=victim.pk).update(is_superuser=True, is_staff=True)
    elif kind == "is_staff":
        User.objects.filter(pk=victim.pk).update(is_staff=True)
    else:
        Membership.objects.create(user=victim, cohort=world.other_cohort, role=kind)
    request, response = sso_login(oidc_provider, claims(victim.email, amr=["mfa"]))
    assert_refused(request, response, STAFF)
    assert not SocialAccount.objects.exists()

    IdentityProvider.objects.filter(pk=oidc_provider.pk).update(signs_in_staff=True)  # as the operator would
    request, response = sso_login(oidc_provider, claims(victim.email, amr=["mfa"]))
    assert response.status_code == 302
    assert signed_in(request) == str(victim.pk)


def test_an_account_already_connected_is_checked_again(world, oidc_provider) -> None:
    """A connection made while the person was a member does not outlive the rule: a facilitator now."""
    mo = make_user("Mo", email="mo@medlock.example")
    SocialAccount.objects.create(user=mo, provider="medlock-oidc", uid="sub-mo@medlock.example")
    Membership.objects.create(user=mo, cohort=world.cohort, role="facilitator")
    request, response = sso_login(oidc_provider, claims(mo.email))
    assert_refused(request, response, STAFF)


def test_an_existing_account_invited_to_the_institution_is_signed_in_and_joins(world, oidc_provider) -> None:
    mo = make_user("Mo", email="mo@medlock.example")
    invite(get_membership(world.fran, world.cohort.slug), email=mo.email, role="member", institution=world.medlock)
    request, response = sso_login(oidc_provider, claims(mo.email))
    assert response.status_code == 302
    assert signed_in(request) == str(mo.pk)
    assert Membership.objects.filter(user=mo, institution=world.medlock).exists()


def test_an_invitation_to_another_institution_is_not_accepted_through_this_provider(world, oidc_provider) -> None:
    invitation, _token = invite(
        get_membership(world.fran, world.cohort.slug),
        email="iris@medlock.example",
        role="lead",
        institution=world.irwell,
    )
    request, response = sso_login(oidc_provider, claims("iris@medlock.example"))
    assert_refused(request, response, "Ask your institution's lead for an invitation")
    assert not User.objects.filter(email="iris@medlock.example").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize("role", ["assessor", "observer"])
def test_an_invitation_to_a_staff_role_needs_a_provider_trusted_for_staff(world, oidc_provider, role) -> None:
    invitation, _token = invite(
        get_membership(world.fran, world.cohort.slug), email="sam@medlock.example", role=role, institution=None
    )
    request, response = sso_login(oidc_provider, claims("sam@medlock.example"))
    assert_refused(request, response, "Ask your institution's lead for an invitation")
    assert not User.objects.filter(email="sam@medlock.example").exists()

    IdentityProvider.objects.filter(pk=oidc_provider.pk).update(signs_in_staff=True)
    request, response = sso_login(oidc_provider, claims("sam@medlock.example", sub="sam-2"))
    assert response.status_code == 302
    assert Membership.objects.get(user__email="sam@medlock.example").role == role
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_an_asserted_address_with_spaces_and_capitals_is_normalised(world, invitation) -> None:
    provider = IdentityProvider.objects.get(slug="medlock-oidc")
    request, response = sso_login(provider, claims("  MO@Medlock.example "))
    assert response.status_code == 302
    mo = User.objects.get(email="mo@medlock.example")
    assert signed_in(request) == str(mo.pk)
    assert EmailAddress.objects.get(user=mo).email == "mo@medlock.example"
    # and the same person again, now an existing account
    request, response = sso_login(provider, claims(" Mo@MEDLOCK.example"))
    assert signed_in(request) == str(mo.pk)
    assert User.objects.filter(email__iexact="mo@medlock.example").count() == 1
