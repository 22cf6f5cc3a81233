"""A lead does their work with the keyboard alone: log in, open the cohort, invite a colleague."""

from __future__ import annotations

import pytest

from cohort.models import Invitation, Role
from tests import factories
from tests.browser.support import tab_to

pytestmark = pytest.mark.browser


def test_a_lead_logs_in_and_invites_a_colleague_with_the_keyboard_alone(page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    lena = factories.make_user("Lena")
    factories.member(lena, cohort, Role.LEAD, irwell)

    page.goto("/accounts/login/")
    tab_to(page, "Skip to main content")
    tab_to(page, "Email")
    page.keyboard.type(lena.email)
    page.keyboard.press("Enter")  # the e-mail first: no identity provider serves it, so the password step
    page.locator("input[name=password]").wait_for()  # with the focus in the password field
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    # Lena has one cohort: the log-in lands on its dashboard.
    page.get_by_role("heading", name="Greater Manchester cohort", level=1).wait_for()
    tab_to(page, "People")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Invite someone").wait_for()
    tab_to(page, "E-mail address")
    page.keyboard.type("colleague@example.org")
    tab_to(page, "Send invitation")
    page.keyboard.press("Enter")

    page.get_by_text("Invitation sent to colleague@example.org").wait_for()
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.institution, invitation.role) == ("colleague@example.org", irwell, Role.MEMBER)
