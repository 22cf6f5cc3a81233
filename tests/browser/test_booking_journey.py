"""An assessor opens times, a lead books one, both see it, the lead cancels: all with the keyboard."""

from __future__ import annotations

import pytest

from cohort.models import Role
from meetings.consultations.models import Consultation
from tests import factories
from tests.browser.support import DESKTOP, PHONE, activate, log_in, screenshot, skip_to_main, tab_to

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
    activate(assessor, "Consultations", exact=True)
    skip_to_main(assessor)
    activate(assessor, "Set your availability")
    skip_to_main(assessor)
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"):
        tab_to(assessor, day)
        assessor.keyboard.type("09:00-12:00, 14:00-17:00")
    tab_to(assessor, "Video link")
    assessor.keyboard.type("https://video.example/alex-room")
    screenshot(assessor, "booking-availability")
    activate(assessor, "Save availability")
    assert assessor.get_by_text("Your availability is saved.").is_visible()

    # The lead books the first free time.
    lead = new_page(PHONE)
    log_in(lead, lena.email, factories.PASSWORD)
    lead.goto("/c/gm/consultations/")
    assert lead.get_by_text("0 of 3").is_visible()
    skip_to_main(lead)
    activate(lead, "Book a consultation")
    skip_to_main(lead)
    tab_to(lead, "", kind="radio")  # the first free time: the group's first radio
    lead.keyboard.press("Space")
    tab_to(lead, "What would you like to discuss?")
    lead.keyboard.type("Our admissions narrative")
    tab_to(lead, "4. Admissions")
    lead.keyboard.press("Space")
    screenshot(lead, "booking-book")
    activate(lead, "Book this consultation")
    assert lead.get_by_role("heading", level=1).inner_text() == "Consultation: Irwell with Alex"
    assert lead.get_by_text("Your consultation is booked.").is_visible()
    screenshot(lead, "booking-detail-lead")
    consultation = Consultation.objects.get()
    assert consultation.booked_by_id == lena.pk
    assert consultation.areas.get().title == "Admissions"

    # The lead's dashboard shows the next consultation and what is left of the quota.
    lead.goto("/c/gm/")
    panel = lead.locator(".consultation-panel")
    assert "1 of 3" in panel.inner_text() and "Our admissions narrative" in panel.inner_text()
    screenshot(lead, "booking-dashboard-lead")
    lead.go_back()

    # The assessor sees it in their list.
    assessor.goto("/c/gm/consultations/")
    screenshot(assessor, "booking-list-assessor")
    skip_to_main(assessor)
    activate(assessor, consultation.starts_at.astimezone(alex.tzinfo).strftime("%-d %b %Y"), kind="a")
    assert assessor.get_by_text("Our admissions narrative").is_visible()
    screenshot(assessor, "booking-detail-assessor")

    # The lead cancels with plenty of notice: the consultation is given back.
    skip_to_main(lead)
    activate(lead, "Cancel it")
    assert lead.get_by_text("given back").is_visible()
    skip_to_main(lead)
    activate(lead, "Cancel the consultation")
    assert lead.get_by_text("The consultation is cancelled.").is_visible()
    assert lead.get_by_text("0 of 3").is_visible()
    screenshot(lead, "booking-cancelled-lead")
    consultation.refresh_from_db()
    assert (consultation.status, consultation.counts_toward_quota) == ("cancelled", False)
