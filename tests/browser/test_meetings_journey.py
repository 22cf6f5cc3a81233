"""A facilitator schedules a series, prepares and records a meeting and publishes its summary; a
member of the cohort sees it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cohort.models import ActionItem, Role
from tests import factories
from tests.browser.conftest import PHONE, log_in, screenshot

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
    page.get_by_role("link", name="Meetings", exact=True).click()
    page.get_by_role("link", name="Schedule a meeting series").click()
    page.get_by_label("Date of the first meeting").fill(first_day.isoformat())
    page.get_by_label("Time:", exact=True).fill("10:00")
    page.get_by_label("Number of meetings").fill("7")
    page.get_by_label("Video link").fill("https://meet.example.org/gm")
    screenshot(page, "meetings-series-form")
    assert_accessible(page)
    page.get_by_role("button", name="Schedule the meetings").click()
    assert page.get_by_text("7 meetings scheduled").is_visible()

    page.get_by_role("link", name="Group meeting: Culture and leadership").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Group meeting: Culture and leadership"
    page.get_by_text("Add an agenda item").click()
    page.get_by_label("Item:", exact=True).fill("How leaders champion care-experienced students")
    page.get_by_label("Criterion").select_option(index=1)
    page.get_by_label("Presenting institution").select_option(label="University of Irwell Valley")
    page.get_by_role("button", name="Add to the agenda").click()
    assert page.get_by_text("How leaders champion care-experienced students").first.is_visible()

    page.get_by_text("Write the minutes").click()
    page.get_by_label("The minutes").fill("Irwell showed its **leadership** pledge.")
    page.get_by_role("button", name="Save the minutes").click()

    page.get_by_text("Record an outcome").click()
    page.get_by_label("Action", exact=True).check()
    page.get_by_label("Outcome:", exact=True).fill("Draft the leadership narrative")
    page.get_by_label("For (actions)").select_option(label="University of Irwell Valley")
    page.get_by_label("Owner (actions)").select_option(label="Lena")
    page.get_by_label("Due date (actions)").fill((first_day + timedelta(weeks=4)).isoformat())
    page.get_by_role("button", name="Record the outcome").click()
    assert page.get_by_text("Action recorded and added to the action plan").is_visible()

    page.get_by_role("button", name="Publish the summary").click()
    assert page.get_by_text("every member of the cohort is notified").is_visible()
    screenshot(page, "meetings-meeting-facilitator")
    assert_accessible(page)
    meeting_url = page.url

    member = new_page(PHONE)
    log_in(member, alice.email, factories.PASSWORD)
    member.goto("/notifications/")
    member.get_by_role("link", name="Summary of Group meeting: Culture and leadership").click()
    assert member.url == meeting_url
    assert member.locator(".minutes strong").inner_text() == "leadership"
    assert member.get_by_text("Draft the leadership narrative").is_visible()
    assert member.get_by_role("button", name="Publish the summary").count() == 0
    member.get_by_role("button", name="Going", exact=True).click()
    assert member.get_by_text("Your answer is saved: going.").is_visible()
    screenshot(member, "meetings-meeting-member")
    member.goto("/c/gm/meetings/")
    screenshot(member, "meetings-schedule-member")
    assert_accessible(member)
    member.goto("/c/gm/")
    screenshot(member, "meetings-dashboard-member")

    item = ActionItem.objects.get()
    assert (item.institution, item.owner, item.source) == (irwell, lena, "meeting")
