"""A redacted word reaches nobody but facilitators: transcript, captions, quotes, the summary page,
the PDF's text, and the audio they can play."""

from __future__ import annotations

import io

import av
import pytest
from django.urls import reverse
from pypdf import PdfReader

from cohort.models import Membership
from media_feedback.models import Clip
from media_feedback.review import services as review
from media_feedback.review.redaction import decode_audio, rms, tone_share
from tests.factories import World, client_for
from tests.media_feedback.review.factories import (  # noqa: F401
    give_rendition,
    make_call,
    make_clip,
    media_storage_fixture,
    membership_of,
    released,
    tone_media,
)

TEXT = "My name is Jordan and the rent in halls was hard at Christmas."
NAME_START, NAME_END = 1.5, 1.95  # "Jordan" is word 4 (index 3)


def url(name: str, clip: Clip) -> str:
    return reverse(f"media_feedback:{name}", kwargs={"cohort": clip.call.cohort.slug, "clip_id": clip.public_id})


def body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def redacted_clip(world: World, media_storage, django_capture_on_commit_callbacks, fran_membership: Membership) -> Clip:
    clip = make_clip(make_call(world.cohort), world.irwell, TEXT)
    give_rendition(clip, tone_media(7.0))
    with django_capture_on_commit_callbacks(execute=True):  # the render task runs after commit
        review.redact_words(fran_membership, clip, 3, 3)
    # Reviewed and released to Irwell: before that its staff see nothing (test_release_matrix.py).
    return released(Clip.objects.get(pk=clip.pk), world.fran)


@pytest.fixture
def fran_membership(world: World) -> Membership:
    """Fran, the facilitator, as the review services take her."""
    return membership_of(world.fran, world.cohort)


def test_the_facilitator_sees_the_redacted_word_marked_and_what_others_read(world: World, redacted_clip: Clip) -> None:
    html = client_for(world.fran).get(url("review_clip", redacted_clip)).content.decode()
    assert '<span class="visually-hidden">redacted: </span>Jordan</button>' in html
    assert '<p class="shared-text">My name is [redacted] and the rent in halls was hard at Christmas.</p>' in html
    # The list of redactions names the word, not only its number.
    assert '<li>“Jordan” <span class="meta">(word 4)</span>' in html


def test_captions_for_the_institution_are_redacted_and_only_facilitators_get_the_full_ones(
    world: World, redacted_clip: Clip
) -> None:
    shared = client_for(world.alice).get(url("redacted_captions", redacted_clip)).content.decode()
    assert "Jordan" not in shared and "My name is [redacted] and" in shared
    full = client_for(world.fran).get(url("clip_captions", redacted_clip)).content.decode()
    assert "Jordan" in full
    assert client_for(world.alice).get(url("clip_captions", redacted_clip)).status_code == 404
    stored = redacted_clip.captions_name
    from django.core.files.storage import default_storage

    assert "Jordan" not in default_storage.open(stored).read().decode()


def test_the_redacted_rendition_plays_a_tone_over_the_redacted_word_and_the_voice_elsewhere(
    world: World, redacted_clip: Clip
) -> None:
    response = client_for(world.alice).get(url("redacted_media", redacted_clip))
    assert response.status_code == 200 and response["Content-Type"] == "audio/mp4"
    samples = decode_audio(body(response))
    # Over the name: the 1 kHz tone, at a moderate level, and nothing of the 440 Hz "voice".
    assert tone_share(samples, NAME_START, NAME_END) > 0.9
    assert tone_share(samples, NAME_START, NAME_END, hz=440.0) < 0.01
    assert 0.08 < rms(samples, NAME_START, NAME_END) < 0.2
    assert tone_share(samples, 2.2, 6.0) < 0.01 and tone_share(samples, 2.2, 6.0, hz=440.0) > 0.9
    assert rms(samples, 0.3, 1.3) > 0.2
    assert rms(samples, 2.2, 6.0) > 0.2


def test_only_facilitators_can_play_the_original_rendition(world: World, redacted_clip: Clip) -> None:
    assert client_for(world.fran).get(url("clip_media", redacted_clip)).status_code == 200
    for user in (world.alice, world.lena, world.alex, world.bob, world.oscar, world.olga):
        assert client_for(user).get(url("clip_media", redacted_clip)).status_code == 404
    for user in (world.bob, world.oscar, world.olga):
        assert client_for(user).get(url("redacted_media", redacted_clip)).status_code == 404


def test_a_clip_not_shared_with_the_institution_is_played_by_facilitators_only(
    world: World, media_storage, django_capture_on_commit_callbacks, fran_membership: Membership
) -> None:
    clip = make_clip(make_call(world.cohort), world.irwell, TEXT, share=False)
    give_rendition(clip, tone_media(7.0))
    with django_capture_on_commit_callbacks(execute=True):
        review.mark_reviewed(fran_membership, clip)
    assert client_for(world.fran).get(url("redacted_media", clip)).status_code == 200
    assert client_for(world.alice).get(url("redacted_media", clip)).status_code == 404


