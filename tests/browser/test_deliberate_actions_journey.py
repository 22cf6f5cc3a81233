"""Issue 18 in the browser, keyboard only: a facilitator cancels a meeting through the confirmation
page and restores it; a lead removes a member and adds her back; a student's "done" page turns to
"Not used", with the reason and a way back, while she watches, and keeps her private link on reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cohort.access import get_membership
from cohort.models import Membership, Role
from media_feedback import services, tasks
from media_feedback.models import Clip
from meetings.models import Meeting
from tests import factories
from tests.browser.support import PHONE, activate, choose, log_in, skip_to_main, tab_to

pytestmark = pytest.mark.browser


def _cohort():
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    fran = factories.make_user("Fran", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    lena = factories.make_user("Lena")
    factories.member(lena, cohort, Role.LEAD, irwell)
    alice = factories.make_user("Alice")
    factories.member(alice, cohort, Role.MEMBER, irwell)
    return cohort, irwell, fran, lena, alice


def test_cancelling_a_meeting_and_removing_a_member_are_confirmed_and_undone(new_page) -> None:
    cohort, _irwell, fran, lena, alice = _cohort()
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=9)
    meeting = Meeting.objects.create(
        cohort=cohort, title="Admissions", starts_at=starts, ends_at=starts + timedelta(minutes=90)
    )

    page = new_page()
    log_in(page, fran.email, factories.PASSWORD, totp_user=fran)
    page.goto(f"/c/gm/meetings/{meeting.pk}/")
    skip_to_main(page)
    activate(page, "Cancel this meeting", kind="a")
    main = page.locator("main").inner_text()
    assert "All 3 members of the cohort are e-mailed a cancellation" in main and "You can restore it" in main
    meeting.refresh_from_db()
    assert not meeting.is_cancelled  # the page only asked
    skip_to_main(page)
    activate(page, "Cancel the meeting", kind="button")
    assert page.get_by_text("This meeting is cancelled.").is_visible()
    skip_to_main(page)
    activate(page, "Restore the meeting", kind="button")
    assert page.get_by_text("The meeting is on again; members receive a fresh invitation.").is_visible()
    meeting.refresh_from_db()
    assert not meeting.is_cancelled

    lead = new_page()
    log_in(lead, lena.email, factories.PASSWORD)
    lead.goto("/c/gm/people/")
    skip_to_main(lead)
    activate(lead, "Remove Alice", kind="a")
    assert "You can add Alice back later" in lead.locator("main").inner_text()
    skip_to_main(lead)
    activate(lead, "Remove Alice", kind="button")
    assert not Membership.objects.filter(user=alice, cohort=cohort).exists()
    skip_to_main(lead)
    activate(lead, "Add back Alice", kind="button")
    assert lead.get_by_text("Alice is a member again, as Institution member").is_visible()
    assert Membership.objects.get(user=alice, cohort=cohort).role == Role.MEMBER


def test_a_student_sees_her_clip_refused_on_the_done_page_and_finds_her_way_back(new_page) -> None:
    cohort, irwell, fran, _lena, _alice = _cohort()
    call = services.open_call(
        get_membership(fran, cohort.slug),
        title="How was your first year?",
        questions="What helped you most?",
        areas=[],
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=7),
    )
    link = call.links.get(institution=irwell)

    student = new_page(PHONE)
    student.goto(f"/s/{link.token}/")
    skip_to_main(student)
    tab_to(student, "Only the NNECL facilitators", kind="radio")
    choose(student, "Only the NNECL facilitators")
    tab_to(student, "Under 16", kind="radio")
    choose(student, "18 or over")
    tab_to(student, "I have read what happens to my clip and I agree to take part", kind="checkbox")
    student.keyboard.press("Space")
    activate(student, "Continue to recording")
    # The last chunk arrives (tus-js-client then opens the done page); the checks are still running.
    Clip.objects.filter(call=call).update(status=Clip.Status.CHECKING)
    student.goto(f"/s/{link.token}/done/")
    assert student.get_by_text("Arrived, being prepared").is_visible()
    private_link = student.locator("#receipt-link").inner_text()

    tasks.refuse_clip(Clip.objects.get(call=call), "The recording has no sound or picture we could read.")
    student.get_by_text("Not used").wait_for(timeout=10_000)  # the page asked again by itself
    assert student.get_by_text("The recording has no sound or picture we could read.").is_visible()

    student.reload()  # no longer back to the consent form: the same page, the same private link
    assert student.locator("#receipt-link").inner_text() == private_link
    skip_to_main(student)
    activate(student, "Try again", kind="a")
    assert student.get_by_role("heading", name="Before you start").is_visible()
    assert student.get_by_text("You sent a clip from this browser earlier").is_visible()
