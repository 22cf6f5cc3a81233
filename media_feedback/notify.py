"""Telling facilitators that a clip is ready (through cohort.notifications, the one way to notify)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from cohort.i18n import in_language_of, language_of, localised
from cohort.models import NotificationKind, User
from cohort.notifications import notify
from media_feedback.models import Clip


def clip_ready(clip_id: int) -> None:
    clip = Clip.objects.select_related("call__cohort", "institution").filter(pk=clip_id).first()
    if clip is None:
        return
    cohort = clip.call.cohort
    url = reverse("media_feedback:clip", kwargs={"cohort": cohort.slug, "clip_id": clip.public_id})
    # Each facilitator reads the notification (and its e-mail) in their own language.
    by_language: dict[str, list[User]] = {}
    for user in User.objects.facilitators_of(cohort):
        by_language.setdefault(language_of(user), []).append(user)
    for language, users in sorted(by_language.items()):
        with in_language_of(language):
            title, _in = localised(clip.call, "title")
            if clip.transcript_needed:
                text = _("A new clip from %(institution)s needs its transcript typed: %(call)s")
            else:
                text = _("A new clip from %(institution)s is ready: %(call)s")
            notify(
                users,
                kind=NotificationKind.CLIPS,
                title=text % {"institution": clip.institution.short_name, "call": title},
                url=url,
                cohort=cohort,
            )
