"""A facilitator schedules a series, prepares and records a meeting and publishes its summary; a
member of the cohort sees it. Both use the keyboard alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cohort.models import ActionItem, Role
from tests import factories
from tests.browser.support import (
    PHONE,
    activate,
    choose,
    log_in,
    screenshot,
    skip_to_main,
    tab_to,
    type_date,
    type_time,
)

pytestmark = pytest.mark.browser


def assert_accessible(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_facilitator_runs_a_meeting_and_a_member_reads_its_summary(new_page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    fran = factories.make_user("Fran", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    lena = factories.make_user("Lena")
    factories.member(lena, cohort, Role.LEAD, irwell)
    alice = factories.make_user("Alice")
    factories.member(alice, cohort, Role.MEMBER, irwell)
    first_day = timezone.localdate() + timedelta(days=7)

    page = new_page()
    log_in(page, fran.email, factories.PASSWORD, totp_user=fran)
    page.goto("/c/gm/")
    activate(page, "Meetings", exact=True)
    skip_to_main(page)
    activate(page, "Schedule a meeting series")
    skip_to_main(page)
    tab_to(page, "Date of the first meeting")
    type_date(page, first_day)
    tab_to(page, "Time", kind="time")
    type_time(page, 10, 0)
    tab_to(page, "Number of meetings")
    page.keyboard.press("Control+A")
    page.keyboard.type("7")
    tab_to(page, "Video link")
    page.keyboard.type("https://meet.example.org/gm")
    screenshot(page, "meetings-series-form")
    assert_accessible(page)
    activate(page, "Schedule the meetings")
    assert page.get_by_text("7 meetings scheduled").is_visible()

    skip_to_main(page)
    activate(page, "Group meeting: Culture and leadership")
    assert page.get_by_role("heading", level=1).inner_text() == "Group meeting: Culture and leadership"
    skip_to_main(page)
    tab_to(page, "Add an agenda item", kind="summary")
    page.keyboard.press("Enter")  # opens the disclosure
    tab_to(page, "Item", kind="text")
    page.keyboard.type("How leaders champion care-experienced students")
    tab_to(page, "Criterion", kind="select")
    page.keyboard.press("ArrowDown")  # the first criterion, after "No particular criterion"
    tab_to(page, "Presenting institution")
    page.keyboard.type("University of Irwell")
    activate(page, "Add to the agenda")
    assert page.get_by_text("How leaders champion care-experienced students").first.is_visible()

    skip_to_main(page)
    tab_to(page, "Write the minutes", kind="summary")
    page.keyboard.press("Enter")
    tab_to(page, "The minutes", kind="textarea")
    page.keyboard.type("Irwell showed its **leadership** pledge.")
    activate(page, "Save the minutes")

    skip_to_main(page)
    tab_to(page, "Record an outcome", kind="summary")
    page.keyboard.press("Enter")
    tab_to(page, "", kind="radio")
    choose(page, "Action")
    tab_to(page, "Outcome", kind="text")
    page.keyboard.type("Draft the leadership narrative")
    tab_to(page, "For (actions)")
    page.keyboard.type("University of Irwell")
    tab_to(page, "Owner (actions)")
    page.keyboard.type("Lena")
    tab_to(page, "Due date (actions)")
    type_date(page, first_day + timedelta(weeks=4))
    activate(page, "Record the outcome")
    assert page.get_by_text("Action recorded and added to the action plan").is_visible()

    skip_to_main(page)
    activate(page, "Publish the summary")
    assert page.get_by_text("every member of the cohort is notified").is_visible()
    screenshot(page, "meetings-meeting-facilitator")
    assert_accessible(page)
    meeting_url = page.url

    member = new_page(PHONE)
    log_in(member, alice.email, factories.PASSWORD)
    member.goto("/notifications/")
    skip_to_main(member)
    activate(member, "Summary of Group meeting: Culture and leadership")
    assert member.url == meeting_url
    assert member.locator(".minutes strong").inner_text() == "leadership"
    assert member.get_by_text("Draft the leadership narrative").is_visible()
    assert member.get_by_role("button", name="Publish the summary").count() == 0
    skip_to_main(member)
    activate(member, "Going", exact=True)
    assert member.get_by_text("Your answer is saved: going.").is_visible()
    screenshot(member, "meetings-meeting-member")
    member.goto("/c/gm/meetings/")
    screenshot(member, "meetings-schedule-member")
    assert_accessible(member)
    member.goto("/c/gm/")
    screenshot(member, "meetings-dashboard-member")

    item = ActionItem.objects.get()
    assert (item.institution, item.owner, item.source) == (irwell, lena, "meeting")