def test_a_player_can_ask_for_a_byte_range(world: World, redacted_clip: Clip) -> None:
    response = client_for(world.fran).get(url("redacted_media", redacted_clip), HTTP_RANGE="bytes=0-99")
    assert response.status_code == 206 and len(body(response)) == 100
    assert response["Content-Range"].startswith("bytes 0-99/")


def test_a_video_keeps_its_picture_and_has_the_tone_under_the_redacted_word(
    world: World, media_storage, django_capture_on_commit_callbacks, fran_membership: Membership
) -> None:
    # Not to be quoted, so its faces are not blurred (tests/media_feedback/test_blur.py): the picture stays.
    clip = make_clip(make_call(world.cohort), world.irwell, TEXT, kind=Clip.Kind.VIDEO, may_quote=False)
    give_rendition(clip, tone_media(7.0, video=True))
    with django_capture_on_commit_callbacks(execute=True):
        review.redact_words(fran_membership, clip, 3, 3)
    clip = released(Clip.objects.get(pk=clip.pk), world.fran)
    data = body(client_for(world.alice).get(url("redacted_media", clip)))
    with av.open(io.BytesIO(data)) as container:
        assert [s.type for s in container.streams] == ["video", "audio"]
        assert container.streams.video[0].frames == 70 or container.streams.video[0].duration
    samples = decode_audio(data)
    assert tone_share(samples, NAME_START, NAME_END) > 0.9 and rms(samples, 3.0, 6.0) > 0.2


def test_a_disguised_voice_keeps_the_length_and_the_redaction_tone(
    world: World, media_storage, django_capture_on_commit_callbacks, fran_membership: Membership
) -> None:
    clip = make_clip(make_call(world.cohort), world.irwell, TEXT, voice_disguise=True)
    give_rendition(clip, tone_media(7.0, freq=300.0))
    with django_capture_on_commit_callbacks(execute=True):
        review.redact_words(fran_membership, clip, 3, 3)
    clip.refresh_from_db()
    samples = decode_audio(body(client_for(world.fran).get(url("redacted_media", clip))))
    assert abs(samples.shape[1] / 48_000 - 7.0) < 0.1
    assert tone_share(samples, NAME_START, NAME_END) > 0.9  # the tone is not pitch-shifted
    # The tone moved up: count zero crossings over a second of steady sound.
    second = samples[0, int(3.0 * 48_000) : int(4.0 * 48_000)]
    crossings = int(((second[:-1] < 0) & (second[1:] >= 0)).sum())
    assert 340 <= crossings <= 420  # about 300 Hz × 1.25


def test_quotes_the_summary_page_and_the_pdf_show_the_marker_not_the_word(
    world: World, redacted_clip: Clip, fran_membership: Membership
) -> None:
    quote = review.add_quote(fran_membership, redacted_clip, world.cohort.framework.areas.get(position=5), 0, 12)
    assert review.quote_text(quote) == "My name is [redacted] and the rent in halls was hard at Christmas."
    review.mark_reviewed(fran_membership, redacted_clip)
    document = review.create_summary(fran_membership, redacted_clip.call)
    assert quote.token in document.body
    version = review.publish_summary(fran_membership, document)

    page = client_for(world.bob).get(
        reverse("media_feedback:summary_version", kwargs={"cohort": "gm", "document_id": document.pk, "number": 1})
    )
    html = page.content.decode()
    assert "My name is [redacted] and the rent" in html and "Jordan" not in html

    pdf = client_for(world.bob).get(
        reverse("media_feedback:summary_pdf", kwargs={"cohort": "gm", "document_id": document.pk, "number": 1})
    )
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "[redacted]" in text and "Jordan" not in text
    assert "Jordan" not in version.content and "Jordan" not in version.html


def test_media_that_cannot_be_decoded_leaves_no_redacted_rendition_and_the_page_says_so(
    world: World, media_storage, django_capture_on_commit_callbacks, fran_membership: Membership
) -> None:
    clip = make_clip(make_call(world.cohort), world.irwell, TEXT)
    give_rendition(clip, b"this is not media")
    with django_capture_on_commit_callbacks(execute=True):
        review.redact_words(fran_membership, clip, 3, 3)
    clip.refresh_from_db()
    assert clip.redacted_rendition_name == ""
    html = client_for(world.fran).get(url("review_clip", clip)).content.decode()
    assert "The redacted version could not be made from this clip&#x27;s media." in html
    assert client_for(world.alice).get(url("redacted_media", clip)).status_code == 404


def test_the_stored_captions_follow_every_redaction_even_on_a_clip_with_prefetched_redactions(
    world: World, media_storage, fran_membership: Membership
) -> None:
    """Found by an outside tester: the stored captions file was one redaction behind."""
    from django.core.files.storage import default_storage

    clip = make_clip(make_call(world.cohort), world.irwell, TEXT)
    loaded = Clip.objects.prefetch_related("redactions").get(pk=clip.pk)
    review.redact_words(fran_membership, loaded, 3, 3)
    review.redact_words(fran_membership, loaded, 12, 12)
    stored = default_storage.open(Clip.objects.get(pk=clip.pk).captions_name).read().decode()
    assert "Jordan" not in stored and "Christmas" not in stored
