"""A student sends a clip through their institution's link; the facilitator sees it become ready
with its transcript. Real Chromium, real Daphne, real tus-js-client, real pipeline; the keyboard alone."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cohort.access import get_membership
from cohort.models import Role
from media_feedback import services
from tests import factories
from tests.browser.support import PHONE, activate, choose, choose_file, log_in, screenshot, skip_to_main, tab_to
from tests.services import missing

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def speech_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("espeak-ng") is None:
        missing("the clips journey needs espeak-ng for real speech")
    from tests.media_feedback.make_fixtures import make_all

    return make_all(tmp_path_factory.mktemp("journey"))["speech.mp4"]


def test_a_student_sends_a_clip_and_the_facilitator_sees_it_ready_with_its_transcript(
    new_page, speech_video: Path
) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    fran = factories.make_user("Fran", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    call = services.open_call(
        get_membership(fran, "gm"),
        title="How was your first year?",
        questions="What helped you most?",
        areas=[],
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=7),
    )
    link = call.links.get(institution=irwell)

    # The student, on a phone, with no account.
    student = new_page(PHONE)
    student.goto(f"/s/{link.token}/")
    assert student.get_by_role("heading", name="Before you start").is_visible()
    screenshot(student, "clips-consent")
    skip_to_main(student)
    tab_to(student, "Only the NNECL facilitators", kind="radio")  # "Who may watch…": its first choice
    choose(student, "The facilitators and staff at my own college or university")
    tab_to(student, "Under 16", kind="radio")  # "How old are you?": its first choice
    choose(student, "18 or over")
    tab_to(student, "I have read what happens to my clip and I agree to take part", kind="checkbox")
    student.keyboard.press("Space")
    activate(student, "Continue to recording")

    skip_to_main(student)
    tab_to(student, "Audio or video file", kind="file")
    choose_file(student, speech_video)
    screenshot(student, "clips-upload")
    activate(student, "Send file", navigates=False)  # the upload runs in the page, then it moves on
    student.wait_for_url("**/done/", timeout=60_000)
    assert student.get_by_role("heading", level=1).inner_text() == "Your clip and your private link"
    receipt_url = student.locator("#receipt-link").inner_text()
    screenshot(student, "clips-done")

    skip_to_main(student)
    activate(student, receipt_url, kind="a")
    student.locator(".status-ready").wait_for(timeout=60_000)
    screenshot(student, "clips-receipt")

    # The facilitator sees the clip, ready, with its transcript and captions.
    facilitator = new_page()
    log_in(facilitator, fran.email, factories.PASSWORD, totp_user=fran)
    facilitator.goto("/c/gm/clips/")
    skip_to_main(facilitator)
    activate(facilitator, "Video of", kind="a")
    assert facilitator.locator("#clip-status").inner_text() == "Ready"
    transcript = facilitator.locator("#transcript").inner_text().lower()
    assert "support team" in transcript and "college" in transcript
    assert facilitator.locator("video track[kind=captions]").count() == 1
    screenshot(facilitator, "clips-facilitator-clip")
    facilitator.goto(f"/c/gm/clips/calls/{call.pk}/")
    assert facilitator.get_by_role("img", name="QR code for Irwell's link").is_visible()
    screenshot(facilitator, "clips-call-links")

    # The student withdraws: nothing is left.
    activate(student, "Withdraw and delete my clip", kind="a")
    assert "deleted straight away" in student.locator("main").inner_text()
    activate(student, "Withdraw and delete my clip", kind="button")
    assert student.get_by_role("heading", level=1).inner_text() == "Your clip has been withdrawn"
    facilitator.goto("/c/gm/clips/")
    assert facilitator.get_by_text("No clips yet.").is_visible()
