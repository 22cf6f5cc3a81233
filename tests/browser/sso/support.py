"""Helpers the single sign-on tests share: signing in through a real identity provider in the browser,
and what the database says about sessions and accounts afterwards."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session

from cohort.models import Membership, User
from tests.browser.support import tab_to


def start_sso(page: Any, email: str, idp_url: str) -> None:
    """On the product's log-in page, type an e-mail address served by an identity provider and go on,
    with the keyboard, until the IdP's own log-in page shows."""
    page.goto("/accounts/login/")
    tab_to(page, "Email")
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    origin = idp_url.split("/", 3)[:3]
    page.wait_for_url(lambda url: url.split("/", 3)[:3] == origin, timeout=30_000)


def pick_account(page: Any, account: str) -> None:
    """On the IdP's log-in page, sign in as one of the people it knows; wait to be back at the product."""
    idp_origin = page.url.split("/", 3)[:3]
    button = page.locator(f'button[name="account"][value="{account}"]')
    try:
        button.wait_for(timeout=30_000)
    except Exception as error:
        shown = page.locator("body").inner_text(timeout=5_000)
        raise AssertionError(f"no account {account!r} to pick at {page.url}: {shown[:500]!r}") from error
    button.click()
    page.wait_for_url(lambda url: url.split("/", 3)[:3] != idp_origin, timeout=30_000)
    page.wait_for_load_state()


def sign_in_by_sso(page: Any, email: str, account: str, idp_url: str) -> None:
    start_sso(page, email, idp_url)
    pick_account(page, account)


# What the refusal page (templates/socialaccount/refused.html) says for each reason.
REFUSED = {
    "no_invitation": "Ask your institution's lead for an invitation",
    "domain": "vouched for an e-mail address it does not look after here",
    "unverified": "says your e-mail address is not verified",
    "staff": "the site operator has not allowed",
    "not_tied": "does not belong to",
    "error": "the answer from your institution's sign-in could not be accepted. Nothing was changed.",
}


def assert_refused(page: Any, reason: str) -> None:
    """The refusal page, with the sentence for this reason."""
    shown = page.locator("body").inner_text()
    assert "You are not signed in" in shown and REFUSED[reason] in shown, f"the page says: {shown[:500]!r}"


def signed_in_sessions() -> list[str]:
    """The ids of the people some stored session signs in."""
    people = []
    for session in Session.objects.all():
        user_id = session.get_decoded().get("_auth_user_id")
        if user_id:
            people.append(str(user_id))
    return people


def accounts_for(email: str) -> dict[str, int]:
    """What the database holds for an address: accounts, memberships, accounts linked to an IdP."""
    return {
        "users": User.objects.filter(email__iexact=email).count(),
        "memberships": Membership.objects.filter(user__email__iexact=email).count(),
        "linked": SocialAccount.objects.filter(user__email__iexact=email).count(),
    }
