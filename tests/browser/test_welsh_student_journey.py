"""A student opens a Welsh call's link and does everything in Welsh: the pages open in Welsh without
choosing, the consent is recorded as the Welsh text with its version, and a short Welsh recording
(espeak-ng's Welsh voice) is sent, said to be in Welsh. The facilitator then sees that it needs its
transcript typed, and types it. Real Chromium, real Daphne, real tus-js-client, real pipeline; the
keyboard alone. (The Welsh words come from the catalogue: locale/parts/student.po, compiled.)"""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cohort.access import get_membership
from cohort.models import Role
from media_feedback import services
from media_feedback.models import Clip, Consent
from tests import factories
from tests.browser.support import PHONE, activate, choose, choose_file, log_in, screenshot, skip_to_main, tab_to
from tests.services import missing

pytestmark = pytest.mark.browser

WELSH_SPEECH = "Roedd y tîm cymorth yn y coleg yn help mawr i mi yn ystod fy mlwyddyn gyntaf."


def skip_to_main_in_any_language(page: object) -> None:
    """tests.browser.support.skip_to_main, finding the skip link by what it is rather than by its
    (English or Welsh) words."""
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    if page.evaluate("document.activeElement.closest('main') !== null"):  # type: ignore[attr-defined]
        page.keyboard.press("Shift+Tab")  # type: ignore[attr-defined]  # a page at #main already starts there
        return
    is_skip_link = page.evaluate("document.activeElement.classList.contains('skip-link')")  # type: ignore[attr-defined]
    assert is_skip_link, "the first Tab missed the skip link"
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert page.evaluate("document.activeElement.id") == "main", "the skip link did not move focus to <main>"  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def welsh_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        missing("the Welsh student journey needs espeak-ng for real speech")
    assert espeak is not None  # `missing` does not return
    path = tmp_path_factory.mktemp("welsh-journey") / "siarad.wav"
    subprocess.run([espeak, "-v", "cy", "-s", "150", "-w", str(path), WELSH_SPEECH], check=True, capture_output=True)
    return path


def test_a_student_consents_and_sends_a_clip_in_welsh_and_the_facilitator_types_its_transcript(
    new_page, welsh_wav: Path
) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    fran = factories.make_user("Fran", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    call = services.open_call(
        get_membership(fran, "gm"),
        title="How was your first year?",
        title_cy="Sut oedd eich blwyddyn gyntaf?",
        questions="What helped you most?",
        questions_cy="Beth wnaeth eich helpu fwyaf?",
        language="cy",
        areas=[],
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=7),
    )
    link = call.links.get(institution=irwell)

    # The student, on a phone, with no account and no language chosen: the link opens in Welsh.
    student = new_page(PHONE)
    student.goto(f"/s/{link.token}/")
    assert student.get_by_role("heading", level=1).inner_text() == "Sut oedd eich blwyddyn gyntaf?"
    assert student.get_by_role("heading", name="Cyn i chi ddechrau").is_visible()
    main = student.locator("main").inner_text()
    assert "Beth wnaeth eich helpu fwyaf?" in main
    assert "Pwy fydd yn ei weld" in main and "Sut i dynnu'n ôl" in main
    assert "Before you start" not in main and "Who will see it" not in main
    screenshot(student, "welsh-clips-consent")
    skip_to_main_in_any_language(student)
    tab_to(student, "Dim ond hwyluswyr NNECL", kind="radio")  # "Pwy gaiff wylio…": its first choice
    choose(student, "Yr hwyluswyr a staff fy ngholeg neu fy mhrifysgol fy hun")
    tab_to(student, "Dan 16", kind="radio")  # "Faint yw eich oed chi?": its first choice
    choose(student, "18 neu hŷn")
    tab_to(student, "Rwyf wedi darllen beth sy'n digwydd i fy nghlip", kind="checkbox")
    student.keyboard.press("Space")
    activate(student, "Ymlaen i recordio")

    consent = Consent.objects.get()
    assert (consent.language, consent.text_version) == ("cy", services.CONSENT_VERSIONS["cy"])
    assert consent.text.startswith("Beth yw pwrpas hyn: “Sut oedd eich blwyddyn gyntaf?”.")

    # The upload page, in Welsh, asks which language the clip is in: Cymraeg, as the page is.
    assert student.get_by_role("heading", level=1).inner_text() == "Recordiwch neu dewiswch eich clip"
    assert student.get_by_role("radio", name="Cymraeg").is_checked()
    skip_to_main_in_any_language(student)
    tab_to(student, "Ffeil sain neu fideo", kind="file")
    choose_file(student, welsh_wav)
    screenshot(student, "welsh-clips-upload")
    activate(student, "Anfon y ffeil", navigates=False)  # the upload runs in the page, then it moves on
    student.wait_for_url("**/done/", timeout=60_000)
    assert student.get_by_role("heading", level=1).inner_text() == "Eich clip a'ch dolen breifat"
    student.locator(".status-ready").wait_for(timeout=60_000)
    assert "Mae eich clip yn barod i'r hwyluswyr. Diolch." in student.locator("main").inner_text()
    screenshot(student, "welsh-clips-done")

    clip = Clip.objects.get()
    assert clip.language == "cy" and clip.kind == "audio"
    assert clip.transcript_needed and not clip.transcribed  # the English-only model writes no Welsh

    # The facilitator sees that the clip needs its transcript typed, and types it.
    facilitator = new_page()
    log_in(facilitator, fran.email, factories.PASSWORD, totp_user=fran)
    facilitator.goto("/c/gm/clips/")
    assert "transcript needed" in facilitator.locator("main").inner_text()
    skip_to_main(facilitator)
    activate(facilitator, "Audio of", kind="a")
    assert facilitator.locator("#transcript-needed").inner_text() == "Transcript needed"
    assert services.CONSENT_VERSIONS["cy"] in facilitator.locator("#consent-version").inner_text()
    activate(facilitator, "Type the transcript", kind="a")
    skip_to_main(facilitator)
    tab_to(facilitator, "Transcript", kind="textarea")
    facilitator.keyboard.type(WELSH_SPEECH)
    activate(facilitator, "Save the transcript")
    assert facilitator.locator("#transcript").inner_text() == WELSH_SPEECH
    assert facilitator.locator("#transcript").get_attribute("lang") == "cy"
    assert facilitator.locator("#transcript-needed").count() == 0
    screenshot(facilitator, "welsh-clips-typed-transcript")
