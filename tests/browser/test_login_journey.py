from __future__ import annotations

import pytest

from cohort.models import Role
from tests import factories
from tests.browser.support import log_in, screenshot

pytestmark = pytest.mark.browser


def test_a_member_logs_in_and_reaches_the_cohort_dashboard(page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    alice = factories.make_user("Alice")
    factories.member(alice, cohort, Role.MEMBER, irwell)

    log_in(page, alice.email, factories.PASSWORD)
    # One cohort: the log-in lands on its dashboard.

    assert page.get_by_role("heading", level=1).inner_text() == "Greater Manchester cohort"
    assert page.get_by_role("row", name="University of Irwell Valley").is_visible()
    screenshot(page, "dashboard-member")


def test_a_facilitator_must_give_a_two_factor_code_to_log_in(page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    fran = factories.make_user("Fran", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)

    log_in(page, fran.email, factories.PASSWORD, totp_user=fran)

    assert page.get_by_role("heading", level=1).inner_text() == "Greater Manchester cohort"
    screenshot(page, "dashboard-facilitator")
