"""The log-in page's forms may lead to the enabled identity providers: Chromium applies the page's CSP
form-action to the redirect that follows the e-mail step, so without their origins every SSO start is
blocked (found by the journeys in test_sso_journeys.py)."""

from __future__ import annotations

import pytest
from django.test import Client

from cohort.sso.models import IdentityProvider
from tests import factories


def form_action(client: Client) -> list[str]:
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]
    directive = next(part.strip() for part in policy.split(";") if part.strip().startswith("form-action"))
    return directive.split()[1:]


@pytest.mark.django_db
def test_the_login_page_lets_its_forms_lead_to_enabled_identity_providers_only() -> None:
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    medlock = factories.make_institution("Medlock Metropolitan University", "Medlock")
    IdentityProvider.objects.create(
        institution=irwell, kind="saml", slug="irwell", name="Irwell", sso_url="https://idp.irwell.example/sso/redirect"
    )
    IdentityProvider.objects.create(
        institution=medlock, kind="oidc", slug="medlock", name="Medlock", issuer="https://login.medlock.example/tenant"
    )
    IdentityProvider.objects.create(
        institution=medlock, kind="oidc", slug="old", name="Old", issuer="https://old.example", enabled=False
    )

    assert form_action(Client()) == ["'self'", "https://idp.irwell.example", "https://login.medlock.example"]


@pytest.mark.django_db
def test_without_identity_providers_the_login_page_posts_only_to_itself() -> None:
    assert form_action(Client()) == ["'self'"]
