"""From a clip to a published summary, in the browser: the facilitator reviews a clip, redacts a
name, quotes a sentence, drafts and publishes a summary; a member reads it and downloads the PDF. All
with the keyboard alone."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from cohort.models import Role
from tests import factories
from tests.browser.support import DESKTOP, activate, focused_name, log_in, screenshot, skip_to_main, tab_to
from tests.media_feedback.review.factories import give_rendition, make_call, make_clip, tone_media

pytestmark = pytest.mark.browser


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]})
    assert results.violations_count == 0, results.generate_report()


TEXT = "My name is Jordan and the rent in halls was hard at Christmas."
PLAYHEAD = "document.getElementById('review-player').currentTime"


def test_a_facilitator_turns_a_clip_into_a_published_summary_that_a_member_reads(new_page) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    fran = factories.make_user("Fran", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    alice = factories.make_user("Alice")
    factories.member(alice, cohort, Role.MEMBER, irwell)
    call = make_call(cohort)
    clip = make_clip(call, irwell, TEXT)
    give_rendition(clip, tone_media(7.0))
    try:
        page = new_page(DESKTOP)
        log_in(page, fran.email, factories.PASSWORD, totp_user=fran)
        page.goto(f"/c/gm/clips/{clip.public_id}/review/")

        # The transcript is one Tab stop, its first word: the next Tab goes on to the redact form.
        skip_to_main(page)
        tab_to(page, "My", exact=True, kind="button")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "redact-first"
        assert focused_name(page) == "From word number"
        page.keyboard.press("Shift+Tab")
        assert focused_name(page) == "My"

        # Arrow keys (and Home, End, Page Down) move word by word without playing or selecting anything.
        page.keyboard.press("End")
        assert focused_name(page) == "Christmas."
        page.keyboard.press("Home")
        page.keyboard.press("PageDown")  # 20 words on, or the last
        assert focused_name(page) == "Christmas."
        page.keyboard.press("Home")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert focused_name(page) == "Jordan"
        assert page.evaluate(PLAYHEAD) == 0
        assert page.locator("#selection").inner_text() == "No words selected."

        # Enter on a word seeks the player and selects the word; the word stays the transcript's stop.
        page.keyboard.press("Enter")
        assert page.evaluate(PLAYHEAD) == pytest.approx(1.5, abs=0.01)
        assert page.locator("#selection").inner_text() == "Selected word 4: “Jordan”"
        assert page.locator("#redact-first").input_value() == "4" and page.locator("#redact-last").input_value() == "4"
        page.keyboard.press("Tab")
        page.keyboard.press("Shift+Tab")
        assert focused_name(page) == "Jordan"
        activate(page, "Redact the selected words")
        assert "Redacted word 4." in page.locator(".messages").inner_text()
        assert page.get_by_role("button", name="redacted: Jordan").is_visible()

        # Quote the whole sentence (Shift with a movement key extends the selection), under Student wellbeing.
        skip_to_main(page)
        tab_to(page, "My", exact=True, kind="button")
        page.keyboard.press("Enter")
        page.keyboard.press("Shift+End")
        assert page.locator("#selection").inner_text().startswith("Selected words 1 to 13")
        page.keyboard.press("Shift+ArrowLeft")
        assert page.locator("#selection").inner_text().startswith("Selected words 1 to 12")
        page.keyboard.press("Shift+ArrowRight")
        assert page.locator("#selection").inner_text().startswith("Selected words 1 to 13")
        assert page.locator("#quote-first").input_value() == "1" and page.locator("#quote-last").input_value() == "13"
        tab_to(page, "Save the quote")
        tab_to(page, "Framework area", kind="select", backwards=True)  # the quote's own area
        page.keyboard.type("Student wellbeing")
        tab_to(page, "Save the quote")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert (
            "My name is [redacted] and the rent in halls was hard at Christmas." in page.locator(".quote").inner_text()
        )

        skip_to_main(page)
        activate(page, "Accept Student wellbeing")
        skip_to_main(page)
        activate(page, "Mark as reviewed")
        screenshot(page, "summary-review-clip")
        assert_accessible(page)

        # Draft, preview and publish.
        page.goto(f"/c/gm/feedback/{call.pk}/review/")
        skip_to_main(page)
        activate(page, "Draft a new summary from the reviewed clips")
        preview = page.locator("#preview")
        assert "My name is [redacted] and the rent" in preview.inner_text()
        skip_to_main(page)
        tab_to(page, "Text (Markdown)", kind="textarea")
        page.keyboard.press("Control+End")
        page.keyboard.type("\n\nThank you to every student who took part.")
        expect(page.locator("#preview")).to_contain_text("Thank you to every student")
        activate(page, "Save the draft")
        screenshot(page, "summary-edit")
        assert_accessible(page)
        skip_to_main(page)
        activate(page, "Publish the saved draft")
        assert page.get_by_role("heading", level=1).inner_text() == "What students told us: How was your first year?"
        assert "Version 1 is published" in page.locator(".messages").inner_text()

        # A member is told, reads it from the Summaries page and downloads the PDF.
        member = new_page(DESKTOP)
        log_in(member, alice.email, factories.PASSWORD)
        member.goto("/c/gm/")
        assert "What students told us" in member.locator(".panel", has_text="Summaries of students").inner_text()
        activate(member, "Summaries", exact=True)  # in the cohort's navigation
        skip_to_main(member)
        activate(member, "What students told us: How was your first year?")
        article = member.locator("article.summary").inner_text()
        assert "My name is [redacted] and the rent" in article and "Jordan" not in article
        assert "Thank you to every student who took part." in article
        screenshot(member, "summary-version-member")
        assert_accessible(member)
        skip_to_main(member)
        tab_to(member, "Download the PDF of version 1")
        with member.expect_download() as download:
            member.keyboard.press("Enter")
        with open(download.value.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
    finally:
        if default_storage.exists(clip.storage_prefix):
            for name in default_storage.listdir(clip.storage_prefix)[1]:
                default_storage.delete(f"{clip.storage_prefix}{name}")
