"""Background work of clip review: rendering the redacted rendition after redactions change."""

from __future__ import annotations

from django.tasks import task

from media_feedback.models import Clip


@task()
def render_redacted_rendition_task(clip_id: int) -> str:
    from media_feedback.review.services import render_redacted_rendition

    clip = Clip.objects.filter(pk=clip_id, status=Clip.Status.READY).select_related("transcript").first()
    if clip is None:  # withdrawn meanwhile
        return ""
    return render_redacted_rendition(clip)
