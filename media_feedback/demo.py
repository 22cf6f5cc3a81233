"""This app's part of the demo cohort (`manage.py seed_demo`). Must be idempotent.

An open feedback call, "How was your first year?", with a link for every institution and a few
clips that are ready to watch. With espeak-ng installed the clips are real synthetic speech run
through the real pipeline (check, transcode, transcribe); without it, transcripts are made from the
prepared text with word timings and the audio is a generated tone.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from django.utils import timezone

from cohort.demo import DemoWorld
from cohort.models import Membership
from media_feedback import services, storage
from media_feedback.models import Clip, FeedbackCall, Transcript
from media_feedback.tasks import run_pipeline, webvtt

TITLE = "How was your first year?"
QUESTIONS = "What helped you most in your first year?\nWhat would you change for the next student like you?"
# The call in Welsh too (its link opens in English: a student can switch with the toggle).
TITLE_CY = "Sut oedd eich blwyddyn gyntaf?"
QUESTIONS_CY = (
    "Beth wnaeth eich helpu fwyaf yn eich blwyddyn gyntaf?\n"
    "Beth fyddech chi'n ei newid ar gyfer y myfyriwr nesaf sydd fel chi?"
)

CLIPS = [
    # (institution index, question index, shares with institution, may quote, age band, text)
    (0, 0, True, True, "18+", "My personal tutor checked in every week and that made me feel someone had my back."),
    (0, 1, False, True, "18+", "I wish someone had told me about the bursary before the first term started."),
    (4, 0, True, False, "16-17", "The college found me a quiet place to study when things at home were hard."),
]


def seed(world: DemoWorld) -> None:
    facilitator = Membership.objects.get(user=world.facilitator, cohort=world.cohort)
    call = FeedbackCall.objects.filter(cohort=world.cohort, title=TITLE).first()
    if call is None:
        now = timezone.now()
        call = services.open_call(
            facilitator,
            title=TITLE,
            title_cy=TITLE_CY,
            questions=QUESTIONS,
            questions_cy=QUESTIONS_CY,
            areas=list(world.cohort.framework.areas.filter(position__in=[5, 6])),
            opens_at=now - timedelta(days=7),
            closes_at=now + timedelta(days=60),
        )
    services.ensure_links(call)
    if call.clips.exists():
        return
    for inst_index, q_index, share, quote, age, text in CLIPS:
        link = call.links.get(institution=world.institutions[inst_index])
        clip, _token = services.give_consent(
            link,
            question=call.question_list[q_index],
            share_with_institutions=share,
            may_quote=quote,
            age_band=age,
        )
        if shutil.which("espeak-ng"):
            _through_the_pipeline(clip, text)
        else:
            _prepared(clip, text)


def _through_the_pipeline(clip: Clip, text: str) -> None:
    with tempfile.TemporaryDirectory(prefix="demo-clip-") as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-s", "145", "-w", str(wav), text], check=True, capture_output=True)  # noqa: S603, S607 (fixed demo text)
        clip.original_name = storage.put(f"{clip.storage_prefix}original", wav)
    clip.status = Clip.Status.RECEIVED
    clip.upload_expires_at = None
    clip.save(update_fields=["original_name", "status", "upload_expires_at"])
    run_pipeline(clip.pk)


def _prepared(clip: Clip, text: str) -> None:
    """No speech synthesiser: a tone for the audio, the text for the transcript, evenly timed."""
    words = [
        {"word": w, "start": round(i * 0.4, 2), "end": round(i * 0.4 + 0.35, 2)} for i, w in enumerate(text.split())
    ]
    seconds = len(words) * 0.4 + 0.5
    with tempfile.TemporaryDirectory(prefix="demo-clip-") as tmp:
        path = Path(tmp) / "rendition.m4a"
        _tone(path, float(seconds))
        clip.rendition_name = storage.put(f"{clip.storage_prefix}rendition.m4a", path)
        vtt = Path(tmp) / "captions.vtt"
        vtt.write_text(webvtt(words))
        clip.captions_name = storage.put(f"{clip.storage_prefix}captions.vtt", vtt)
    Transcript.objects.update_or_create(clip=clip, defaults={"words": words, "text": text, "model_name": "prepared"})
    clip.kind, clip.duration_seconds, clip.transcribed = Clip.Kind.AUDIO, float(seconds), True
    clip.status, clip.ready_at, clip.upload_expires_at = Clip.Status.READY, timezone.now(), None
    clip.waveform = [round(abs(float(np.sin(i / 7))), 3) for i in range(200)]
    clip.save()


def _tone(path: Path, seconds: float, rate: int = 48000) -> None:
    with av.open(str(path), mode="w", format="mp4") as out:
        stream = out.add_stream("aac", rate=rate)
        stream.layout = "mono"
        t = np.arange(int(seconds * rate)) / rate
        pcm = (np.sin(2 * np.pi * 330 * t) * 0.2).astype(np.float32)
        for start in range(0, len(pcm), 1024):
            frame = av.AudioFrame.from_ndarray(pcm[start : start + 1024].reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
