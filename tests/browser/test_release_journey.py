"""A student's clip with a name in it reaches the institution's lead only once a facilitator has
redacted and released it, and then only redacted: "[redacted]" in the transcript and the captions,
and no voice under the name in the recording. Real Chromium, real Daphne, real tus-js-client, the
real pipeline (espeak-ng speech, Whisper transcription), the keyboard alone for every person."""

from __future__ import annotations

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from cohort.access import get_membership
from cohort.models import Role
from media_feedback import services
from media_feedback.models import Clip
from media_feedback.review.redaction import TONE_HZ, decode_audio, rms, tone_share
from tests import factories
from tests.browser.support import PHONE, activate, choose, choose_file, log_in, screenshot, skip_to_main, tab_to
from tests.services import missing

pytestmark = pytest.mark.browser

SPOKEN = "My name is Tom Baker and the support team at my college helped me find a place to live."
NAME = re.compile(r"\b(tom|baker)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def named_speech(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A spoken recording (WAV, as a phone's voice recorder might send) that says the student's name."""
    if shutil.which("espeak-ng") is None:
        missing("the release journey needs espeak-ng for real speech")
    from tests.media_feedback.make_fixtures import speech_wav

    return speech_wav(tmp_path_factory.mktemp("release") / "my-first-year.wav", SPOKEN)


def clip_url(name: str, clip: Clip) -> str:
    return reverse(f"media_feedback:{name}", kwargs={"cohort": "gm", "clip_id": clip.public_id})


def test_the_lead_sees_a_named_clip_only_after_the_facilitator_redacts_and_releases_it(
    new_page, named_speech: Path
) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    fran = factories.make_user("Fran", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    lena = factories.make_user("Lena")
    factories.member(lena, cohort, Role.LEAD, irwell)
    call = services.open_call(
        get_membership(fran, "gm"),
        title="How was your first year?",
        questions="What helped you most?",
        areas=[],
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=7),
    )
    link = call.links.get(institution=irwell)
    prefixes: list[str] = []
    try:
        # The student, on a phone, with no account, shares the clip with their own institution.
        student = new_page(PHONE)
        student.goto(f"/s/{link.token}/")
        skip_to_main(student)
        tab_to(student, "Only the NNECL facilitators", kind="radio")
        choose(student, "The facilitators and staff at my own college or university")
        tab_to(student, "Under 16", kind="radio")
        choose(student, "18 or over")
        tab_to(student, "I have read what happens to my clip and I agree to take part", kind="checkbox")
        student.keyboard.press("Space")
        activate(student, "Continue to recording")
        skip_to_main(student)
        tab_to(student, "Audio or video file", kind="file")
        choose_file(student, named_speech)
        activate(student, "Send file", navigates=False)
        student.wait_for_url("**/done/", timeout=60_000)
        receipt_url = student.locator("#receipt-link").inner_text()
        skip_to_main(student)
        activate(student, receipt_url, kind="a")
        student.locator(".status-ready").wait_for(timeout=120_000)  # transcribed on a loaded machine

        clip = Clip.objects.select_related("transcript").get(call=call)
        prefixes.append(clip.storage_prefix)
        assert clip.kind == Clip.Kind.AUDIO
        words = [str(w["word"]) for w in clip.transcript.words]
        named = [i for i, word in enumerate(words) if NAME.fullmatch(word.strip(".,!?"))]
        assert named and named == list(range(named[0], named[-1] + 1)), f"the name is not in the transcript: {words}"
        name_start = float(clip.transcript.words[named[0]]["start"])
        name_end = float(clip.transcript.words[named[-1]]["end"])

        # The lead of Irwell sees nothing of it: not in the list, and its page and files answer 404.
        lead = new_page()
        log_in(lead, lena.email, factories.PASSWORD)
        lead.goto("/c/gm/clips/")
        assert lead.get_by_text("No clips yet.").is_visible()
        assert not NAME.search(lead.locator("body").inner_text())
        for name in ("clip", "redacted_captions", "redacted_media", "clip_captions", "clip_media"):
            assert lead.request.get(clip_url(name, clip)).status == 404, name
        assert lead.goto(clip_url("clip", clip)).status == 404

        # The facilitator redacts the name from the transcript with the keyboard.
        facilitator = new_page()
        log_in(facilitator, fran.email, factories.PASSWORD, totp_user=fran)
        facilitator.goto(clip_url("review_clip", clip))
        skip_to_main(facilitator)
        tab_to(facilitator, words[0], exact=True, kind="button")  # the transcript's one Tab stop
        for _ in range(named[0]):
            facilitator.keyboard.press("ArrowRight")
        facilitator.keyboard.press("Enter")  # select the name's first word
        for _ in range(len(named) - 1):
            facilitator.keyboard.press("Shift+ArrowRight")
        assert facilitator.locator("#redact-first").input_value() == str(named[0] + 1)
        assert facilitator.locator("#redact-last").input_value() == str(named[-1] + 1)
        activate(facilitator, "Redact the selected words")
        for i in named:
            assert facilitator.get_by_role("button", name=f"redacted: {words[i]}").is_visible()
        shared = facilitator.locator(".shared-text").text_content() or ""  # in a closed <details>
        assert "[redacted]" in shared and not NAME.search(shared)

        # Reviewed but not yet released: still nothing for the lead.
        skip_to_main(facilitator)
        activate(facilitator, "Mark as reviewed")
        assert lead.goto(clip_url("clip", clip)).status == 404
        skip_to_main(facilitator)
        activate(facilitator, "Release to Irwell")
        assert facilitator.locator(".clip-facts").get_by_text("Released", exact=True).is_visible()

        # Now the lead finds it in the list and reads it redacted.
        lead.goto("/c/gm/clips/")
        skip_to_main(lead)
        activate(lead, "Audio of", kind="a")
        assert lead.url.endswith(clip_url("clip", clip))
        transcript = lead.locator("#transcript").inner_text()
        assert "[redacted]" in transcript and "support team" in transcript.lower()
        assert not NAME.search(transcript), transcript
        assert not NAME.search(lead.locator("body").inner_text())
        player = lead.locator("audio.clip-player source")
        assert player.get_attribute("src") == clip_url("redacted_media", clip)
        track = lead.locator("audio.clip-player track")  # the redacted captions, offered to the audio player
        assert track.get_attribute("src") == clip_url("redacted_captions", clip)
        screenshot(lead, "release-lead-clip", widths=(390, 1280))

        captions = lead.request.get(clip_url("redacted_captions", clip))
        assert captions.status == 200
        vtt = captions.text()
        assert vtt.startswith("WEBVTT") and "[redacted]" in vtt and not NAME.search(vtt), vtt
        for name in ("clip_captions", "clip_media"):  # the full forms stay with facilitators
            assert lead.request.get(clip_url(name, clip)).status == 404, name

        # The redacted recording: the tone over the name (its energy at 1 kHz), the rest of the speech intact.
        media = lead.request.get(clip_url("redacted_media", clip))
        assert media.status == 200 and media.headers["content-type"].startswith("audio/")
        redacted = decode_audio(media.body())
        original = decode_audio(facilitator.request.get(clip_url("clip_media", clip)).body())
        assert rms(original, name_start, name_end) > 0.01  # the name was spoken there
        assert tone_share(original, name_start, name_end) < 0.5  # a voice, not a tone
        assert tone_share(redacted, name_start, name_end, TONE_HZ) > 0.9  # the lead hears the tone there
        assert rms(redacted, name_start, name_end) > 0.05
        rest_start = float(clip.transcript.words[named[-1] + 2]["start"])
        rest_end = float(clip.transcript.words[-1]["end"])
        assert rms(redacted, rest_start, rest_end) > 0.01
    finally:
        for prefix in prefixes:
            if default_storage.exists(prefix):
                for name in default_storage.listdir(prefix)[1]:
                    default_storage.delete(f"{prefix}{name}")
