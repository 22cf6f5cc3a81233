"""A real clip through the whole pipeline: upload (tus), check, transcode, transcribe, ready; who
can see it; and withdrawal, which leaves nothing behind."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import pytest
from django.test import Client

from config.retention import apply_retention
from media_feedback import services
from media_feedback.models import Clip, Consent, Transcript, Withdrawal
from tests.factories import CONFIRMED, client_for
from tests.media_feedback.factories import consent, stored_files
from tests.media_feedback.review.factories import released

pytestmark = pytest.mark.usefixtures("immediate_tasks")


@pytest.fixture
def processed_video(irwell_link, media_files, tus_put) -> tuple[Clip, str]:
    """Through the real pipeline."""
    clip, receipt = consent(irwell_link, share=True)
    tus_put(clip, media_files["speech.mp4"].read_bytes())
    return Clip.objects.get(pk=clip.pk), receipt


@pytest.fixture
def ready_video(irwell_link, make_ready_clip) -> tuple[Clip, str]:
    """As the pipeline leaves a clip, made quickly."""
    return make_ready_clip(irwell_link)


def test_a_video_becomes_ready_with_a_web_rendition_poster_captions_and_no_original(
    processed_video, media_root: Path
) -> None:
    clip, _ = processed_video
    assert clip.status == Clip.Status.READY
    assert clip.kind == "video"
    assert 4 < clip.duration_seconds < 7
    assert clip.transcribed
    prefix = f"clips/{clip.public_id}/"
    assert stored_files(media_root) == sorted(
        [f"{prefix}captions.vtt", f"{prefix}poster.jpg", f"{prefix}rendition.mp4"]
    )
    assert len(clip.waveform) == 200 and max(clip.waveform) == 1.0
    with av.open(str(media_root / clip.rendition_name)) as rendition:
        assert [s.codec_context.name for s in rendition.streams] == ["h264", "aac"]
        assert "location" not in rendition.metadata and "title" not in rendition.metadata
    assert (media_root / clip.captions_name).read_text().startswith("WEBVTT")
    # The transcript of the known sentence holds its words, with timings.
    transcript = Transcript.objects.get(clip=clip)
    text = transcript.text.lower()
    for word in ("support", "college", "place", "live", "first"):
        assert word in text
    assert all(w["end"] >= w["start"] >= 0 for w in transcript.words)
    assert transcript.words[-1]["end"] <= clip.duration_seconds + 0.5


def test_an_audio_clip_is_kept_as_m4a_and_transcribed(irwell_link, media_files, tus_put, media_root) -> None:
    irwell_link.call.keep_originals = True
    irwell_link.call.save()
    clip, _ = consent(irwell_link)
    tus_put(clip, media_files["speech.wav"].read_bytes())
    clip.refresh_from_db()
    assert (clip.status, clip.kind) == (Clip.Status.READY, "audio")
    assert clip.rendition_name.endswith("rendition.m4a")
    assert clip.original_name  # kept: the call asked for it
    assert not clip.poster_name
    assert "college" in clip.transcript.text.lower()


def test_a_transcription_failure_leaves_the_clip_playable_and_marked_untranscribed(
    irwell_link, media_files, tus_put, settings
) -> None:
    settings.TRANSCRIPTION_MODEL = "/nonexistent/model"
    clip, _ = consent(irwell_link)
    tus_put(clip, media_files["speech.wav"].read_bytes())
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY
    assert not clip.transcribed
    assert clip.rendition_name
    page = client_for(clip.call.created_by).get(f"/c/gm/clips/{clip.public_id}/")
    assert page.status_code == 200
    assert "could not be transcribed automatically" in page.content.decode()


def test_a_clip_interrupted_mid_pipeline_is_finished_by_the_stuck_clip_sweep(
    irwell_link, media_files, settings, media_root, django_capture_on_commit_callbacks
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from media_feedback.tasks import clean_up_clips
    from tests.media_feedback.factories import tus_client_upload

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}  # the worker "dies"
    clip, _ = consent(irwell_link)
    with django_capture_on_commit_callbacks(execute=True):
        tus_client_upload(Client(), clip, media_files["speech.wav"].read_bytes())
    Clip.objects.filter(pk=clip.pk).update(
        status=Clip.Status.TRANSCODING, kind="audio", status_changed_at=timezone.now() - timedelta(hours=1)
    )
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    result = clean_up_clips.call()
    assert result["requeued"] == 1
    clip.refresh_from_db()
    assert clip.status == Clip.Status.READY


def test_the_facilitator_sees_and_plays_the_clip_with_captions(ready_video, world) -> None:
    clip, _ = ready_video
    client = client_for(world.fran)
    page = client.get(f"/c/gm/clips/{clip.public_id}/").content.decode()
    assert "the support team" in page.lower()
    assert f"/c/gm/clips/{clip.public_id}/file/captions/" in page
    video = client.get(f"/c/gm/clips/{clip.public_id}/file/rendition/", HTTP_RANGE="bytes=0-99")
    assert video.status_code == 206
    assert video["Content-Range"].startswith("bytes 0-99/")
    assert len(b"".join(video.streaming_content)) == 100  # type: ignore[attr-defined]
    vtt = client.get(f"/c/gm/clips/{clip.public_id}/file/captions/")
    assert b"".join(vtt.streaming_content).startswith(b"WEBVTT")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("who", "share", "sees"),
    [
        ("alice", True, True),
        ("lena", True, True),
        ("alice", False, False),
        ("bob", True, False),
        ("alex", True, False),
        ("oscar", True, False),
        ("olga", True, False),
    ],
)
def test_institution_staff_see_only_their_own_clips_that_consent_shares(
    who, share, sees, irwell_link, make_ready_clip, world
) -> None:
    clip, _ = make_ready_clip(irwell_link, share=share)
    if share:  # staff see nothing of a clip until a facilitator has reviewed and released it
        clip = released(clip, world.fran)
    client = client_for(getattr(world, who))
    assert client.get(f"/c/gm/clips/{clip.public_id}/").status_code == (200 if sees else 404)
    # The unredacted rendition and captions are the facilitators' alone; staff play the redacted one.
    for what in ("rendition", "captions"):
        assert client.get(f"/c/gm/clips/{clip.public_id}/file/{what}/").status_code == 404
    assert client_for(world.fran).get(f"/c/gm/clips/{clip.public_id}/file/rendition/").status_code == 200
    listing = client.get("/c/gm/clips/")
    if listing.status_code == 200:
        assert (str(clip.public_id) in listing.content.decode()) == sees


def test_withdrawal_deletes_the_clip_and_every_stored_file_and_keeps_only_the_fact(ready_video, media_root) -> None:
    clip, receipt = ready_video
    assert stored_files(media_root)
    page = Client().post(f"/my-clip/{receipt}/withdraw/", CONFIRMED)
    assert "Your clip has been withdrawn" in page.content.decode()
    assert not Clip.objects.exists()
    assert not Consent.objects.exists()
    assert not Transcript.objects.exists()
    assert stored_files(media_root) == []
    withdrawal = Withdrawal.objects.get()
    assert withdrawal.institution_id == clip.institution_id
    assert Client().get(f"/my-clip/{receipt}/").status_code == 404


def test_the_receipt_shows_the_status_and_the_consent_is_stored_word_for_word(ready_video) -> None:
    clip, receipt = ready_video
    page = Client().get(f"/my-clip/{receipt}/").content.decode()
    assert "Ready" in page
    stored = Consent.objects.get(clip=clip)
    assert stored.text_version == services.CONSENT_VERSION
    assert stored.text == services.consent_text(clip.link)
    assert "deleted 90 days after the summary" in stored.text


def test_a_wrong_receipt_token_finds_nothing(ready_video) -> None:
    assert Client().get("/my-clip/not-the-token/").status_code == 404
    assert Client().post("/my-clip/not-the-token/withdraw/").status_code == 404
    assert Clip.objects.count() == 1


def test_retention_deletes_clips_after_the_summary_plus_the_configured_days(ready_video, media_root) -> None:
    from datetime import timedelta

    from django.utils import timezone

    clip, _ = ready_video
    published = timezone.now() - timedelta(days=89)
    services.schedule_retention(clip.call, published)
    assert apply_retention() == {}
    assert apply_retention(now=published + timedelta(days=90, seconds=1)) == {"media_feedback.Clip": 1}
    assert not Clip.objects.exists()
    assert stored_files(media_root) == []


def test_the_facilitator_sees_when_the_clips_will_go(ready_video, world) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    clip, _ = ready_video
    services.schedule_retention(clip.call, datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("Europe/London")))
    page = client_for(world.fran).get(f"/c/gm/clips/calls/{clip.call_id}/").content.decode()
    assert "will be deleted on <strong>31 May 2026</strong>" in page


def test_an_original_is_never_served(ready_video, world) -> None:
    clip, _ = ready_video
    assert client_for(world.fran).get(f"/c/gm/clips/{clip.public_id}/file/original/").status_code == 404


def test_hashes_only(ready_video) -> None:
    clip, receipt = ready_video
    assert receipt not in clip.receipt_token_hash
    assert clip.receipt_token_hash == hashlib.sha256(receipt.encode()).hexdigest()


def test_staff_read_the_transcript_with_redactions_and_facilitators_read_it_whole(
    irwell_link, make_ready_clip, world
) -> None:
    from cohort.access import get_membership
    from media_feedback.review.services import redact_words

    clip, _ = make_ready_clip(irwell_link, share=True)
    words = clip.transcript.words
    redact_words(get_membership(world.fran, world.cohort.slug), clip, 1, 1)
    clip = released(clip, world.fran)
    hidden = words[1]["word"].strip()
    staff_page = client_for(world.alice).get(f"/c/gm/clips/{clip.public_id}/").content.decode()
    assert "[redacted]" in staff_page
    assert hidden not in staff_page.split('id="transcript"')[1].split("</p>")[0]
    facilitator_page = client_for(world.fran).get(f"/c/gm/clips/{clip.public_id}/").content.decode()
    assert hidden in facilitator_page.split('id="transcript"')[1].split("</p>")[0]


def test_viewing_a_clip_and_its_transcript_is_in_the_audit_log(irwell_link, make_ready_clip, world) -> None:
    from cohort.audit.models import AuditEvent

    clip, _ = make_ready_clip(irwell_link, share=True)
    client_for(world.fran).get(f"/c/gm/clips/{clip.public_id}/")
    actions = set(AuditEvent.objects.filter(target_id=str(clip.public_id)).values_list("action", flat=True))
    assert {"consent.given", "clip.viewed", "transcript.viewed"} <= actions
