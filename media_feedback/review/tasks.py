"""Background work of clip review: rendering the redacted rendition after redactions change, and
blurring the faces of a video when a facilitator asks.

The task sits beside the code it runs; `media_feedback.review.services` enqueues it and is never
imported from here."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.tasks import task
from django.utils.translation import gettext_noop

from media_feedback.models import Clip
from media_feedback.review import redaction
from media_feedback.review.models import ClipReview
from media_feedback.tasks import blur_faces

log = logging.getLogger(__name__)


def render_redacted_rendition(clip: Clip) -> str:
    """Make the only rendition anyone but facilitators may play: each redacted span covered by a tone,
    the voice disguised when the student asked, faces blurred where `Clip.faces_blurred` says so. Returns
    its storage name ("" when the clip has no media, or its blurred video is not made yet)."""
    if not clip.rendition_name:
        return ""
    if clip.faces_blurred and not clip.blurred_rendition_name:
        # Never from the unblurred picture: blur_faces_task renders it once the faces are blurred (and
        # until one is asked for, the review page offers to blur them).
        if not Clip.objects.filter(pk=clip.pk, blur_requested=True).exists():
            ClipReview.objects.filter(clip=clip).update(rendition_queued_at=None)
        return ""
    words = redaction.words_of(clip)
    spans = redaction.redacted_spans(words, redaction.hidden_words(clip, len(words)))
    source_name = clip.blurred_rendition_name or clip.rendition_name
    with default_storage.open(source_name, "rb") as source:
        data = source.read()
    review, _ = ClipReview.objects.get_or_create(clip=clip)
    import av  # lazy on purpose: only the worker renders media, the web process never loads PyAV

    try:
        rendered = redaction.redacted_media(data, spans, disguise_voice=clip.voice_disguise)
    except (av.FFmpegError, ValueError) as error:
        # Stored in English, shown in the reader's language (the review page translates it).
        review.rendition_error = gettext_noop("The redacted version could not be made from this clip's media.")
        review.rendition_queued_at = None
        review.save(update_fields=["rendition_error", "rendition_queued_at"])
        log.warning("redacted rendition failed for clip %s: %s", clip.pk, type(error).__name__)
        return ""
    if _blur_asked_meanwhile(clip, source_name):
        return ""  # made from the unblurred picture: blur_faces_task renders it again from the blurred one
    extension = "mp4" if clip.kind == Clip.Kind.VIDEO else "m4a"
    name = f"{clip.storage_prefix}redacted.{extension}"
    if default_storage.exists(name):
        default_storage.delete(name)
    clip.redacted_rendition_name = default_storage.save(name, ContentFile(rendered))
    clip.save(update_fields=["redacted_rendition_name"])
    review.rendition_error = ""
    review.rendition_queued_at = None
    review.save(update_fields=["rendition_error", "rendition_queued_at"])
    return clip.redacted_rendition_name


def _blur_asked_meanwhile(clip: Clip, source_name: str) -> bool:
    """A facilitator asked for the faces to be blurred while this rendering read the unblurred video."""
    fresh = Clip.objects.filter(pk=clip.pk).values_list("blur_requested", "blurred_rendition_name").first()
    if fresh is None:
        return True  # withdrawn meanwhile: nothing to save
    clip.blur_requested = fresh[0]
    return clip.faces_blurred and source_name != fresh[1]


@task()
def render_redacted_rendition_task(clip_id: int) -> str:
    clip = Clip.objects.filter(pk=clip_id, status=Clip.Status.READY).select_related("transcript").first()
    if clip is None:  # withdrawn meanwhile
        return ""
    return render_redacted_rendition(clip)


@task()
def blur_faces_task(clip_id: int) -> str:
    """A facilitator asked for the faces of a ready video to be blurred: blur them, then render the
    redacted rendition (which was dropped when they asked) from the blurred video."""
    clip = Clip.objects.filter(pk=clip_id, status=Clip.Status.READY).select_related("transcript", "consent").first()
    if clip is None:  # withdrawn meanwhile
        return ""
    if not clip.blurred_rendition_name:
        blur_faces(clip)
    return render_redacted_rendition(clip)
