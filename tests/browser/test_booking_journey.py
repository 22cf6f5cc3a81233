"""An assessor opens times, a lead books one, both see it, the lead cancels."""

from __future__ import annotations

import re

import pytest

from cohort.models import Role
from meetings.booking_models import Consultation
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, log_in, screenshot

pytestmark = pytest.mark.browser


def test_an_assessor_sets_availability_a_lead_books_both_see_it_and_the_lead_cancels(new_page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    alex = factories.make_user("Alex", totp=True)
    factories.member(alex, cohort, Role.ASSESSOR)
    factories.join(cohort, irwell, assessor=alex)
    lena = factories.make_user("Lena")
    factories.member(lena, cohort, Role.LEAD, irwell)

    # The assessor opens weekday hours.
    assessor = new_page(DESKTOP)
    log_in(assessor, alex.email, factories.PASSWORD, totp_user=alex)
    assessor.goto("/c/gm/")
    assessor.get_by_role("link", name="Consultations", exact=True).click()
    assessor.get_by_role("link", name="Set your availability").click()
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        assessor.get_by_label(day).fill("09:00-12:00, 14:00-17:00")
    assessor.get_by_label("Video link").fill("https://video.example/alex-room")
    screenshot(assessor, "booking-availability")
    assessor.get_by_role("button", name="Save availability").click()
    assert assessor.get_by_text("Your availability is saved.").is_visible()

    # The lead books the first free time.
    lead = new_page(PHONE)
    log_in(lead, lena.email, factories.PASSWORD)
    lead.goto("/c/gm/consultations/")
    assert lead.get_by_text("0 of 3").is_visible()
    lead.get_by_role("link", name="Book a consultation").click()
    lead.locator(".slot-list label").first.click()
    lead.get_by_label("What would you like to discuss?").fill("Our admissions narrative")
    lead.get_by_label("4. Admissions").check()
    screenshot(lead, "booking-book")
    lead.get_by_role("button", name="Book this consultation").click()
    assert lead.get_by_role("heading", level=1).inner_text() == "Consultation: Irwell with Alex"
    assert lead.get_by_text("Your consultation is booked.").is_visible()
    screenshot(lead, "booking-detail-lead")
    consultation = Consultation.objects.get()
    assert consultation.booked_by_id == lena.pk

    # The lead's dashboard shows the next consultation and what is left of the quota.
    lead.goto("/c/gm/")
    panel = lead.locator(".consultation-panel")
    assert "1 of 3" in panel.inner_text() and "Our admissions narrative" in panel.inner_text()
    screenshot(lead, "booking-dashboard-lead")
    lead.go_back()

    # The assessor sees it in their list.
    assessor.goto("/c/gm/consultations/")
    screenshot(assessor, "booking-list-assessor")
    assessor.get_by_role(
        "link", name=re.compile(consultation.starts_at.astimezone(alex.tzinfo).strftime("%-d %b %Y"))
    ).click()
    assert assessor.get_by_text("Our admissions narrative").is_visible()
    screenshot(assessor, "booking-detail-assessor")

    # The lead cancels with plenty of notice: the consultation is given back.
    lead.get_by_role("link", name="Cancel it").click()
    assert lead.get_by_text("given back").is_visible()
    lead.get_by_role("button", name="Cancel the consultation").click()
    assert lead.get_by_text("The consultation is cancelled.").is_visible()
    assert lead.get_by_text("0 of 3").is_visible()
    screenshot(lead, "booking-cancelled-lead")
    consultation.refresh_from_db()
    assert (consultation.status, consultation.counts_toward_quota) == ("cancelled", False)
