"""Log-in by e-mail first (home-realm discovery), and "SSO only" institutions refusing passwords."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse

from tests.cohort.sso.support import IDP_SSO
from tests.factories import PASSWORD, make_user

LOGIN = "/accounts/login/"


def test_the_first_step_asks_only_for_the_email_address(client, db) -> None:
    page = client.get(LOGIN).content.decode()
    assert 'name="login"' in page and 'type="email"' in page
    assert 'name="password"' not in page
    assert "Continue" in page
    assert reverse("account_reset_password") in page


def test_an_address_no_provider_serves_gets_the_password_step_with_the_address_kept(client, world) -> None:
    response = client.post(LOGIN, {"login": "someone@example.org"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="password"' in page and "autofocus" in page
    assert 'value="someone@example.org"' in page
    assert "_auth_user_id" not in client.session


def test_the_password_step_logs_in(client, world) -> None:
    response = client.post(LOGIN, {"login": world.alice.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.alice.pk)


def test_an_address_that_is_not_one_is_refused_with_a_message(client, db) -> None:
    response = client.post(LOGIN, {"login": "not an address"})
    page = response.content.decode()
    assert "Enter a valid email address" in page
    assert 'name="password"' not in page


def test_an_address_a_saml_provider_serves_is_sent_to_the_identity_provider(client, saml_provider) -> None:
    response = client.post(LOGIN, {"login": "Ivy@Irwell.example", "next": "/c/somewhere/"})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(IDP_SSO + "?")
    assert "SAMLRequest" in parse_qs(urlsplit(location).query)
    assert "_auth_user_id" not in client.session


def test_an_address_an_oidc_provider_serves_is_sent_to_its_authorization_endpoint(
    client, oidc_provider, oidc_discovery
) -> None:
    response = client.post(LOGIN, {"login": "mo@medlock.example"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{oidc_discovery.issuer}/authorize"
    assert query["client_id"] == ["qm-cohort"]
    assert query["redirect_uri"] == ["http://127.0.0.1/accounts/oidc/medlock-oidc/login/callback/"]
    assert "code_challenge" in query and "state" in query


def test_a_switched_off_provider_sends_no_one_there(client, saml_provider) -> None:
    saml_provider.enabled = False
    saml_provider.save()
    page = client.post(LOGIN, {"login": "ivy@irwell.example"}).content.decode()
    assert 'name="password"' in page


def test_a_provider_that_cannot_be_reached_says_so_and_offers_the_password(
    client, oidc_provider, oidc_discovery
) -> None:
    oidc_discovery.body = None  # its discovery document no longer answers
    page = client.post(LOGIN, {"login": "mo@medlock.example"}).content.decode()
    assert "Medlock Login, your institution&#x27;s sign-in, cannot be reached just now" in page
    assert 'name="password"' in page


def test_sso_only_an_unreachable_provider_offers_no_password(client, oidc_provider, oidc_discovery) -> None:
    oidc_provider.sso_only = True
    oidc_provider.save()
    oidc_discovery.body = None
    page = client.post(LOGIN, {"login": "mo@medlock.example"}).content.decode()
    assert "cannot be reached just now" in page
    assert 'name="password"' not in page


def test_sso_only_a_password_is_refused_with_where_to_go_and_no_session(client, saml_provider) -> None:
    saml_provider.sso_only = True
    saml_provider.save()
    ivy = make_user("Ivy", email="ivy@irwell.example")
    response = client.post(LOGIN, {"login": ivy.email, "password": PASSWORD})
    page = response.content.decode()
    assert response.status_code == 200
    assert "People at University of Irwell Valley sign in with their institution&#x27;s account" in page
    assert "Continue with Irwell Single Sign-On" in page
    assert "_auth_user_id" not in client.session
    # The button beside it sends the address alone: to the identity provider.
    response = client.post(LOGIN, {"login": ivy.email})
    assert response["Location"].startswith(IDP_SSO)


def test_sso_only_the_refusal_comes_before_the_password_is_checked(client, saml_provider) -> None:
    """A wrong password and a right one get the same answer: the refusal says nothing about the account."""
    saml_provider.sso_only = True
    saml_provider.save()
    make_user("Ivy", email="ivy@irwell.example")
    wrong = client.post(LOGIN, {"login": "ivy@irwell.example", "password": "not-it"}).content.decode()
    assert "sign in with their institution&#x27;s account" in wrong
    assert "password you specified are not correct" not in wrong


def test_without_sso_only_a_password_still_works_for_a_served_domain(client, saml_provider) -> None:
    ivy = make_user("Ivy", email="ivy@irwell.example")
    response = client.post(LOGIN, {"login": ivy.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ivy.pk)


def test_sso_only_the_password_reset_is_refused_with_where_to_go(client, saml_provider, mailoutbox) -> None:
    saml_provider.sso_only = True
    saml_provider.save()
    make_user("Ivy", email="ivy@irwell.example")
    response = client.post(reverse("account_reset_password"), {"email": "ivy@irwell.example"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "there is no password to reset here" in page
    assert "Continue with Irwell Single Sign-On" in page
    assert mailoutbox == []


def test_the_admin_log_in_goes_through_the_same_refusal(saml_provider) -> None:
    saml_provider.sso_only = True
    saml_provider.save()
    operator = make_user("Opal", email="opal@irwell.example")
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client = Client()
    to_login = client.get(reverse("admin:index"))["Location"]
    assert to_login.startswith(LOGIN)
    page = client.post(to_login, {"login": operator.email, "password": PASSWORD}).content.decode()
    assert "sign in with their institution&#x27;s account" in page
    assert "_auth_user_id" not in client.session


def test_an_unverified_existing_address_is_not_an_sso_route(client, db) -> None:
    """Discovery reads only providers' domains: an account's own state plays no part."""
    user = make_user("Una", email="una@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    page = client.post(LOGIN, {"login": user.email}).content.decode()
    assert 'name="password"' in page
