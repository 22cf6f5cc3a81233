"""Signing in with the institution's own account, through real identity providers (OpenID Connect and
SAML 2.0, each in its own process) in Chromium: each journey runs once per kind of provider."""

from __future__ import annotations

from typing import Any

import pytest

from cohort.models import Role, User
from tests import factories
from tests.browser.sso.conftest import DOMAIN
from tests.browser.sso.support import (
    accounts_for,
    assert_refused,
    pick_account,
    sign_in_by_sso,
    signed_in_sessions,
    start_sso,
)
from tests.browser.support import screenshot, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("sso")]


def test_an_invited_lead_signs_in_by_sso_lands_on_their_dashboard_and_logs_out(
    page: Any, provider: Any, running_idp: Any, invite: Any, kind: str
) -> None:
    invite(f"lena@{DOMAIN}", Role.LEAD)

    sign_in_by_sso(page, f"lena@{DOMAIN}", "lena", running_idp.url)

    assert page.get_by_role("heading", level=1).inner_text() == "Greater Manchester cohort"
    lena = User.objects.get(email=f"lena@{DOMAIN}")
    assert lena.display_name == "Lena Lloyd"
    membership = lena.memberships.get()
    assert (membership.role, membership.institution.short_name) == (Role.LEAD, "Irwell")
    assert accounts_for(lena.email) == {"users": 1, "memberships": 1, "linked": 1}
    screenshot(page, f"sso-{kind}-lead-dashboard", widths=(1280,))

    # Log-out ends the product's own session (these IdPs offer no single log-out).
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert signed_in_sessions() == []
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_an_uninvited_person_is_told_to_ask_for_an_invitation_and_gets_no_account(
    page: Any, provider: Any, running_idp: Any, kind: str
) -> None:
    sign_in_by_sso(page, f"uma@{DOMAIN}", "uma", running_idp.url)

    assert_refused(page, "no_invitation")
    screenshot(page, f"sso-{kind}-uninvited", widths=(1280,))
    assert accounts_for(f"uma@{DOMAIN}") == {"users": 0, "memberships": 0, "linked": 0}
    assert signed_in_sessions() == []
    page.goto("/")
    assert "/accounts/login/" in page.url


@pytest.fixture
def facilitator(sso_cohort: Any, provider: Any) -> Any:
    """A facilitator of the cohort who works at Irwell: an existing account with TOTP set up. Irwell's
    provider signs in staff only because the site operator marked it so (signs_in_staff)."""
    cohort, _, _ = sso_cohort
    provider.signs_in_staff = True
    provider.save(update_fields=["signs_in_staff"])
    fran = factories.make_user("Fran Fisher", email=f"fran@{DOMAIN}", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    return fran


def test_a_facilitator_whose_idp_asserts_mfa_is_not_asked_for_a_code(
    page: Any, provider: Any, running_idp: Any, facilitator: Any
) -> None:
    sign_in_by_sso(page, facilitator.email, "fran-mfa", running_idp.url)

    assert page.get_by_role("heading", level=1).inner_text() == "Greater Manchester cohort"
    assert page.get_by_label("Code").count() == 0
    assert signed_in_sessions() == [str(facilitator.pk)]


def test_a_facilitator_whose_idp_does_not_assert_mfa_is_asked_for_their_code(
    page: Any, provider: Any, running_idp: Any, facilitator: Any
) -> None:
    start_sso(page, facilitator.email, running_idp.url)
    pick_account(page, "fran")

    page.get_by_label("Code").wait_for()
    assert signed_in_sessions() == []  # not in until the code is given
    tab_to(page, "Code")
    page.keyboard.type(factories.totp_code(facilitator))
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)

    assert page.get_by_role("heading", level=1).inner_text() == "Greater Manchester cohort"


def test_a_facilitator_is_refused_by_a_provider_the_operator_has_not_trusted_for_staff(
    page: Any, provider: Any, running_idp: Any, sso_cohort: Any
) -> None:
    """The tester's takeover: a facilitator's (or the operator's) address at a domain the provider serves,
    MFA asserted, through a provider no operator has trusted for staff: refused, no session."""
    cohort, _, _ = sso_cohort
    fran = factories.make_user("Fran Fisher", email=f"fran@{DOMAIN}", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)

    sign_in_by_sso(page, fran.email, "fran-mfa", running_idp.url)

    assert_refused(page, "staff")
    assert signed_in_sessions() == []
