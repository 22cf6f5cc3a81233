"""Typed work is never lost: a facilitator's session ends while they type a reply and the summary; after
logging in again each page has the text back. A post refused by the rate limit says why and keeps the
text. With the keyboard, in Chromium."""

from __future__ import annotations

import time
import uuid

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from cohort import authn
from cohort.access import get_membership
from cohort.models import Role
from discussions import services, views as discussion_views
from discussions.models import Post, Theme
from media_feedback.review import services as review
from media_feedback.review.models import SummaryDocument
from tests import factories
from tests.browser.support import log_in, tab_to
from tests.factories import early_in_window
from tests.media_feedback.review.factories import make_call, membership_of

pytestmark = pytest.mark.browser


def _thread(cohort, author):  # type: ignore[no-untyped-def]
    theme = Theme.objects.create(cohort=cohort, title="Data and definitions")
    membership = get_membership(author, cohort.slug)
    return services.start_thread(
        membership, theme, title="Counting care leavers", body="How?", key=uuid.uuid4()
    ).post.thread


def _idle(page) -> None:  # type: ignore[no-untyped-def]
    """The person stopped making requests 31 minutes ago (the staff idle limit is 30). Typing tells the
    server the person is still there (drafts.js): that request is let finish first, or it could land
    after this and sign the person out itself, the message going with its answer."""
    page.wait_for_load_state("networkidle")
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = SessionStore(key)
    session[authn.LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()


def _log_in_again(page, user, code: str) -> None:  # type: ignore[no-untyped-def]
    """On the log-in page the site sent them to (its `next` kept): e-mail, password, then a recovery
    code as the second factor (an authenticator code would have to wait for a later 30 s window than
    the one used at the first log-in: a code is accepted once)."""
    page.wait_for_url("**/accounts/login/?next=*")
    expect(page.locator(".messages")).to_contain_text("what you were typing is kept in this browser")
    tab_to(page, "Email")
    page.keyboard.type(user.email)
    page.keyboard.press("Enter")
    page.locator("input[name=password]").wait_for()
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_label("Code").wait_for()
    tab_to(page, "Code")
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/" not in url)


def test_a_reply_and_a_summary_typed_as_the_session_ends_come_back_after_logging_in(new_page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    fran = factories.make_user("Fran", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    thread = _thread(cohort, fran)
    document = review.create_summary(membership_of(fran, cohort), make_call(cohort), "What students told us")
    reply = "Counting from the first enrolment, after an hour of thinking it over."
    summary = "## Housing\n\nStudents told us rent over the holidays was the hardest part."

    first, second = RecoveryCodes.activate(fran).get_unused_codes()[:2]
    page = new_page()
    log_in(page, fran.email, factories.PASSWORD, totp_user=fran)

    # A reply: the session goes idle while it is typed; Post sends the person to log in, then back.
    page.goto(f"/c/gm/discussions/threads/{thread.pk}/")
    tab_to(page, "Your post", kind="textarea")
    page.keyboard.type(reply)
    _idle(page)
    tab_to(page, "Post", exact=True)
    page.keyboard.press("Enter")
    _log_in_again(page, fran, first)
    assert page.url.endswith(f"/c/gm/discussions/threads/{thread.pk}/")
    expect(page.locator("#compose textarea")).to_have_value(reply)
    expect(page.locator("#compose .draft-note")).to_contain_text("Restored what you typed (")
    assert not Post.objects.filter(body=reply).exists()
    tab_to(page, "Post", exact=True)
    page.keyboard.press("Enter")
    page.locator(".post-body", has_text="after an hour of thinking").wait_for()
    expect(page.locator("#compose textarea")).to_have_value("")
    page.reload()
    expect(page.locator("#compose textarea")).to_have_value("")
    expect(page.locator(".draft-note")).to_have_count(0)

    # The summary: the same, through the editor's plain (non-htmx) form.
    edit = f"/c/gm/summaries/{document.pk}/edit/"
    page.goto(edit)
    tab_to(page, "Text (Markdown)", kind="textarea")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(summary)
    _idle(page)
    tab_to(page, "Save the draft")
    page.keyboard.press("Enter")
    _log_in_again(page, fran, second)
    assert page.url.endswith(edit)
    expect(page.locator("#id_body")).to_have_value(summary)
    note = page.locator("#summary-editor .draft-note")
    expect(note).to_contain_text("Restored what you typed (")
    expect(note).to_have_attribute("role", "status")
    tab_to(page, "Save the draft")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("The draft was saved")
    assert SummaryDocument.objects.get(pk=document.pk).body.replace("\r\n", "\n") == summary
    page.reload()
    expect(page.locator(".draft-note")).to_have_count(0)

    # Logging out forgets every draft this browser kept.
    page.goto(f"/c/gm/discussions/threads/{thread.pk}/")
    tab_to(page, "Your post", kind="textarea")
    page.keyboard.type("Half a thought")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('qm-draft:')).length") == 1
    tab_to(page, "Log out")
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/**")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('qm-draft:')).length") == 0


def test_a_post_refused_by_the_rate_limit_says_why_and_keeps_the_text(new_page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    institution = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, institution)
    alice = factories.make_user("Alice")
    factories.member(alice, cohort, Role.MEMBER, institution)
    thread = _thread(cohort, alice)
    page = new_page()
    log_in(page, alice.email, factories.PASSWORD)
    page.goto(f"/c/gm/discussions/threads/{thread.pk}/")
    url = f"/c/gm/discussions/threads/{thread.pk}/posts/"
    token = page.evaluate("JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken']")
    early_in_window(60, 30)  # the limit counts per minute: use it up and post within the same minute
    for n in range(discussion_views.POSTS_PER_MINUTE):
        sent = page.request.post(
            url, form={"body": f"Post {n}", "key": str(uuid.uuid4())}, headers={"X-CSRFToken": token}
        )
        assert sent.ok
    tab_to(page, "Your post", kind="textarea", backwards=True)  # from the end: past twenty posts just arrived live
    page.keyboard.type("One more thought")
    tab_to(page, "Post", exact=True)
    page.keyboard.press("Enter")
    error = page.locator("#compose .htmx-error")
    expect(error).to_contain_text("too many attempts at posting")
    expect(error).to_have_attribute("role", "alert")
    expect(page.locator("#compose textarea")).to_have_value("One more thought")
    assert not Post.objects.filter(body="One more thought").exists()


def test_a_post_sent_after_the_cookies_expired_says_so_and_comes_back_after_logging_in(new_page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    institution = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, institution)
    alice = factories.make_user("Alice")
    factories.member(alice, cohort, Role.MEMBER, institution)
    thread = _thread(cohort, alice)
    page = new_page()
    log_in(page, alice.email, factories.PASSWORD)
    page.goto(f"/c/gm/discussions/threads/{thread.pk}/")
    tab_to(page, "Your post", kind="textarea")
    page.keyboard.type("Written before lunch")
    page.context.clear_cookies()
    tab_to(page, "Post", exact=True)
    page.keyboard.press("Enter")
    error = page.locator("#compose .htmx-error")
    expect(error).to_contain_text("This form has expired")
    expect(page.locator("#compose textarea")).to_have_value("Written before lunch")

    page.reload()  # as the message says: the site asks to log in, then shows the thread again
    page.wait_for_url("**/accounts/login/?next=**")
    tab_to(page, "Email")
    page.keyboard.type(alice.email)
    page.keyboard.press("Enter")
    page.locator("input[name=password]").wait_for()
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/c/gm/discussions/threads/{thread.pk}/")
    expect(page.locator("#compose textarea")).to_have_value("Written before lunch")
    expect(page.locator("#compose .draft-note")).to_contain_text("Restored what you typed (")
