"""Background work of clip review: rendering the redacted rendition after redactions change.

The task sits beside the code it runs; `media_feedback.review.services` enqueues it and is never
imported from here."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.tasks import task

from media_feedback.models import Clip
from media_feedback.review import redaction
from media_feedback.review.models import ClipReview

log = logging.getLogger(__name__)


def render_redacted_rendition(clip: Clip) -> str:
    """Make the only rendition anyone but facilitators may play: each redacted span covered by a tone,
    the voice disguised when the student asked. Returns its storage name ("" when the clip has no media)."""
    if not clip.rendition_name:
        return ""
    words = redaction.words_of(clip)
    spans = redaction.redacted_spans(words, redaction.hidden_words(clip, len(words)))
    with default_storage.open(clip.rendition_name, "rb") as source:
        data = source.read()
    review, _ = ClipReview.objects.get_or_create(clip=clip)
    import av  # lazy on purpose: only the worker renders media, the web process never loads PyAV

    try:
        rendered = redaction.redacted_media(data, spans, disguise_voice=clip.voice_disguise)
    except (av.FFmpegError, ValueError) as error:
        review.rendition_error = "The redacted version could not be made from this clip's media."
        review.save(update_fields=["rendition_error"])
        log.warning("redacted rendition failed for clip %s: %s", clip.pk, type(error).__name__)
        return ""
    extension = "mp4" if clip.kind == Clip.Kind.VIDEO else "m4a"
    name = f"{clip.storage_prefix}redacted.{extension}"
    if default_storage.exists(name):
        default_storage.delete(name)
    clip.redacted_rendition_name = default_storage.save(name, ContentFile(rendered))
    clip.save(update_fields=["redacted_rendition_name"])
    if review.rendition_error:
        review.rendition_error = ""
        review.save(update_fields=["rendition_error"])
    return clip.redacted_rendition_name


@task()
def render_redacted_rendition_task(clip_id: int) -> str:
    clip = Clip.objects.filter(pk=clip_id, status=Clip.Status.READY).select_related("transcript").first()
    if clip is None:  # withdrawn meanwhile
        return ""
    return render_redacted_rendition(clip)
