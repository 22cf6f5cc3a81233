"""Two members in two browsers: posts appear live, and a page that was offline catches up. They write
and reply with the keyboard alone."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from cohort.access import get_membership
from cohort.models import Role
from discussions import services
from discussions.models import Post, Theme
from tests import factories
from tests.browser.support import PHONE, focused_name, log_in, screenshot, skip_to_main, tab_to

pytestmark = pytest.mark.browser


def _world():
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    medlock = factories.make_institution("Medlock Metropolitan University", "Medlock")
    factories.join(cohort, irwell)
    factories.join(cohort, medlock)
    alice = factories.make_user("Alice")
    bob = factories.make_user("Bob")
    factories.member(alice, cohort, Role.MEMBER, irwell)
    factories.member(bob, cohort, Role.MEMBER, medlock)
    theme = Theme.objects.create(cohort=cohort, title="Data and definitions")
    thread = services.start_thread(
        get_membership(alice, "gm"), theme, title="Counting care leavers", body="How do you **count**?",
        key=uuid.uuid4(),
    ).post.thread  # fmt: skip
    return alice, bob, thread


def _signed_in(new_page, *users):
    """A browser page per user, each signed in."""
    pages = []
    for user in users:
        page = new_page()
        log_in(page, user.email, factories.PASSWORD)
        pages.append(page)
    return pages


def _post(page, text: str) -> None:
    """Write a post in the compose box and send it with the Post button."""
    if focused_name(page) != "Your post":
        tab_to(page, "Your post", kind="textarea")
    page.keyboard.type(text)
    tab_to(page, "Post", exact=True)
    page.keyboard.press("Enter")
    page.locator(".post-body", has_text=text).wait_for()
    # Focus comes back to the (new, empty) box, ready for the next post.
    expect(page.locator("#compose textarea")).to_be_focused()


def test_a_post_appears_live_and_an_offline_page_catches_up(new_page) -> None:
    alice, bob, thread = _world()
    first, second = _signed_in(new_page, alice, bob)
    for page in (first, second):
        page.goto(f"/c/gm/discussions/threads/{thread.pk}/")
        page.locator("#live-status[data-state=open]").wait_for()

    skip_to_main(first)
    _post(first, "We use the UCAS care-leaver flag.")
    second.locator(".post-body", has_text="We use the UCAS care-leaver flag.").wait_for()
    assert "?" not in second.url  # no reload, no navigation

    second.context.set_offline(True)
    second.locator("#live-status[data-state=offline]").wait_for()
    _post(first, "Missed while offline: one")
    _post(first, "Missed while offline: two")
    second.context.set_offline(False)
    second.locator("#live-status[data-state=open]").wait_for(timeout=20_000)
    second.locator(".post-body", has_text="Missed while offline: two").wait_for(timeout=10_000)
    assert second.locator(".post-body", has_text="Missed while offline: one").count() == 1
    assert second.locator(".post-body", has_text="Missed while offline: two").count() == 1
    # The author sees each of their posts once (from the response and the socket).
    assert first.locator(".post-body", has_text="Missed while offline: two").count() == 1
    assert first.locator("article.post.mine").count() == 4

    second.set_viewport_size(PHONE)
    screenshot(second, "discussions-thread")


def test_a_post_arriving_live_is_marked_new_and_shows_the_readers_time(new_page) -> None:
    alice, bob, thread = _world()
    bob.time_zone = "America/New_York"  # the site's is Europe/London
    bob.save(update_fields=["time_zone"])
    first, second = _signed_in(new_page, alice, bob)
    for page in (first, second):
        page.goto(f"/c/gm/discussions/threads/{thread.pk}/")
        page.locator("#live-status[data-state=open]").wait_for()

    skip_to_main(first)
    _post(first, "Arrived while Bob was reading")
    arrived = second.locator("article.post", has_text="Arrived while Bob was reading")
    arrived.locator(".badge", has_text="New").wait_for()
    assert "post-new" in (arrived.get_attribute("class") or "")
    post = Post.objects.get(body__contains="Arrived while Bob")
    in_new_york = dateformat.format(timezone.localtime(post.created_at, ZoneInfo("America/New_York")), "j M Y, H:i")
    assert arrived.locator("time").inner_text() == in_new_york
    # The author's own post is not new to them.
    mine = first.locator("article.post", has_text="Arrived while Bob was reading")
    assert mine.locator(".badge").count() == 0
    assert "post-new" not in (mine.get_attribute("class") or "")


def test_a_reply_nests_under_the_post_it_answers(new_page) -> None:
    _alice, bob, thread = _world()
    page = new_page()
    log_in(page, bob.email, factories.PASSWORD)
    page.goto(f"/c/gm/discussions/threads/{thread.pk}/")
    page.locator("#live-status[data-state=open]").wait_for()
    first_post = thread.posts.get()
    skip_to_main(page)
    tab_to(page, "Reply to Alice", kind="a")
    page.keyboard.press("Enter")
    assert page.locator("#replying-to").is_visible()
    assert focused_name(page) == "Your post"
    _post(page, "Replying to Alice")
    assert page.locator(f"#replies-{first_post.pk} .post-body", has_text="Replying to Alice").count() == 1
    page.goto(f"/c/gm/discussions/themes/{thread.theme_id}/")
    screenshot(page, "discussions-theme")


def test_a_reply_to_a_followed_thread_shows_in_the_header_of_any_page_without_reload(new_page) -> None:
    alice, bob, thread = _world()  # Alice follows the thread she started
    first, second = _signed_in(new_page, alice, bob)
    first.goto("/c/gm/")  # Alice is elsewhere in the site
    expect(first.locator("#unread-count")).to_have_count(0)
    first.wait_for_timeout(300)  # the page's notification socket opens
    second.goto(f"/c/gm/discussions/threads/{thread.pk}/")
    second.locator("#live-status[data-state=open]").wait_for()

    skip_to_main(second)
    _post(second, "Bob's answer, for Alice")
    badge = first.locator("#notification-link #unread-count")
    expect(badge).to_have_text("1 unread")
    expect(first.locator("#notification-news[role=status]")).to_have_text(
        "New notification: Bob replied in “Counting care leavers”"
    )
    assert first.url.endswith("/c/gm/")  # no reload, no navigation
