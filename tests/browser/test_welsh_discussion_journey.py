"""In Welsh: a member whose language is Welsh reads a thread and posts a reply with the keyboard; a member
who reads English sees it arrive live, with the interface around it in English. Each socket gets the
post in its own reader's language, whoever wrote it."""

from __future__ import annotations

import uuid

import pytest
from django.utils import dateformat, timezone, translation
from playwright.sync_api import expect

from cohort.access import get_membership
from cohort.models import Role
from discussions import services
from discussions.models import Post, Theme
from tests import factories
from tests.browser.support import activate, log_in, screenshot, tab_to

pytestmark = pytest.mark.browser

REPLY = "Rydyn ni'n defnyddio'r un diffiniad bob blwyddyn."


def _world():
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    medlock = factories.make_institution("Medlock Metropolitan University", "Medlock")
    factories.join(cohort, irwell)
    factories.join(cohort, medlock)
    catrin = factories.make_user("Catrin")
    catrin.language = "cy"
    catrin.save(update_fields=["language"])
    bob = factories.make_user("Bob")
    factories.member(catrin, cohort, Role.MEMBER, irwell)
    factories.member(bob, cohort, Role.MEMBER, medlock)
    area = cohort.framework.areas.get(position=5)
    area.title_cy = "Llesiant myfyrwyr"
    area.save(update_fields=["title_cy"])
    services.ensure_area_themes(cohort)
    theme = Theme.objects.get(cohort=cohort, area=area)
    thread = services.start_thread(
        get_membership(bob, "gm"), theme, title="Counting care leavers", body="How do you **count**?",
        key=uuid.uuid4(),
    ).post.thread  # fmt: skip
    return catrin, bob, theme, thread


def test_a_welsh_member_reads_and_replies_and_an_english_member_sees_it_live_in_english(new_page) -> None:
    catrin, bob, theme, thread = _world()
    welsh, english = new_page(), new_page()
    log_in(welsh, catrin.email, factories.PASSWORD)
    log_in(english, bob.email, factories.PASSWORD)

    # Catrin finds the thread through the discussions, all in Welsh (the area's theme by its Welsh name).
    welsh.goto("/c/gm/discussions/")
    assert welsh.get_attribute("html", "lang") == "cy"
    assert welsh.get_by_role("heading", name="Trafodaethau", level=1).count() == 1
    activate(welsh, "Llesiant myfyrwyr", exact=True)
    expect(welsh.get_by_role("heading", name="Llesiant myfyrwyr", level=1)).to_have_count(1)
    expect(welsh.get_by_role("link", name="Dechrau edefyn")).to_have_count(1)
    activate(welsh, "Counting care leavers", exact=True)

    english.goto(f"/c/gm/discussions/threads/{thread.pk}/")
    for page in (welsh, english):
        page.locator("#live-status[data-state=open]").wait_for()
    # The live status comes from discussions.js, through the JavaScript catalogue.
    assert welsh.locator("#live-status").inner_text().strip().startswith("Byw:")
    assert english.locator("#live-status").inner_text().strip().startswith("Live:")
    first = welsh.locator("article.post").first
    assert first.get_by_role("link", name="Ateb Bob").count() == 1
    assert welsh.get_by_role("heading", name="Ychwanegu neges").count() == 1
    # Times in Welsh, also once discussions.js has put them in the reader's time zone.
    post = thread.posts.get()
    with translation.override("cy"):
        when = dateformat.format(timezone.localtime(post.created_at), "j M Y, H:i")
    assert first.locator("time").inner_text() == when

    # Catrin replies with the keyboard alone.
    tab_to(welsh, "Eich neges", kind="textarea", limit=150)
    welsh.keyboard.type(REPLY)
    tab_to(welsh, "Anfon", exact=True)
    welsh.keyboard.press("Enter")
    welsh.locator(".post-body", has_text=REPLY).wait_for()
    expect(welsh.locator("#compose textarea")).to_be_focused()  # ready for the next post
    mine = welsh.locator("article.post", has_text=REPLY)
    assert mine.get_by_role("link", name="Golygu eich neges").is_visible()

    # Bob sees it arrive without a reload, with English around it: the reader's language, not the poster's.
    arrived = english.locator("article.post", has_text=REPLY)
    arrived.wait_for()
    assert arrived.get_by_role("link", name="Reply to Catrin").count() == 1
    assert arrived.get_by_role("link", name="Report this post").is_visible()
    arrived.locator(".badge", has_text="New").wait_for()
    assert "Ateb" not in arrived.inner_html() and "Rhoi gwybod" not in arrived.inner_html()
    assert english.get_attribute("html", "lang") == "en-GB"
    assert Post.objects.filter(thread=thread, body=REPLY, author=catrin).count() == 1

    screenshot(welsh, "welsh-discussion-thread", widths=(390, 1280))
    welsh.goto(f"/c/gm/discussions/themes/{theme.pk}/")
    assert welsh.locator(".thread-row .meta").first.inner_text().startswith("1 ateb · y gweithgarwch diwethaf")
    screenshot(welsh, "welsh-discussion-theme", widths=(390, 1280))
