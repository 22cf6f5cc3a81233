from __future__ import annotations

from django.urls import reverse


def test_the_log_in_page_says_accounts_come_by_invitation_and_offers_no_sign_up(client, db) -> None:
    page = client.get(reverse("account_login")).content.decode()
    assert "Accounts are made by invitation" in page
    assert "sign up" not in page.lower()
    assert reverse("account_signup") not in page
    assert 'name="login"' in page  # the e-mail first; the password is the second step (tests/cohort/sso/test_login.py)
    assert reverse("account_reset_password") in page  # "Forgot your password?" stays
