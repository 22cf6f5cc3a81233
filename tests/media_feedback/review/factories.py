"""Builders for review tests: ready clips with consent and timed transcripts, and real media."""

from __future__ import annotations

import io
import secrets
from datetime import timedelta
from fractions import Fraction

import av
import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from cohort.models import Cohort, Institution, Membership, User, hash_token
from media_feedback.models import CallLink, Clip, Consent, FeedbackCall, Transcript
from media_feedback.review import services as review

RATE = 48_000


def make_call(cohort: Cohort, title: str = "How was your first year?") -> FeedbackCall:
    now = timezone.now()
    return FeedbackCall.objects.create(
        cohort=cohort,
        title=title,
        questions="How was your first year?\nWhat would you change?",
        opens_at=now - timedelta(days=10),
        closes_at=now + timedelta(days=10),
    )


def timed_words(text: str, start: float = 0.0, step: float = 0.5) -> list[dict]:
    words = []
    for i, word in enumerate(text.split()):
        words.append(
            {"word": word, "start": round(start + i * step, 3), "end": round(start + (i + 1) * step - 0.05, 3)}
        )
    return words


def make_clip(
    call: FeedbackCall,
    institution: Institution,
    text: str = "My name is Jordan and the rent in halls was hard at Christmas.",
    *,
    may_quote: bool = True,
    share: bool = True,
    kind: str = Clip.Kind.AUDIO,
    words: list[dict] | None = None,
    voice_disguise: bool = False,
) -> Clip:
    link, _ = CallLink.objects.get_or_create(call=call, institution=institution)
    words = words if words is not None else timed_words(text)
    clip = Clip.objects.create(
        call=call,
        institution=institution,
        link=link,
        question=call.question_list[0] if call.question_list else "",
        kind=kind,
        status=Clip.Status.READY,
        receipt_token_hash=hash_token(secrets.token_urlsafe(16)),
        duration_seconds=float(words[-1]["end"]) + 0.5 if words else 1.0,
        transcribed=True,
        voice_disguise=voice_disguise,
        ready_at=timezone.now(),
    )
    Consent.objects.create(
        clip=clip,
        share_with_institutions=share,
        may_quote=may_quote,
        age_band=Consent.AgeBand.AGE_18_PLUS,
        text_version="1",
        text="I agree.",
    )
    Transcript.objects.create(clip=clip, words=words, text=" ".join(w["word"] for w in words))
    return clip


def tone_media(seconds: float = 3.0, *, video: bool = False, freq: float = 440.0) -> bytes:
    """A real media file: a loud tone throughout (AAC in MP4), with a small moving picture if `video`."""
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as out:
        vstream = None
        if video:
            vstream = out.add_stream("libx264" if "libx264" in av.codecs_available else "mpeg4", rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 64, "yuv420p"
            vstream.time_base = Fraction(1, 10)
        astream = out.add_stream("aac", rate=RATE, layout="mono")
        t = np.arange(int(seconds * RATE)) / RATE
        samples = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)[None, :]
        for offset in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(samples[:, offset : offset + 1024]), format="fltp", layout="mono"
            )
            frame.sample_rate = RATE
            frame.pts = offset
            for packet in astream.encode(frame):
                out.mux(packet)
        for packet in astream.encode(None):
            out.mux(packet)
        if vstream is not None:
            for i in range(int(seconds * 10)):
                img = np.full((64, 64, 3), (i * 8) % 255, dtype=np.uint8)
                vframe = av.VideoFrame.from_ndarray(img, format="rgb24")
                vframe.pts = i
                for packet in vstream.encode(vframe):
                    out.mux(packet)
            for packet in vstream.encode(None):
                out.mux(packet)
    return buffer.getvalue()


def give_rendition(clip: Clip, data: bytes) -> Clip:
    name = default_storage.save(f"{clip.storage_prefix}rendition.mp4", ContentFile(data))
    clip.rendition_name = name
    clip.save(update_fields=["rendition_name"])
    return clip


@pytest.fixture(name="media_storage")
def media_storage_fixture(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Stored media goes to a temporary folder for the test."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def membership_of(user: User, cohort: Cohort) -> Membership:
    """The acting membership a review service takes."""
    return Membership.objects.get(user=user, cohort=cohort)


def reviewed(clip: Clip, by: User) -> Clip:
    review.mark_reviewed(membership_of(by, clip.call.cohort), clip)
    return clip


def released(clip: Clip, by: User) -> Clip:
    """Reviewed and released to the clip's institution, as a facilitator does on the review page."""
    facilitator = membership_of(by, clip.call.cohort)
    review.mark_reviewed(facilitator, clip)
    review.release_clip(facilitator, Clip.objects.select_related("call", "institution", "consent").get(pk=clip.pk))
    clip.refresh_from_db()
    return clip
