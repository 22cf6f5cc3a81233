"""A lead who reads Welsh books a consultation in the browser: every page of the way is in Welsh, and
the invitation e-mail (subject and body) and its calendar file reach them in Welsh, while the English
assessor's come in English.

Needs the Welsh catalogue compiled (locale/cy/LC_MESSAGES/django.mo, made by the set-up)."""

from __future__ import annotations

import pytest
from django.core import mail
from icalendar import Calendar

from cohort.models import Role
from meetings.consultations.models import Consultation
from meetings.consultations.services import send_consultation_emails
from tests import factories
from tests.browser.support import DESKTOP, PHONE, activate, log_in, screenshot, tab_to
from tests.meetings.consultations.factories import make_settings

pytestmark = pytest.mark.browser


def test_a_welsh_lead_books_a_consultation_in_welsh_and_receives_the_invitation_in_welsh(new_page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    alex = factories.make_user("Alex", totp=True)
    factories.member(alex, cohort, Role.ASSESSOR)
    factories.join(cohort, irwell, assessor=alex)
    lena = factories.make_user("Lena")
    lena.language = "cy"
    lena.save(update_fields=["language"])
    factories.member(lena, cohort, Role.LEAD, irwell)
    make_settings(cohort, alex)

    lead = new_page(PHONE)
    log_in(lead, lena.email, factories.PASSWORD)
    lead.goto("/c/gm/consultations/")
    assert lead.get_attribute("html", "lang") == "cy"
    assert lead.get_by_role("heading", level=1).inner_text() == "Ymgynghoriadau"
    assert "0 o 3" in lead.locator(".quota").inner_text()
    screenshot(lead, "welsh-consultations")

    activate(lead, "Archebu ymgynghoriad", exact=True)
    assert lead.get_by_role("heading", level=1).inner_text() == "Archebu ymgynghoriad"
    assert lead.get_by_text("Dewiswch amser", exact=True).is_visible()
    assert "Mae’r amseroedd yn eich cylchfa amser chi" in lead.locator("#slots").inner_text()
    tab_to(lead, "", kind="radio")  # the first free time
    lead.keyboard.press("Space")
    tab_to(lead, "Beth hoffech chi ei drafod?")
    lead.keyboard.type("Ein naratif derbyn")
    screenshot(lead, "welsh-book")
    activate(lead, "Archebu’r ymgynghoriad hwn", exact=True)

    assert lead.get_by_role("heading", level=1).inner_text() == "Ymgynghoriad: Irwell gyda Alex"
    assert lead.get_by_text("Mae eich ymgynghoriad wedi’i archebu.").is_visible()
    assert lead.get_by_text("Nodiadau a chamau gweithredu").is_visible()
    screenshot(lead, "welsh-consultation-detail")
    consultation = Consultation.objects.get()
    assert (consultation.booked_by_id, consultation.topic) == (lena.pk, "Ein naratif derbyn")

    # The booking sends the invitations after commit, from the server's process, whose outbox this
    # process cannot read: the same call renders them here, for each of the two people.
    del mail.outbox[:]
    send_consultation_emails(consultation.pk, "booked")
    (welsh,) = [m for m in mail.outbox if m.to == [lena.email]]
    (english,) = [m for m in mail.outbox if m.to == [alex.email]]
    assert welsh.subject.startswith("Ymgynghoriad wedi’i archebu: Irwell, ")
    assert welsh.body.startswith("Helo Lena,\n\nMae ymgynghoriad wedi’i archebu:\n")
    assert "Pwnc: Ein naratif derbyn" in welsh.body and "Ei ganslo: http" in welsh.body
    assert "Dydd " in welsh.body  # the day's name in Welsh, by Django's formatting
    event = Calendar.from_ical(welsh.attachments[0][1]).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Ymgynghoriad QM: Irwell gyda Alex"
    assert "Pwnc: Ein naratif derbyn" in str(event["DESCRIPTION"])
    assert english.subject.startswith("Consultation booked: Irwell, ")
    assert str(Calendar.from_ical(english.attachments[0][1]).walk("VEVENT")[0]["SUMMARY"]) == (
        "QM consultation: Irwell with Alex"
    )

    # The dashboard's panel too.
    lead.set_viewport_size(DESKTOP)
    lead.goto("/c/gm/")
    panel = lead.locator(".consultation-panel").inner_text()
    assert "Nesaf:" in panel and "1 o 3" in panel and "Ein naratif derbyn" in panel
