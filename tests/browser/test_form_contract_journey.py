"""Nothing typed is lost (#18), with the keyboard alone: a narrative typed before "Add evidence"
survives refused evidence and is saved with accepted evidence, and a comment is not sent over it; the summary editor's "Publish" does
not throw away unsaved edits; the meeting form's date shows in its date field and saves unchanged."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.urls import reverse

from cohort.access import get_membership
from cohort.models import Role
from media_feedback.models import SummaryVersion
from media_feedback.review import services as review
from meetings import services as meetings
from tests import factories
from tests.browser.support import activate, log_in, screenshot, skip_to_main, tab_to, type_date
from tests.cohort.assessment.factories import criterion, self_assessment
from tests.media_feedback.review.factories import make_call

pytestmark = pytest.mark.browser

NARRATIVE = "Our bursary reached every care leaver this year."


def test_typing_survives_second_actions_and_dates_show_in_their_fields(new_page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    fran = factories.make_user("Fran", totp=True)
    alice = factories.make_user("Alice")
    factories.join(cohort, irwell)
    factories.member(fran, cohort, Role.FACILITATOR)
    factories.member(alice, cohort, Role.MEMBER, irwell)
    self_assessment(cohort, irwell)
    c11 = criterion(cohort, "1.1")
    fran_m = get_membership(fran, cohort.slug)
    meeting = meetings.create_series(
        fran_m, title="Group meeting", starts_on=date(2027, 4, 27), time_of_day=time(10), count=1
    ).meetings.get()
    document = review.create_summary(fran_m, make_call(cohort))
    review.update_draft(fran_m, document, title="What students told us", body="Bursaries helped.")

    # Alice types a narrative, then evidence dated in the future: refused, everything still there.
    member = new_page()
    log_in(member, alice.email, factories.PASSWORD)
    member.goto(reverse("cohort:criterion", kwargs={"cohort": "gm", "institution": "irwell", "criterion_id": c11.pk}))
    skip_to_main(member)
    tab_to(member, "Narrative", kind="textarea")
    member.keyboard.type(NARRATIVE)
    tab_to(member, "Title", kind="text")
    member.keyboard.type("Bursary report")
    assert member.locator("#id_title-counter").inner_text() == "14 of 200 characters"  # the limit, shown
    tab_to(member, "Date of the evidence", kind="date")
    type_date(member, date(2099, 1, 1))
    tab_to(member, "Link", kind="url")
    member.keyboard.type("https://irwell.example/bursary")
    activate(member, "Add evidence")
    assert member.get_by_text("The date of the evidence cannot be in the future.").first.is_visible()
    assert member.get_by_role("textbox", name="Narrative").input_value() == NARRATIVE
    assert member.get_by_role("textbox", name="Title").input_value() == "Bursary report"

    # With a real date, the evidence is added and the narrative saved with it.
    skip_to_main(member)
    tab_to(member, "Date of the evidence", kind="date")
    type_date(member, date(2025, 6, 30))
    activate(member, "Add evidence")
    assert member.get_by_text(
        "Evidence “Bursary report” added to 1.1 and the narrative saved (in progress)."
    ).is_visible()
    assert member.locator(".sa-narrative").inner_text().strip() == NARRATIVE
    screenshot(member, "form-contract-criterion")

    # More narrative typed, then a comment sent: the comment waits, saying why; the narrative stays.
    skip_to_main(member)
    tab_to(member, "Narrative", kind="textarea")
    member.keyboard.press("End")
    member.keyboard.type(" And the hardship fund.")
    tab_to(member, "Comment", kind="textarea")
    member.keyboard.type("Is this enough?")
    activate(member, "Add comment", navigates=False)
    assert member.get_by_role("alert").filter(has_text="Nothing was sent: the narrative").is_visible()
    assert member.get_by_role("textbox", name="Narrative").input_value() == NARRATIVE + " And the hardship fund."

    # Fran edits the summary and presses Publish before saving: refused, the edit still in the editor.
    staff = new_page()
    log_in(staff, fran.email, factories.PASSWORD, totp_user=fran)
    staff.goto(reverse("media_feedback:edit_summary", kwargs={"cohort": "gm", "document_id": document.pk}))
    skip_to_main(staff)
    tab_to(staff, "Text (Markdown)", kind="textarea")
    staff.keyboard.press("End")
    staff.keyboard.type(" So did the hardship fund.")
    activate(staff, "Publish the saved draft")
    assert staff.get_by_text("Your changes to the draft are not saved yet").is_visible()
    assert (
        staff.get_by_label("Text (Markdown)", exact=True).input_value() == "Bursaries helped. So did the hardship fund."
    )
    assert not SummaryVersion.objects.exists()
    skip_to_main(staff)
    activate(staff, "Save the draft")
    skip_to_main(staff)
    activate(staff, "Publish the saved draft")
    assert SummaryVersion.objects.get().source == "Bursaries helped. So did the hardship fund."

    # The meeting form shows its date in the date field, and saving it unchanged works.
    staff.goto(reverse("meetings:edit_meeting", kwargs={"cohort": "gm", "meeting_id": meeting.pk}))
    assert staff.get_by_label("Date").input_value() == "2027-04-27"
    skip_to_main(staff)
    activate(staff, "Save the changes")
    assert staff.get_by_text("The meeting is saved. Nothing in its invitation changed, so none was sent.").is_visible()
