"""Telling facilitators that a clip is ready (through cohort.notifications, the one way to notify)."""

from __future__ import annotations

from django.urls import reverse

from cohort.models import NotificationKind, User
from cohort.notifications import notify
from media_feedback.models import Clip


def clip_ready(clip_id: int) -> None:
    clip = Clip.objects.select_related("call__cohort", "institution").filter(pk=clip_id).first()
    if clip is None:
        return
    cohort = clip.call.cohort
    notify(
        User.objects.facilitators_of(cohort),
        kind=NotificationKind.CLIPS,
        title=f"A new clip from {clip.institution.short_name} is ready: {clip.call.title}",
        url=reverse("media_feedback:clip", kwargs={"cohort": cohort.slug, "clip_id": clip.public_id}),
        cohort=cohort,
    )
