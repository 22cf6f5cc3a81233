"""The student strand in Welsh: a call's first language, its Welsh title and questions, consent text
per language with its own version, the language spoken in a clip, and the facilitator's typed
transcript of a Welsh clip the English-only model cannot write down."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from cohort.access import get_membership
from media_feedback import services, tasks
from media_feedback.forms import CallForm
from media_feedback.models import Clip, Consent, Transcript
from tests.factories import client_for
from tests.media_feedback.factories import CONSENT, consent, stored_files, tus_client_upload

WELSH_TITLE = "Sut oedd eich blwyddyn gyntaf?"
WELSH_QUESTIONS = "Beth wnaeth eich helpu fwyaf?\nBeth fyddech chi'n ei newid?"
WELSH_COOKIE = {settings.LANGUAGE_COOKIE_NAME: "cy"}


@pytest.fixture
def welsh_link(irwell_link):
    call = irwell_link.call
    call.language, call.title_cy, call.questions_cy = "cy", WELSH_TITLE, WELSH_QUESTIONS
    call.save(update_fields=["language", "title_cy", "questions_cy"])
    return irwell_link


def _welsh(text: str) -> str:
    with translation.override("cy"):
        return translation.gettext(text)


def test_a_welsh_calls_link_opens_in_welsh_with_its_welsh_title_and_questions(welsh_link) -> None:
    response = Client().get(f"/s/{welsh_link.token}/")
    page = response.content.decode()
    assert response["Content-Language"] == "cy"
    assert WELSH_TITLE in page and "Beth wnaeth eich helpu fwyaf?" in page
    assert "How was your first year?" not in page
    assert _welsh("Before you start") in page


def test_the_visitors_own_choice_of_language_wins_over_the_calls(welsh_link) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    response = client.get(f"/s/{welsh_link.token}/")
    assert response["Content-Language"] == "en-gb"
    page = response.content.decode()
    assert "How was your first year?" in page and "Before you start" in page


def test_an_english_call_opens_in_english_and_a_welsh_reader_sees_its_english_title_marked_as_english(
    irwell_link,
) -> None:
    assert Client().get(f"/s/{irwell_link.token}/")["Content-Language"] == "en-gb"
    client = Client()
    client.cookies.load(WELSH_COOKIE)
    page = client.get(f"/s/{irwell_link.token}/").content.decode()
    assert '<span lang="en-GB">How was your first year?</span>' in page


def test_consent_on_the_welsh_page_records_the_welsh_text_and_its_version(welsh_link) -> None:
    client = Client()
    response = client.post(f"/s/{welsh_link.token}/", CONSENT)
    assert response.status_code == 302
    consent_row = Consent.objects.select_related("clip").get()
    assert consent_row.language == "cy"
    assert consent_row.text_version == services.CONSENT_VERSIONS["cy"] != services.CONSENT_VERSIONS["en-gb"]
    assert WELSH_TITLE in consent_row.text
    assert consent_row.text == services.consent_text(welsh_link, "cy")
    # The clip records the English question, whichever the student read.
    assert consent_row.clip.question == "What helped you most?"
    # The next page keeps the language the student consented in.
    assert client.get(response["Location"])["Content-Language"] == "cy"


def test_consent_on_the_english_page_records_the_english_text_and_its_version(irwell_link) -> None:
    Client().post(f"/s/{irwell_link.token}/", CONSENT)
    consent_row = Consent.objects.get()
    assert (consent_row.language, consent_row.text_version) == ("en-gb", services.CONSENT_VERSIONS["en-gb"])
    assert consent_row.text.startswith("What this is for: “How was your first year?”.")


def test_each_languages_consent_text_is_its_own(welsh_link) -> None:
    english, welsh = services.consent_text(welsh_link, "en-gb"), services.consent_text(welsh_link, "cy")
    assert "Who will see it" in english and "Who will see it" not in welsh
    assert welsh.count("\n\n") == english.count("\n\n") == 5


def test_the_upload_page_asks_which_language_the_clip_is_in_and_defaults_to_the_pages(welsh_link) -> None:
    client = Client()
    client.post(f"/s/{welsh_link.token}/", CONSENT)
    page = client.get(f"/s/{welsh_link.token}/upload/").content.decode()
    assert 'name="language"' in page
    assert 'id="clip-language-cy" value="cy" checked' in page
    assert 'lang="cy">Cymraeg</label>' in page and 'lang="en">English</label>' in page


def test_the_upload_records_the_language_spoken(irwell_link, media_root: Path) -> None:
    clip, _receipt = consent(irwell_link)
    response = tus_client_upload(Client(), clip, b"x" * 1000, language="cy")
    assert response.status_code == 204
    assert Clip.objects.get(pk=clip.pk).language == "cy"


def test_an_unknown_spoken_language_is_refused_and_changes_nothing(irwell_link, media_root: Path) -> None:
    clip, _receipt = consent(irwell_link)
    response = tus_client_upload(Client(), clip, b"x" * 1000, language="fr")
    assert response.status_code == 400
    assert "English or Cymraeg" in response.content.decode()
    clip.refresh_from_db()
    assert (clip.language, clip.status, clip.upload_length) == ("en", Clip.Status.RECEIVING, None)


@pytest.mark.usefixtures("immediate_tasks")
def test_a_welsh_clip_with_the_english_model_is_ready_and_marked_transcript_needed(
    irwell_link, media_files, tus_put, world
) -> None:
    clip, _receipt = consent(irwell_link)
    tus_put(clip, media_files["speech.mp4"].read_bytes(), language="cy")
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY and clip.rendition_name
    assert clip.transcript_needed and not clip.transcribed
    assert not Transcript.objects.filter(clip=clip).exists()
    page = client_for(world.fran).get(f"/c/{world.cohort.slug}/clips/{clip.public_id}/").content.decode()
    assert "Transcript needed" in page and "Type the transcript" in page
    listing = client_for(world.fran).get(f"/c/{world.cohort.slug}/clips/").content.decode()
    assert "transcript needed" in listing


class FakeMultilingualModel:
    """Stands in for a multilingual CTranslate2 Whisper model (none small enough ships on PyPI):
    records the language it is asked for and answers one Welsh segment."""

    def __init__(self) -> None:
        self.languages: list[str] = []
        self.hf_tokenizer = self

    def encode(self, text: str, add_special_tokens: bool = False) -> Any:
        return type("Encoded", (), {"ids": text.split()})()

    def transcribe(self, audio: Any, *, language: str, **options: Any) -> tuple[list[Any], None]:
        self.languages.append(language)
        word = type("Word", (), {"word": " Diolch", "start": 0.0, "end": 0.5})()
        return [type("Segment", (), {"words": [word], "seek": 0, "no_speech_prob": 0.01})()], None


def test_only_a_model_not_ending_en_is_taken_for_multilingual(settings: Any) -> None:
    settings.TRANSCRIPTION_MODEL = ""
    assert not tasks.is_multilingual()
    settings.TRANSCRIPTION_MODEL = "/models/faster-whisper-tiny.en/"
    assert not tasks.is_multilingual()
    settings.TRANSCRIPTION_MODEL = "/models/faster-whisper-small"
    assert tasks.is_multilingual()


def test_with_a_multilingual_model_a_welsh_clip_is_transcribed_in_welsh(
    settings: Any, irwell_link, make_ready_clip
) -> None:
    settings.TRANSCRIPTION_MODEL = "/models/faster-whisper-small"
    model = FakeMultilingualModel()
    tasks._models[(os.getpid(), settings.TRANSCRIPTION_MODEL)] = model
    try:
        clip, _receipt = make_ready_clip(irwell_link)
        Transcript.objects.filter(clip=clip).delete()
        Clip.objects.filter(pk=clip.pk).update(language="cy", status=Clip.Status.TRANSCRIBING, transcribed=False)
        clip = Clip.objects.select_related("call").get(pk=clip.pk)
        tasks._transcribe(clip)
    finally:
        tasks._models.pop((os.getpid(), settings.TRANSCRIPTION_MODEL), None)
    assert model.languages == ["cy"]
    clip.refresh_from_db()
    assert clip.transcribed and not clip.transcript_needed
    assert (clip.transcript.text, clip.transcript.language) == ("Diolch", "cy")


@pytest.fixture
def welsh_ready_clip(irwell_link, make_ready_clip) -> Clip:
    """A Welsh clip the English-only model left for a facilitator to type."""
    clip, _receipt = make_ready_clip(irwell_link)
    Transcript.objects.filter(clip=clip).delete()
    Clip.objects.filter(pk=clip.pk).update(language="cy", transcribed=False, transcript_needed=True, captions_name="")
    return Clip.objects.get(pk=clip.pk)


def test_a_facilitator_types_a_welsh_clips_transcript_and_it_serves_review_like_a_machine_one(
    welsh_ready_clip, world, media_root: Path
) -> None:
    url = f"/c/{world.cohort.slug}/clips/{welsh_ready_clip.public_id}/type-transcript/"
    client = client_for(world.fran)
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Roedd y   tiwtor yn help mawr"})
    assert response.status_code == 302
    clip = Clip.objects.get(pk=welsh_ready_clip.pk)
    assert clip.transcribed and not clip.transcript_needed and clip.captions_name
    transcript = clip.transcript
    assert (transcript.text, transcript.language, transcript.model_name) == (
        "Roedd y tiwtor yn help mawr",
        "cy",
        "typed",
    )
    assert [w["word"] for w in transcript.words] == ["Roedd", "y", "tiwtor", "yn", "help", "mawr"]
    starts = [w["start"] for w in transcript.words]
    assert starts == sorted(starts) and transcript.words[-1]["end"] <= (clip.duration_seconds or 0) + 0.01
    assert f"clips/{clip.public_id}/captions.vtt" in stored_files(media_root)
    review = client.get(f"/c/{world.cohort.slug}/clips/{clip.public_id}/review/").content.decode()
    assert "tiwtor" in review


def test_an_empty_typed_transcript_is_refused_with_the_text_kept_and_nothing_changed(welsh_ready_clip, world) -> None:
    url = f"/c/{world.cohort.slug}/clips/{welsh_ready_clip.public_id}/type-transcript/"
    response = client_for(world.fran).post(url, {"text": "   "})
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    clip = Clip.objects.get(pk=welsh_ready_clip.pk)
    assert clip.transcript_needed and not clip.transcribed
    assert not Transcript.objects.filter(clip=clip).exists()


@pytest.mark.parametrize("who", ["lena", "alex", "olga"])
def test_only_the_cohorts_facilitators_may_type_a_transcript(welsh_ready_clip, world, who) -> None:
    url = f"/c/{world.cohort.slug}/clips/{welsh_ready_clip.public_id}/type-transcript/"
    assert client_for(getattr(world, who)).post(url, {"text": "Helo"}).status_code == 404
    assert not Transcript.objects.filter(clip=welsh_ready_clip).exists()


def test_a_clip_with_a_transcript_cannot_be_typed_over(irwell_link, make_ready_clip, world) -> None:
    clip, _receipt = make_ready_clip(irwell_link)
    before = clip.transcript.text
    url = f"/c/{world.cohort.slug}/clips/{clip.public_id}/type-transcript/"
    response = client_for(world.fran).post(url, {"text": "Rhywbeth arall"})
    assert response.status_code == 400
    assert "already has a transcript" in response.content.decode()
    assert Transcript.objects.get(clip=clip).text == before


def test_the_staff_clip_page_shows_which_languages_consent_text_was_agreed_to(welsh_link, world) -> None:
    Client().post(f"/s/{welsh_link.token}/", CONSENT)
    clip = Clip.objects.get()
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.READY)
    page = client_for(world.fran).get(f"/c/{world.cohort.slug}/clips/{clip.public_id}/").content.decode()
    assert f"Cymraeg, version {services.CONSENT_VERSIONS['cy']}" in page


def test_the_receipt_email_is_in_the_language_of_the_students_page(welsh_link, make_ready_clip) -> None:
    clip, receipt = make_ready_clip(welsh_link)
    Consent.objects.filter(clip=clip).update(language="cy")
    response = Client().post(f"/my-clip/{receipt}/email/", {"email": "student@example.org"})
    assert response.status_code == 302
    (sent,) = mail.outbox
    assert sent.subject == _welsh("Your clip: your private link")
    assert (
        WELSH_TITLE in sent.body and _welsh("We deleted your e-mail address once this message had gone.") in sent.body
    )


def test_a_refusal_is_stored_in_the_language_the_student_consented_in(welsh_link) -> None:
    from media_feedback.media import Refused

    Client().post(f"/s/{welsh_link.token}/", CONSENT)
    clip = Clip.objects.select_related("consent").get()
    tasks.refuse_clip(
        clip, Refused("The file is larger than %(megabytes)s MB. Please send a shorter clip.", {"megabytes": 5})
    )
    from media_feedback.models import RefusedUpload

    with translation.override("cy"):
        expected = translation.gettext("The file is larger than %(megabytes)s MB. Please send a shorter clip.") % {
            "megabytes": 5
        }
    assert RefusedUpload.objects.get().reason == expected


def test_the_call_form_takes_welsh_questions_only_line_for_line(world) -> None:
    membership = get_membership(world.fran, world.cohort.slug)
    data = {
        "title": "Blwyddyn",
        "questions": "One?\nTwo?",
        "questions_cy": "Un?",
        "opens_at": "2026-12-07T09:00",
        "closes_at": "2026-12-20T09:00",
        "allow_audio": "on",
        "max_minutes": "5",
        "max_megabytes": "50",
        "retention_days": "90",
    }
    form = CallForm(data, cohort=membership.cohort)
    assert not form.is_valid()
    assert "2 in English, 1 in Welsh" in str(form.errors["questions_cy"])
    form = CallForm(
        {**data, "questions_cy": "Un?\nDau?", "language": "cy", "title_cy": "Blwyddyn"}, cohort=membership.cohort
    )
    assert form.is_valid(), form.errors
    assert form.service_kwargs()["language"] == "cy"


def test_withdrawing_and_the_privacy_notice_stay_in_the_language_the_student_consented_in(welsh_link) -> None:
    """The private link opened on another device (an English browser, no cookie): withdrawing, and the
    notice linked from the Welsh consent page, are in Welsh, as the student's other pages."""
    clip, receipt = services.give_consent(
        welsh_link, question="Q", share_with_institutions=True, may_quote=False, age_band="18+", language="cy"
    )
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.READY)  # the upload has completed
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en-GB")
    withdraw = english_browser.get(f"/my-clip/{receipt}/withdraw/").content.decode()
    assert '<html lang="cy">' in withdraw
    assert str(escape(_welsh("Withdraw and delete your clip?"))) in withdraw
    assert "Withdraw and delete your clip?" not in withdraw
    notice = english_browser.get(f"/s/{welsh_link.token}/privacy/").content.decode()
    assert '<html lang="cy">' in notice
    title = notice.split("<title>", 1)[1].split("</title>", 1)[0]
    assert str(escape(WELSH_TITLE)) in title and str(escape(welsh_link.call.title)) not in title
