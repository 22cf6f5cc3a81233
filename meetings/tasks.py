"""Background work of group meetings: calendar invitations by e-mail.

Services enqueue these after commit; nothing here imports the services. A series goes out as one
invitation per person (the recurring event with its exceptions); a meeting outside a series as one
invitation per person for that meeting. Either is read at sending time, so an update sent late still
carries the latest times and the latest SEQUENCE; what changed is described by the service that made
the change, in `changes`, in every language (meetings.services.in_every_language).

Each e-mail, its subject and its calendar file are written in the recipient's language
(cohort.i18n.in_language_of).
"""

from __future__ import annotations

import logging

from django.tasks import task
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from cohort.i18n import in_language_of
from meetings.calendar import send_invitation
from meetings.models import Meeting, MeetingSeries

# What changed, keyed by language code (or, from an older queue, a list of English sentences).
Changes = dict[str, list[str]] | list[str] | None

log = logging.getLogger(__name__)


def _subject(title: str, *, cancelled: bool, updated: bool) -> str:
    """In the active language: call it inside in_language_of(recipient)."""
    if cancelled:
        return _("Cancelled: %(title)s") % {"title": title}
    if updated:
        return _("Updated: %(title)s") % {"title": title}
    return _("Invitation: %(title)s") % {"title": title}


def _changes_for(changes: Changes, language: str) -> list[str]:
    """The sentences of `changes` in one language (English when there are none in it)."""
    if not changes:
        return []
    if isinstance(changes, list):
        return changes
    return changes.get(language) or changes.get("en-gb") or []


def _shorten(subject: str, limit: int = 150) -> str:
    return subject if len(subject) <= limit else subject[: limit - 1].rstrip() + "…"


@task()
def send_series_invitations(series_id: int, changes: Changes = None) -> int:
    """E-mail each cohort member one invitation (or update, or cancellation) for the whole series.

    One e-mail per person, so no one sees the others' addresses. The organizer gets their copy as a
    plain calendar entry (nothing to answer)."""
    series = MeetingSeries.objects.select_related("cohort", "created_by").filter(pk=series_id).first()
    if series is None:
        return 0
    meetings = list(series.meetings.order_by("position"))
    active = [m for m in meetings if not m.is_cancelled]
    organizer = series.organizer()
    sent = 0
    invitees = meetings[0].invitees().order_by("pk") if meetings else []
    for user in invitees:
        with in_language_of(user) as language:
            said = _changes_for(changes, language)
            subject = _subject(series.title, cancelled=not active, updated=series.sequence > 0)
            if said and active:  # say in the subject what changed ("… — Fran cancelled … on …")
                subject = _shorten(f"{subject} — {said[0].rstrip('.')}")
            events = series.calendar_events(attendees=[(user.email, str(user))])
            is_organizer = organizer is not None and user.pk == organizer.pk
            body = render_to_string(
                "meetings/email/series_invitation.txt",
                {
                    "series": series,
                    "meetings": meetings,
                    "active": active,
                    "changes": said,
                    "user": user,
                    "is_organizer": is_organizer,
                    "organizer": organizer,
                    "url": events[0].url,
                },
            )
            method = "PUBLISH" if is_organizer and active else ""
            send_invitation(events, [user.email], subject=subject, body=body, method=method)
        sent += 1
    log.info("sent %d invitations for series %s", sent, series_id)
    return sent


@task()
def send_meeting_invitations(meeting_ids: list[int], changes: Changes = None) -> int:
    """E-mail each cohort member an invitation (or its update, or cancellation) for meetings outside a
    series, with the .ics."""
    sent = 0
    meetings = Meeting.objects.filter(pk__in=meeting_ids).select_related("cohort", "area").order_by("starts_at")
    for meeting in meetings:
        organizer = meeting.organizer()
        for user in meeting.invitees().order_by("pk"):
            with in_language_of(user) as language:
                subject = _subject(meeting.title, cancelled=meeting.is_cancelled, updated=meeting.sequence > 0)
                event = meeting.calendar_event(attendees=[(user.email, str(user))])
                is_organizer = organizer is not None and user.pk == organizer.pk
                body = render_to_string(
                    "meetings/email/invitation.txt",
                    {
                        "meeting": meeting,
                        "event": event,
                        "user": user,
                        "changes": _changes_for(changes, language),
                        "is_organizer": is_organizer,
                        "organizer": organizer,
                    },
                )
                method = "PUBLISH" if is_organizer and not meeting.is_cancelled else ""
                send_invitation(event, [user.email], subject=subject, body=body, method=method)
            sent += 1
    log.info("sent %d meeting invitations for %d meetings", sent, len(meeting_ids))
    return sent
